"""XLSX → layout: each visible, non-empty worksheet is one Table, trimmed to its used area.

Title rows: the leading rows that hold at most one value (培训台账, 培训项目主题：…, usually
merged across the sheet) become Paragraphs before the sheet's table, as the same form reads
from DOCX or PDF; the table starts at the first row holding two values or more. A sheet
where no row holds two values stays a table.

Values are shown as Excel shows them in the General format, not repaired: an ID number
typed as a number and stored as a float comes out as ``4.40703199001011e+17`` (15
significant digits), so that it is reported as damaged.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from ..layout import Block, Cell, Extraction, LayoutDocument, Paragraph, Table
from .errors import UnreadableDocument
from .limits import ReadLimits
from .limits import current as current_limits
from .stitch import renumber


def read_xlsx(
    path: Path, display_name: str | None = None, limits: ReadLimits | None = None
) -> LayoutDocument:
    """The workbook's visible sheets; refused unread (before openpyxl builds a cell object
    for each) when its sheets define more than ``limits.max_cells`` cells."""
    limits = limits or current_limits()
    count_cells(path, limits.max_cells)
    # A file object, not the path: openpyxl refuses names not ending in .xlsx, and the
    # format was decided by content. Its warnings (unsupported extensions) are not the
    # user's business.
    with path.open("rb") as handle, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(handle, read_only=False, data_only=True)
    try:
        blocks: list[Block] = []
        for sheet in workbook.worksheets:
            # Hidden sheets hold lookup lists for drop-downs, not the submitted form.
            if sheet.sheet_state == "visible":
                blocks += _sheet_blocks(sheet)
    finally:
        workbook.close()
    return LayoutDocument(
        path=display_name or str(path),
        format="xlsx",
        blocks=renumber(blocks),
        pages=None,
        extraction=Extraction("xlsx"),
    )


_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CHUNK = 1024 * 1024
_OVERLAP = 64


def count_cells(path: Path, limit: int) -> int:
    """Cells the workbook's XML defines (``<c>`` elements of every part under ``xl/``),
    counted while streaming the parts: nothing is parsed and memory stays at one chunk.
    Raises :class:`UnreadableDocument` as soon as the count passes ``limit``."""
    count = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename
            if not (name.startswith("xl/") and name.lower().endswith(".xml")):
                continue
            tail = b""
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    data = tail + chunk
                    # A match wholly inside the carried tail was counted with the last chunk.
                    count += sum(1 for m in _CELL.finditer(data) if m.end() > len(tail))
                    tail = data[-_OVERLAP:]
                    if count > limit:
                        raise UnreadableDocument(
                            f"Excel（XLSX）文件过大：单元格超过 {limit:,} 个"
                            "（--max-cells），未读取",
                            f"the Excel (XLSX) file defines more than {limit:,} cells "
                            "(--max-cells): not read",
                            "too-large",
                        )
    return count


def cell_text(value: Any) -> str:
    """A cell value as the General format shows it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits; an ID number stored as a float has lost the
        # rest, and the text says so (4.40703199001011e+17).
        return format(value, ".15g") if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    return str(value).strip()


def _sheet_blocks(sheet: Any) -> list[Block]:
    # ``_cells`` holds only the cells the file defines; iter_rows() would create every cell
    # of the dimension, which a stray format at row 1,048,576 makes enormous.
    values = {key: text for key, cell in sheet._cells.items() if (text := cell_text(cell.value))}
    if not values:
        return []
    spans = {
        (r.min_row, r.min_col): (r.max_row - r.min_row + 1, r.max_col - r.min_col + 1)
        for r in sheet.merged_cells.ranges
    }
    by_row: dict[int, list[int]] = {}
    for row, column in values:
        by_row.setdefault(row, []).append(column)
    last_row = max(row + spans.get((row, col), (1, 1))[0] - 1 for row, col in values)
    blocks: list[Block] = []
    first_row = min(by_row)
    if any(len(columns) >= 2 for columns in by_row.values()):
        while len(by_row.get(first_row, [])) <= 1:
            if first_row in by_row:
                blocks.append(Paragraph(values[first_row, by_row[first_row][0]], 0))
            first_row += 1
    blocks.append(_table(sheet.title, values, spans, first_row, last_row, _pictures(sheet)))
    return blocks


def _pictures(sheet: Any) -> set[tuple[int, int]]:
    """Cells (row, column, 1-based) where a picture is anchored: a signature or stamp image
    pasted onto the form."""
    found: set[tuple[int, int]] = set()
    for image in getattr(sheet, "_images", ()):
        start = getattr(getattr(image, "anchor", None), "_from", None)
        if start is not None:
            found.add((start.row + 1, start.col + 1))
    return found


def _table(
    title: str,
    values: dict[tuple[int, int], str],
    spans: dict[tuple[int, int], tuple[int, int]],
    first_row: int,
    last_row: int,
    pictures: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
) -> Table:
    inside = [(r, c) for r, c in values if r >= first_row]
    first_col = min(c for _, c in inside)
    last_col = max(c + spans.get((r, c), (1, 1))[1] - 1 for r, c in inside)
    covered: set[tuple[int, int]] = set()
    clipped: dict[tuple[int, int], tuple[int, int]] = {}
    for (row, col), (rowspan, colspan) in spans.items():
        if (
            row > last_row
            or col > last_col
            or row + rowspan <= first_row
            or col + colspan <= first_col
        ):
            continue
        top, left = max(row, first_row), max(col, first_col)
        bottom, right = min(row + rowspan - 1, last_row), min(col + colspan - 1, last_col)
        clipped[top, left] = (bottom - top + 1, right - left + 1)
        covered.update(
            (r, c)
            for r in range(top, bottom + 1)
            for c in range(left, right + 1)
            if (r, c) != (top, left)
        )
    cells = []
    for row in range(first_row, last_row + 1):
        for col in range(first_col, last_col + 1):
            if (row, col) in covered:
                continue
            rowspan, colspan = clipped.get((row, col), (1, 1))
            pictured = any(
                (r, c) in pictures
                for r in range(row, row + rowspan)
                for c in range(col, col + colspan)
            )
            cells.append(
                Cell(
                    text=values.get((row, col), ""),
                    row=row - first_row,
                    column=col - first_col,
                    rowspan=rowspan,
                    colspan=colspan,
                    ref=f"{get_column_letter(col)}{row}",
                    ink=1.0 if pictured else None,
                )
            )
    return Table(0, cells, sheet=title)
