"""One table split into several: a table broken across pages, or a long table the generator
writes as one table per page, becomes one Table again — its header kept once.

Whether two tables continue each other is the reader's call (page, column layout, what lies
between); this module does the joining and renumbering for every format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..layout import Block, Cell, Paragraph, Table

Joinable = Callable[[Table, Table, list[Paragraph]], bool]
"""(table so far, next table, paragraphs between them) → does the next one continue it?"""

MAX_HEADER_ROWS = 3

SCAN_EDGE_TOLERANCE = 6.0
"""Points: column edges of a table continued on a scanned page match this closely (scan
position and deskewing shift them by a few pixels)."""


def stitch(blocks: list[Block], joinable: Joinable) -> list[Block]:
    """Blocks with continued tables joined, tables and paragraphs renumbered 1, 2, …
    Paragraphs between two joined parts (page numbers) stay, after the joined table."""
    out: list[Block] = []
    current: Table | None = None
    between: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block)
            between.append(block)
            continue
        if current is not None and joinable(current, block, between):
            append_rows(current, block)
        else:
            out.append(block)
            current = block
        between = []
    return renumber(out)


def renumber(blocks: list[Block]) -> list[Block]:
    tables = paragraphs = 0
    for block in blocks:
        if isinstance(block, Table):
            tables += 1
            block.index = tables
        else:
            paragraphs += 1
            block.index = paragraphs
    return blocks


def append_rows(table: Table, part: Table) -> None:
    """``part``'s rows below ``table``'s, without the header rows ``part`` repeats; a row
    broken across the pages (see :func:`_goes_on`) is made one again."""
    header = repeated_header(table, part)
    above = _goes_on(table, part) if header == 0 else None
    if above is not None:
        for cell, mine in above:
            mine.text = f"{mine.text}\n{cell.text}" if mine.text else cell.text
        header = 1
    offset = table.n_rows - header
    for cell in part.cells:
        if cell.row >= header:
            cell.row += offset
            table.cells.append(cell)


def _goes_on(table: Table, part: Table) -> list[tuple[Cell, Cell]] | None:
    """Where ``part``'s first row is the rest of ``table``'s last one: each written cell
    with the cell above it; None when it is a row of its own. A row that does not fit at
    the foot of a page is broken across it: the next page's first row then has an empty
    first cell (no 序号 of its own), at most half of its cells written, and each written
    one under a cell of the row above (``公民身份号`` above, ``码`` below)."""
    last = table.n_rows - 1
    above = [c for c in table.cells if c.row == last and c.rowspan == 1]
    first = sorted((c for c in part.cells if c.row == 0), key=lambda c: c.column)
    if not first or not above or any(c.rowspan != 1 for c in first) or first[0].text.strip():
        return None
    written = [c for c in first if c.text.strip()]
    if not 0 < len(written) <= len(first) // 2:
        return None
    pairs = []
    for cell in written:
        mine = next((c for c in above if _over(c, cell)), None)
        if mine is None:
            return None
        pairs.append((cell, mine))
    return pairs


def _over(upper: Cell, lower: Cell) -> bool:
    """Does ``upper`` stand over ``lower``: by position where both have boxes, else by
    column?"""
    if upper.bbox is not None and lower.bbox is not None:
        middle = (lower.bbox[0] + lower.bbox[2]) / 2
        return upper.bbox[0] < middle < upper.bbox[2]
    return upper.column <= lower.column < upper.column + upper.colspan


def repeated_header(table: Table, part: Table) -> int:
    """How many of ``table``'s first rows ``part`` starts with (same text and structure)."""
    for rows in range(min(MAX_HEADER_ROWS, table.n_rows - 1, part.n_rows), 0, -1):
        mine = _head(table, rows)
        if mine is not None and mine == _head(part, rows):
            return rows
    return 0


def _head(table: Table, rows: int) -> list[tuple[int, int, int, int, str]] | None:
    head = [c for c in table.cells if c.row < rows]
    if any(c.row + c.rowspan > rows for c in head) or not any(c.text for c in head):
        return None
    return sorted((c.row, c.column, c.rowspan, c.colspan, _squeeze(c.text)) for c in head)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def column_edges(cells: list[Cell], tolerance: float = 2.0) -> list[float]:
    """The distinct left and right edges of the cells' boxes."""
    edges = sorted(x for c in cells if c.bbox for x in (c.bbox[0], c.bbox[2]))
    out: list[float] = []
    for x in edges:
        if not out or x - out[-1] > tolerance:
            out.append(x)
    return out


def same_edges(a: list[float], b: list[float], tolerance: float = 2.0) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))
