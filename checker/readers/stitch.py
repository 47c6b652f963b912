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
    """``part``'s rows below ``table``'s, without the header rows ``part`` repeats."""
    header = repeated_header(table, part)
    offset = table.n_rows - header
    for cell in part.cells:
        if cell.row >= header:
            cell.row += offset
            table.cells.append(cell)


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
