"""DOCX → layout: body paragraphs and tables in document order, cells on the table grid;
a table continued in the next one (header repeated) is joined, as in the PDF reader.

The body XML is walked directly (python-docx opens the package and parses it) because the
object model repeats merged cells, hides content inside content controls (``w:sdt``) and
tracked insertions, and flattens nested tables into their parent's text.
Headers, footers, footnotes and text boxes are not read: they hold no annex data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.package import Package

from ..layout import Block, Cell, Extraction, LayoutDocument, Paragraph, Table
from .stitch import repeated_header, stitch

Element = Any
"""An lxml element of the WordprocessingML body (python-docx ships no type hints)."""

_P, _TBL, _TR, _TC, _R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:r")
_WRAPPERS = frozenset(qn(t) for t in ("w:sdt", "w:sdtContent", "w:customXml"))
"""Elements that only wrap blocks, rows or cells (content controls, custom XML)."""
_INLINE_WRAPPERS = _WRAPPERS | frozenset(
    qn(t)
    for t in ("w:hyperlink", "w:ins", "w:smartTag", "w:fldSimple", "w:dir", "w:bdo", "w:moveTo")
)
"""Elements inside a paragraph whose runs are part of its text; ``w:del`` and ``w:moveFrom``
(tracked deletions) are not among them."""
_T, _TAB, _PTAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:ptab"), qn("w:br"), qn("w:cr")
_NB_HYPHEN, _SYM = qn("w:noBreakHyphen"), qn("w:sym")
_PICTURES = frozenset(qn(t) for t in ("w:drawing", "w:pict", "w:object"))
"""A picture in a run: on a signature line or in a sign-in cell, a scanned signature or a
stamp pasted in (forms filled on a computer carry them as images)."""
_VAL, _FONT, _CHAR = qn("w:val"), qn("w:font"), qn("w:char")

# Tick boxes typed with Word's Symbol dialog are symbol-font code points, not Unicode: map
# the usual ticks, crosses and boxes so a ticked sign-in cell reads as ticked.
_SYMBOLS = {
    "wingdings": {0xFC: "✔", 0xFB: "✘", 0xFD: "☒", 0xFE: "☑", 0xA8: "☐", 0x6F: "□", 0x78: "☒"},
    "wingdings 2": {0x50: "✓", 0x4F: "✗", 0x52: "☑", 0x53: "☒", 0x54: "☒", 0xA3: "□"},
}


def read_docx(path: Path, display_name: str | None = None) -> LayoutDocument:
    body = _open_body(path)
    builder = body_blocks(body)
    return LayoutDocument(
        path=display_name or str(path),
        format="docx",
        blocks=stitch(builder.blocks, _continues),
        pages=None,
        extraction=Extraction("docx"),
    )


def body_blocks(body: Element, on_table: Callable[[Element], None] | None = None) -> _Builder:
    """The reader's blocks of a document body, before continued tables are joined
    (:func:`stitch` with :func:`_continues` joins them). ``on_table`` sees each top-level
    ``w:tbl`` as its Table block is made: the annotator matches cells to elements with it."""
    builder = _Builder()
    for element in _flatten(body, {_P, _TBL}):
        if element.tag == _P:
            text, pictures = _paragraph_text(element)
            lead = len(text) - len(text.lstrip())
            builder.paragraph(text.strip(), tuple(offset - lead for offset in pictures))
        else:
            builder.table(element)
            if on_table is not None:
                on_table(element)
    return builder


def _continues(table: Table, part: Table, between: list[Paragraph]) -> bool:
    """A long table written as one table per page (the generated ledger does) is one table:
    nothing but empty paragraphs or page breaks between, same grid, the header repeated."""
    return not between and table.n_columns == part.n_columns and repeated_header(table, part) > 0


def _open_body(path: Path) -> Element:
    try:
        return docx.Document(str(path)).element.body
    except ValueError:
        # python-docx refuses macro-enabled documents and templates by content type; their
        # body XML is the same, so read the main part directly.
        part = Package.open(str(path)).main_document_part
        return parse_xml(part.blob).find(qn("w:body"))


@dataclass
class _Builder:
    blocks: list[Block] = field(default_factory=list)
    tables: int = 0
    paragraphs: int = 0

    def paragraph(self, text: str, pictures: tuple[int, ...] = ()) -> None:
        if text:
            self.paragraphs += 1
            self.blocks.append(Paragraph(text, self.paragraphs, inked=pictures))

    def table(self, tbl: Element) -> None:
        """The table, then the tables nested in its cells (depth first, in order)."""
        self.tables += 1
        cells, nested = _table_cells(tbl)
        self.blocks.append(Table(self.tables, cells))
        for inner in nested:
            self.table(inner)


def _table_cells(tbl: Element) -> tuple[list[Cell], list[Element]]:
    cells: list[Cell] = []
    nested: list[Element] = []
    open_above: dict[int, Cell] = {}
    """Cells that started a vertical merge, by grid column: ``vMerge continue`` extends them."""
    for row, tr in enumerate(_flatten(tbl, {_TR})):
        column = _int_attr(tr, "w:trPr", "w:gridBefore", 0)
        for tc in _flatten(tr, {_TC}):
            span = max(1, _int_attr(tc, "w:tcPr", "w:gridSpan", 1))
            merge = _v_merge(tc)
            text, inner, marks = _cell_content(tc)
            nested += inner
            above = open_above.get(column)
            if merge == "continue" and above is not None:
                above.rowspan = row - above.row + 1
                if text:  # Word shows only the first cell's text; keep any stray text anyway
                    above.text = f"{above.text}\n{text}".strip()
            else:
                cell = Cell(
                    text, row, column, colspan=span, ink=1.0 if marks else None, marks=marks
                )
                cells.append(cell)
                if merge == "restart":
                    open_above[column] = cell
                else:
                    open_above.pop(column, None)
            column += span
    return cells, nested


def _cell_content(tc: Element) -> tuple[str, list[Element], tuple[int, ...]]:
    """The cell's own paragraphs as lines, the tables nested in it, and where in its text a
    picture (a signature or stamp image) stands."""
    lines: list[str] = []
    nested: list[Element] = []
    marks: list[int] = []
    length = 0
    for element in _flatten(tc, {_P, _TBL}):
        if element.tag == _P:
            text, pictures = _paragraph_text(element)
            marks += [length + offset for offset in pictures]
            lines.append(text)
            length += len(text) + 1
        else:
            nested.append(element)
    joined = "\n".join(lines)
    lead = len(joined) - len(joined.lstrip())
    text = joined.strip()
    return text, nested, tuple(min(max(m - lead, 0), len(text)) for m in marks)


def _paragraph_text(p: Element) -> tuple[str, tuple[int, ...]]:
    """The paragraph's text, and the offsets in it where a picture stands."""
    parts: list[str] = []
    pictures: list[int] = []
    _collect_runs(p, parts, pictures)
    return "".join(parts), tuple(pictures)


def _collect_runs(element: Element, parts: list[str], pictures: list[int]) -> None:
    for child in element:
        if child.tag == _R:
            _run_text(child, parts, pictures)
        elif child.tag in _INLINE_WRAPPERS:
            _collect_runs(child, parts, pictures)


def _run_text(run: Element, parts: list[str], pictures: list[int]) -> None:
    for child in run:
        tag = child.tag
        if tag in _PICTURES:
            pictures.append(sum(len(part) for part in parts))
        elif tag == _T:
            parts.append(child.text or "")
        elif tag in (_TAB, _PTAB):
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
        elif tag == _SYM:
            parts.append(_symbol(child))


def _symbol(sym: Element) -> str:
    try:
        code = int(sym.get(_CHAR, ""), 16)
    except ValueError:
        return ""
    font = (sym.get(_FONT) or "").lower()
    low = code - 0xF000 if code >= 0xF000 else code
    return _SYMBOLS.get(font, {}).get(low) or chr(code)


def _flatten(parent: Element, wanted: set[str]) -> Iterator[Element]:
    """Children of ``parent`` with a wanted tag, looking through content-control wrappers."""
    for child in parent:
        if child.tag in wanted:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _flatten(child, wanted)


def _int_attr(element: Element, props: str, name: str, default: int) -> int:
    found = element.find(f"{qn(props)}/{qn(name)}")
    if found is None:
        return default
    try:
        return int(found.get(_VAL, default))
    except ValueError:
        return default


def _v_merge(tc: Element) -> str | None:
    """``restart``, ``continue`` or None; a ``w:vMerge`` without a value means continue."""
    found = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    if found is None:
        return None
    return str(found.get(_VAL) or "continue")
