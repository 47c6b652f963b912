"""The layout model every reader produces: paragraphs and tables, cells with positions.

DOCX, PDF and XLSX readers (and later OCR) all yield this model, so classification and
extraction are written once. Geometry stays here and in the readers; the meaning of the
text is decided elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal


def clean(text: str) -> str:
    """Text as labels are compared: NFKC, and no spaces between Han characters (letter-spaced
    labels such as 备 案 表 read 备案表); other runs of white space become one space."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "", text)


@dataclass
class Location:
    """Where a value is, 1-based: page, table, row, column (XLSX: sheet and cell)."""

    page: int | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None
    confidence: float | None = None
    """OCR score (0–1) of the text read there, where the text came from OCR. Not a place:
    left out of :meth:`as_dict`."""
    bbox: tuple[float, float, float, float] | None = None
    """The cell's box on its page (as :attr:`Cell.bbox`), for outlining it in a copy or a
    picture of the page; not part of the contract's location, so left out of :meth:`as_dict`."""

    def as_dict(self) -> dict[str, int | str]:
        return {
            k: v
            for k, v in self.__dict__.items()
            if v is not None and k not in ("confidence", "bbox")
        }


SIGNATURE_LABEL = re.compile(r"签名|签字|签章|盖章")
"""What marks a signature line's label; a cell with two or more is signed blank by blank."""


@dataclass
class Cell:
    text: str
    row: int
    """0-based row of the top-left grid position within its table."""
    column: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    """(x0, top, x1, bottom) in points, PDF only."""
    ref: str | None = None
    """Spreadsheet reference (``C7``), XLSX only."""
    ink: float | None = None
    """Share of the cell covered by ink other than its text (signatures), where known."""
    marks: tuple[int, ...] = ()
    """Offsets into ``text`` where a picture stands (DOCX), so that a cell holding several
    signature lines signs only the one the picture follows."""
    confidence: float | None = None
    """OCR score (0–1) of the cell's text, where it came from OCR: that of its least certain
    letter, digit or Han character (:func:`value_confidence`)."""


@dataclass
class Table:
    index: int
    """1-based, in document order."""
    cells: list[Cell]
    page: int | None = None
    sheet: str | None = None

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_columns(self) -> int:
        return max((c.column + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[Cell]]:
        """Cells by row (a merged cell appears once, in its top row), left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell.row].append(cell)
        for row in out:
            row.sort(key=lambda c: c.column)
        return out

    def location(self, cell: Cell) -> Location:
        return Location(
            page=cell.page or self.page,
            table=self.index,
            row=cell.row + 1,
            column=cell.column + 1,
            sheet=self.sheet,
            cell=cell.ref,
            confidence=cell.confidence,
            bbox=cell.bbox,
        )


@dataclass
class Paragraph:
    text: str
    index: int
    page: int | None = None
    inked: tuple[int, ...] = ()
    """Offsets into ``text`` of blanks that carry ink other than the text (a signature or a
    stamp on a signature line), where the reader can see ink (scans)."""
    scores: tuple[float, ...] = ()
    """OCR score (0–1) of each character of ``text``, where it came from OCR."""


Block = Paragraph | Table


def value_confidence(text: str, scores: Sequence[float]) -> float | None:
    """The OCR score of a value: the lowest score among its letters, digits and Han
    characters (``scores`` one per character of ``text``). Punctuation and fill-in underscores
    read with less certainty do not count; one doubtful digit of an ID number does. None when
    the value has no such character or no scores."""
    chosen = [score for char, score in zip(text, scores, strict=False) if char.isalnum()]
    return round(min(chosen), 3) if chosen else None


TextRun = tuple[str, tuple[float, ...], tuple[int, int]]
"""A line of OCR text: (text, its corners x0, y0, x1, y1 … in pixels, (width, height) of the
page image in pixels)."""


@dataclass(frozen=True)
class ReadNote:
    """Something a reader did not read as the file asked (pages over a limit, a page
    rendered at a lower resolution): it becomes a finding of the document, never silence."""

    code: str
    """A finding code: ``unreadable-document`` (part not read) or ``low-confidence``."""
    zh: str
    en: str
    severity: Literal["error", "warning", "info"] | None = None
    """None: the code's own severity."""
    page: int | None = None


@dataclass
class Extraction:
    """How the text was obtained (contract: ``extraction``)."""

    engine: str | None
    """``docx``, ``pdf-text``, ``xlsx`` or ``ocr``; None for a document that was not read."""
    confidence: float = 1.0
    notes: tuple[ReadNote, ...] = ()
    """What the reader left out or read at a lower resolution than the file asked."""


@dataclass
class LayoutDocument:
    """One document as read: blocks in reading order."""

    path: str
    format: str
    """``docx``, ``pdf`` or ``xlsx``."""
    blocks: list[Block]
    pages: int | None = None
    extraction: Extraction = field(default_factory=lambda: Extraction("docx"))
    unreliable_pages: list[int] = field(default_factory=list)
    """Pages whose text layer is damaged (``(cid:N)``, U+FFFD) or absent."""
    first_page: int = 1
    """For a part of a PDF holding several annexes: the page this part starts on."""
    text_runs: dict[int, list[TextRun]] = field(default_factory=dict)
    """OCR text by page number, each line placed on the page as scanned, turned upright by
    ``turns`` (scans only): what a searchable copy lays over the page."""
    turns: dict[int, int] = field(default_factory=dict)
    """Clockwise quarter turn (0, 90, 180, 270) that shows each scanned page upright."""

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def text(self) -> str:
        """All text in reading order, table cells included."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                parts += [c.text for c in block.cells]
        return "\n".join(parts)
