"""Scanned pages → layout (engine ``ocr``): page images become tables and paragraphs.

A page is turned upright and deskewed and its text lines found (:mod:`.ocr`), its ruled
tables found (:mod:`.image_grid`); the lines are read and placed into the cells; text outside
tables becomes one paragraph per line. Cell boxes are given in points (72 per inch) like the
PDF reader's, so that a table continued on the next page is joined the same way.

Signatures (:mod:`.ink`): each cell's ink other than its printed label decides ``Cell.ink``
(1.0 signed or stamped, 0.0 blank). Lines in a signature column (a header cell 签到, 签退,
学员签名 …) are not recognised at all: a print recogniser reads handwriting as noise, and those
lines cost as much as printed ones. On free lines (``授课老师（签名）：____``, ``甲方（盖章）：``)
the blanks between printed characters are measured the same way, and red stamps looked for
around 盖章 labels; the offsets of inked blanks go into ``Paragraph.inked``.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..layout import (
    SIGNATURE_LABEL,
    Block,
    Cell,
    Extraction,
    LayoutDocument,
    Paragraph,
    ReadNote,
    Table,
    TextRun,
    clean,
    value_confidence,
)
from .errors import UnreadableDocument
from .image_grid import Grid, GridCell, cell_at, find_grids, line_text, lines_of, place
from .images import open_image
from .ink import cell_ink, red_stamp
from .limits import ReadLimits, megapixels, skipped_pages
from .limits import current as current_limits
from .ocr import DPI, Box, Glyph, Image, Page, TextBox, prepare, recognise
from .pdf_page import _PAGE_NUMBER, MARGIN, PageLayout
from .stitch import SCAN_EDGE_TOLERANCE, column_edges, same_edges, stitch

EDGE_TOLERANCE = SCAN_EDGE_TOLERANCE
A4_SHORT_SIDE = 595.0


@dataclass
class ScannedPage:
    layout: PageLayout
    characters: int = 0
    score: float = 0.0
    """Sum of OCR scores weighted by characters (divide by ``characters`` for the mean)."""
    turn: int = 0
    skew: float = 0.0
    runs: list[TextRun] = field(default_factory=list)
    """The text read, each line on its place in the page as scanned turned by ``turn`` (for
    a searchable copy)."""
    note: ReadNote | None = None
    """Set when the page was read at a lower resolution than asked (too large to render)."""

    @property
    def confidence(self) -> float:
        return self.score / self.characters if self.characters else 0.0


def scan_page(image: Image, number: int, points_per_pixel: float | None = None) -> ScannedPage:
    """One page image (BGR) as a page layout. ``points_per_pixel`` is 72/dpi when the
    resolution is known; otherwise the page is taken to be A4 wide."""
    if _blank(image):
        return ScannedPage(PageLayout(number, unreliable=True))
    prepared = prepare(image)
    image = prepared.image
    height, width = image.shape[:2]
    if points_per_pixel is None:
        points_per_pixel = A4_SHORT_SIDE / min(width, height)
    grey = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    grids = [g for g in find_grids(grey, prepared.boxes) if len(g.cells) > 1]
    boxes, columns = _read(prepared, grids)
    page = ScannedPage(
        PageLayout(number, unreliable=not boxes), turn=prepared.turn, skew=prepared.skew
    )
    size = (width, height)
    page.runs = [(b.text, prepared.on_scan(b.box), size) for b in boxes]
    page.characters = sum(len(b.text) for b in boxes)
    page.score = sum(b.score * len(b.text) for b in boxes)
    free = place(grids, [part for box in boxes for part in _split_at_rulings(box, grids)])
    items: list[tuple[float, Block]] = []
    for index, grid in enumerate(grids):
        table = _table(grid, number, points_per_pixel, image, columns.get(index, []))
        items.append((float(grid.ys[0]), table))
    dpi = 72.0 / points_per_pixel
    for line in lines_of(free):
        text, inked = _line_with_blanks(line, boxes, image, dpi)
        scores = _character_scores(line)
        paragraph = Paragraph(text, 0, page=number, inked=inked, scores=scores)
        top = min(b.box[1] for b in line)
        bottom = max(b.box[3] for b in line)
        items.append((float(top), paragraph))
        if (bottom < MARGIN * height or top > (1 - MARGIN) * height) and _PAGE_NUMBER.fullmatch(
            paragraph.text.strip()
        ):
            page.layout.furniture.append(paragraph)
    items.sort(key=lambda item: item[0])
    page.layout.blocks = [block for _, block in items]
    return page


HEADER_ROWS = 3
"""Rows at the top of a table read first, to find its signature columns."""
_SIGNATURE_HEADER = re.compile(r".{0,4}(签到|签退|签名|签字)(\(签名\)|签名)?")


Column = tuple[int, int, int]
"""(first column, last column, last header row) of a signature column."""


def _read(page: Page, grids: list[Grid]) -> tuple[list[TextBox], dict[int, list[Column]]]:
    """The page's text lines, read, except those in signature columns; and those columns,
    by grid."""
    owner = {id(cell): number for number, grid in enumerate(grids) for cell in grid.cells}
    spots = [cell_at(grids, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in page.boxes]
    first = [i for i, spot in enumerate(spots) if spot is not None and spot.row < HEADER_ROWS]
    read: dict[int, TextBox | None] = dict(zip(first, recognise(page, first), strict=True))
    columns = _signature_columns(grids, spots, read)
    rest = []
    for index, spot in enumerate(spots):
        if spot is not None and _in_column(spot, columns.get(owner[id(spot)], [])):
            read.pop(index, None)  # a signature in the first rows, read as noise
        elif index not in read:
            rest.append(index)
    read.update(zip(rest, recognise(page, rest), strict=True))
    return [box for _, box in sorted(read.items()) if box is not None], columns


def _signature_columns(
    grids: list[Grid], spots: list[GridCell | None], read: dict[int, TextBox | None]
) -> dict[int, list[Column]]:
    """The signature columns: under a header cell holding only 签到, 签退, 学员签名 … in a
    table of at least four columns."""
    texts: dict[int, list[str]] = {}
    for index, box in read.items():
        spot = spots[index]
        if box is not None and spot is not None:
            texts.setdefault(id(spot), []).append(box.text)
    out: dict[int, list[Column]] = {}
    for number, grid in enumerate(grids):
        if len(grid.xs) < 5:
            continue
        for cell in grid.cells:
            text = clean("".join(texts.get(id(cell), []))).replace(" ", "")
            if cell.row < HEADER_ROWS and _SIGNATURE_HEADER.fullmatch(text):
                last = cell.column + cell.colspan - 1
                out.setdefault(number, []).append((cell.column, last, cell.row + cell.rowspan - 1))
    return out


def _in_column(spot: GridCell, columns: list[Column]) -> bool:
    """Below the header of one of ``columns`` (its table's signature columns)."""
    last = spot.column + spot.colspan - 1
    return any(
        first <= spot.column and last <= end and spot.row > header for first, end, header in columns
    )


def _split_at_rulings(box: TextBox, grids: list[Grid]) -> list[TextBox]:
    """``box`` cut where its characters fall into different cells: the detector sometimes
    joins the text of two neighbouring cells (``年龄 性别``) across the ruling between them."""
    if len(box.glyphs) < 2:
        return [box]
    parts: list[tuple[GridCell | None, list[Glyph]]] = []
    for glyph in box.glyphs:
        x0, y0, x1, y1 = glyph.box
        spot = cell_at(grids, (x0 + x1) / 2, (y0 + y1) / 2)
        if parts and parts[-1][0] is spot:
            parts[-1][1].append(glyph)
        else:
            parts.append((spot, [glyph]))
    if len(parts) < 2 or any(spot is None for spot, _ in parts):
        return [box]
    out = []
    for _, glyphs in parts:
        text = "".join(g.text for g in glyphs)
        bounds = (
            min(g.box[0] for g in glyphs),
            min(g.box[1] for g in glyphs),
            max(g.box[2] for g in glyphs),
            max(g.box[3] for g in glyphs),
        )
        out.append(TextBox(text, bounds, min(box.score, *(g.score for g in glyphs)), tuple(glyphs)))
    return out


GAP_HEIGHTS = 1.5
"""A blank on a free line is a gap between printed characters at least this many line
heights wide, or the space after the line's last character."""
END_HEIGHTS = 10.0
"""The blank after a line's last character reaches this many line heights to the right (no
further than the page's side margin)."""
HANDWRITTEN_SCORE = 0.5
"""Characters recognised with a lower score are handwriting read as text: they neither end a
blank nor hide their ink …"""
ODD_SCORE = 0.9
"""… and so are characters a printed form does not use (【, kana, ~) below this score."""
_FORM_CHARACTER = re.compile(r"[\u4e00-\u9fff0-9A-Za-z：:（）()，,。.、；;—\-_/～%《》“”'\"]")


def _handwritten(glyph: Glyph) -> bool:
    """Not printed: its ink may be a signature's."""
    return glyph.score < HANDWRITTEN_SCORE or _odd(glyph)


def _odd(glyph: Glyph) -> bool:
    """Not text either: a character no printed form uses, read with doubt (a signature read
    as ``【``). A printed digit read with a low score stays: the value is marked instead."""
    return glyph.score < ODD_SCORE and not _FORM_CHARACTER.fullmatch(glyph.text)


LABEL_REACH = 8
"""A blank follows a signature label when one ends within this many characters before it."""
STAMP_HEIGHTS = 3.0
"""Around a 盖章 label a red stamp is looked for this many line heights above and below."""


def _line_with_blanks(
    line: list[TextBox], boxes: list[TextBox], image: Image, dpi: float, right: int | None = None
) -> tuple[str, tuple[int, ...]]:
    """The text of a free line and the offsets into it of the blanks that carry ink: a
    signature on ``授课老师（签名）：____`` or a stamp by ``甲方（盖章）：``. ``right``: where
    the line's last blank ends (a cell's border), else some way towards the page's edge."""
    printed, handwritten = _glyph_offsets(line)
    text = "".join(" " if i in handwritten else c for i, c in enumerate(line_text(line)))
    if not printed:
        return text, ()
    height = statistics.median(b[3] - b[1] for _, b in printed)
    top = min(b[1] for _, b in printed)
    bottom = max(b[3] for _, b in printed)
    page_right = image.shape[1] * (1 - MARGIN / 2) if right is None else right - 0.3 * height
    masks = [g.box for b in boxes for g in b.glyphs if not _handwritten(g)]
    masks += [b.box for b in boxes if not b.glyphs]
    inked: list[int] = []
    for k, (after, box) in enumerate(printed):
        x0 = box[2]
        x1 = (
            printed[k + 1][1][0]
            if k + 1 < len(printed)
            else min(x0 + END_HEIGHTS * height, page_right)
        )
        if x1 - x0 < GAP_HEIGHTS * height or not _after_signature_label(text, after):
            continue
        region = (x0, round(top - 0.8 * height), round(x1), round(bottom + 0.4 * height))
        hidden = [m for m in masks if _overlaps(m, region)]
        signed = _signed_at(image, region, hidden, dpi) is True
        if not signed and re.search(r"[盖签]章", text[max(0, after - 6) : after]):
            around = (
                round(x0 - 6 * height),
                round(top - STAMP_HEIGHTS * height),
                round(x1),
                round(bottom + STAMP_HEIGHTS * height),
            )
            signed = _stamped(image, around, dpi)
        if signed:
            inked.append(after)
    return text, tuple(inked)


def _after_signature_label(text: str, offset: int) -> bool:
    """Whether the blank at ``offset`` follows a signature label (``…（签名）：``,
    ``甲方（盖章）``): only those blanks are measured."""
    return any(word in text[max(0, offset - LABEL_REACH) : offset] for word in _SIGNATURE_WORDS)


def _glyph_offsets(line: list[TextBox]) -> tuple[list[tuple[int, Box]], set[int]]:
    """(offset in the line's text just after the character, its box) of each printed
    character of ``line``, left to right; and the offsets of the characters that are not
    text (:func:`_odd`)."""
    out: list[tuple[int, Box]] = []
    handwritten: set[int] = set()
    offset = 0
    for box in line:
        text = box.text.strip()
        if not box.glyphs:
            out.append((offset + len(text), box.box))
        for start, end, glyph in _located(box):
            if not _handwritten(glyph):
                out.append((offset + end, glyph.box))
            if _odd(glyph):
                handwritten.update(range(offset + start, offset + end))
        offset += len(text) + 1
    return out, handwritten


def _located(box: TextBox) -> Iterator[tuple[int, int, Glyph]]:
    """Each glyph of ``box`` with where it stands in ``box.text.strip()`` (start, end); a
    glyph the text does not hold (the recogniser's word split differs) is passed over."""
    text = box.text.strip()
    position = 0
    for glyph in box.glyphs:
        piece = glyph.text.strip()
        at = text.find(piece, position)
        if at < 0:
            continue
        position = at + len(piece)
        yield at, position, glyph


def _character_scores(line: list[TextBox]) -> tuple[float, ...]:
    """The OCR score of each character of ``line_text(line)``: its glyph's where the
    recogniser gave one, else its line's (1.0 for the spaces joining the line's boxes)."""
    scores: list[float] = []
    for index, box in enumerate(line):
        text = box.text.strip()
        own = [box.score] * len(text)
        for start, end, glyph in _located(box):
            own[start:end] = [glyph.score] * (end - start)
        if index:
            scores.append(1.0)
        scores += own
    return tuple(round(s, 3) for s in scores)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# A failing signature detector must not make the page unreadable: it reads as unknown (a
# cell) or blank (a line).


def _signed_at(image: Image, region: Box, printed: Sequence[Box], dpi: float | None) -> bool | None:
    """Whether ``region`` holds ink other than the ``printed`` text; None when the detector
    failed."""
    try:
        return cell_ink(image, region, printed, dpi=dpi, max_skew=RESIDUAL_SKEW).signed
    except Exception:
        return None


def _stamped(image: Image, region: Box, dpi: float) -> bool:
    try:
        return red_stamp(image, region, dpi=dpi)
    except Exception:
        return False


BLANK_INK = 0.0005
"""Pages with less than this share of dark pixels are empty: no OCR is run on them."""


def _blank(image: Image) -> bool:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return float(np.count_nonzero(np.asarray(grey) < 128)) < BLANK_INK * grey.size


# Printed text in a signature cell: its label (签到, 授课老师（签名）：) is masked before the ink
# is measured; a handwritten name that OCR happened to read is not, or the cell would read blank.
_PRINTED = (
    "签到",
    "签退",
    "签名",
    "签字",
    "盖章",
    "老师",
    "班主任",
    "代表",
    "甲方",
    "乙方",
    ":",
    "：",
)


def _table(grid: Grid, number: int, scale: float, image: Image, columns: list[Column]) -> Table:
    """The grid as a layout table; ``columns``: its signature columns. Ink is measured only
    where a signature can be: in those columns, in cells with a signature label, and in the
    cells right of and below such a label (a key/value grid's blank)."""
    labelled = [
        spot
        for spot in grid.cells
        if any(word in t.text for t in spot.texts for word in _SIGNATURE_WORDS)
    ]
    cells: list[Cell] = []
    for spot in grid.cells:
        lines = lines_of(spot.texts)
        text = "\n".join(line_text(line) for line in lines)
        x0, y0, x1, y1 = spot.box
        cell = Cell(
            text,
            spot.row,
            spot.column,
            spot.rowspan,
            spot.colspan,
            page=number,
            bbox=(x0 * scale, y0 * scale, x1 * scale, y1 * scale),
        )
        if _may_be_signed(spot, labelled, columns):
            printed = [t.box for t in spot.texts if any(word in t.text for word in _PRINTED)]
            signed = _signed_at(image, spot.box, printed, 72.0 / scale if scale else None)
            cell.ink = None if signed is None else float(signed)
        if len(SIGNATURE_LABEL.findall(text)) >= 2 and scale:
            # Several signature lines in one cell (授课老师（签名）：… 班主任（签名）：…):
            # ink in the cell signs only the blank it stands in, as on a free line.
            marks: list[int] = []
            cursor = 0
            for line in lines:
                _, inked = _line_with_blanks(line, spot.texts, image, 72.0 / scale, right=x1)
                marks += [cursor + offset for offset in inked]
                cursor += len(line_text(line)) + 1
            cell.marks = tuple(marks)
            if not marks:
                cell.ink = 0.0
        if spot.texts:
            scores: list[float] = []
            for index, line in enumerate(lines):
                scores += [1.0] * (index > 0) + list(_character_scores(line))  # "\n" joins
            cell.confidence = value_confidence(text, scores)
        cells.append(cell)
    return Table(0, cells, page=number)


RESIDUAL_SKEW = 1.5
"""Degrees a ruling line may still be tilted on a deskewed page (the ink reader's search)."""
_SIGNATURE_WORDS = ("签名", "签字", "签章", "盖章", "签到", "签退")


def _may_be_signed(spot: GridCell, labelled: list[GridCell], columns: list[Column]) -> bool:
    """In a signature column, a signature label's cell, or the cell right of or below one."""
    if _in_column(spot, columns):
        return True
    for label in labelled:
        if label is spot:
            return True
        rows = range(label.row, label.row + label.rowspan)
        columns_under = range(label.column, label.column + label.colspan)
        beside = label.column + label.colspan == spot.column and spot.row in rows
        below = label.row + label.rowspan == spot.row and spot.column in columns_under
        if beside or below:
            return True
    return False


def continues(
    furniture: set[int], tolerance: float = EDGE_TOLERANCE
) -> Callable[[Table, Table, list[Paragraph]], bool]:
    """The stitch test for scanned pages: the next page's first table has the same column
    edges (within ``tolerance`` points) and only page numbers lie between."""

    def joinable(table: Table, part: Table, between: list[Paragraph]) -> bool:
        last_page = max((c.page or 0) for c in table.cells)
        if part.page != last_page + 1 or any(id(p) not in furniture for p in between):
            return False
        tail = [c for c in table.cells if c.page == last_page]
        return same_edges(
            column_edges(tail, tolerance), column_edges(part.cells, tolerance), tolerance
        )

    return joinable


def confidence(pages: list[ScannedPage]) -> float:
    """Mean OCR score over the pages, weighted by characters."""
    characters = sum(p.characters for p in pages)
    return round(sum(p.score for p in pages) / characters, 3) if characters else 0.0


def read_images(
    path: Path,
    display_name: str | None = None,
    deadline: float | None = None,
    limits: ReadLimits | None = None,
) -> LayoutDocument:
    """An image file (JPEG, PNG, TIFF with one or more pages) read by OCR, one page decoded
    at a time; pages over the page limit are not read and say so."""
    limits = limits or current_limits()
    found = open_image(path, limits)
    count = len(found.sizes)
    pages: list[ScannedPage] = []
    for index, image in enumerate(found.pages()):
        check_deadline(deadline, index, count)
        pages.append(scan_page(image, index + 1))
        del image
    blocks: list[Block] = [b for p in pages for b in p.layout.blocks]
    furniture = {id(f) for p in pages for f in p.layout.furniture}
    notes: tuple[ReadNote, ...] = ()
    if found.skipped:
        notes = (skipped_pages(count, found.total, found.more, limits.max_pages),)
    return LayoutDocument(
        path=display_name or str(path),
        format=found.kind.lower(),
        blocks=stitch(blocks, continues(furniture)),
        pages=len(pages),
        extraction=Extraction("ocr", confidence(pages), notes),
        unreliable_pages=[p.layout.number for p in pages if p.layout.unreliable],
        text_runs={p.layout.number: p.runs for p in pages},
        turns={p.layout.number: p.turn for p in pages},
    )


def render_dpi(width: float, height: float, dpi: float, max_pixels: int) -> float:
    """``dpi``, or the highest dpi at which a page of ``width`` × ``height`` points stays
    within ``max_pixels``: judged from the page size, before anything is rendered."""
    wanted = max(width, 1.0) * max(height, 1.0) * (dpi / 72) ** 2
    return dpi if wanted <= max_pixels else dpi * math.sqrt(max_pixels / wanted) * 0.999


def render_page(pdf: Any, index: int, dpi: float = DPI, max_pixels: int | None = None) -> Image:
    """Page ``index`` (0-based) of an open pypdfium2 document as a BGR image, at ``dpi`` or
    less: never more than ``max_pixels`` (default: the configured limit)."""
    limit = max_pixels or current_limits().max_pixels
    page = pdf[index]
    try:
        width, height = page.get_size()
        bitmap = page.render(scale=render_dpi(width, height, dpi, limit) / 72, rev_byteorder=False)
        array = np.asarray(bitmap.to_numpy())
    finally:
        page.close()
    if array.ndim == 3 and array.shape[2] == 4:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    elif array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(array[:, :, :3], dtype=np.uint8)


def scan_pdf_page(
    pdf: Any, index: int, dpi: int = DPI, max_pixels: int | None = None
) -> ScannedPage:
    """Page ``index`` (0-based) of a PDF with no usable text layer, rendered and read. A page
    too large to render at ``dpi`` within ``max_pixels`` is rendered smaller and the result
    carries a note (:attr:`ScannedPage.note`)."""
    limit = max_pixels or current_limits().max_pixels
    width, height = pdf.get_page_size(index)
    used = render_dpi(width, height, dpi, limit)
    scanned = scan_page(render_page(pdf, index, used, limit), index + 1, 72 / used)
    if used < dpi:
        scanned.note = ReadNote(
            "low-confidence",
            f"第{index + 1}页尺寸过大（{width:.0f}×{height:.0f} 磅），按 {dpi} dpi 渲染将超过"
            f"像素上限 {megapixels(limit)}（--max-megapixels），已降至 {used:.0f} dpi 识别，"
            "结果可能不准确",
            f"page {index + 1} is too large ({width:.0f}×{height:.0f} pt) to render at {dpi} dpi "
            f"within the pixel limit of {megapixels(limit)} (--max-megapixels): it was read at "
            f"{used:.0f} dpi and the result may be wrong",
            page=index + 1,
        )
    return scanned


def check_deadline(deadline: float | None, done: int, total: int) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise UnreadableDocument(
            f"读取超时（已读 {done}/{total} 页）",
            f"reading timed out ({done} of {total} pages read)",
            "timeout",
        )


__all__ = [
    "ScannedPage",
    "TextBox",
    "confidence",
    "continues",
    "read_images",
    "render_dpi",
    "render_page",
    "scan_page",
    "scan_pdf_page",
]
