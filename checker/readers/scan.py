"""Scanned pages → layout (engine ``ocr``): page images become tables and paragraphs.

A page is turned upright and deskewed (:mod:`.ocr`), read by OCR, its ruled tables found
(:mod:`.image_grid`) and the text placed into their cells; text outside tables becomes one
paragraph per line. Cell boxes are given in points (72 per inch) like the PDF reader's, so
that a table continued on the next page is joined the same way.

Signatures: when :mod:`.ink` is present, each cell's ink other than its text is measured and
put in ``Cell.ink`` (1.0 for a red stamp).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..layout import Block, Cell, Extraction, LayoutDocument, Paragraph, Table
from .errors import UnreadableDocument
from .image_grid import Grid, find_grids, line_text, lines_of, place
from .images import image_kind, read_image_pages
from .ink import cell_ink
from .ocr import DPI, Image, TextBox, ocr_page, upright
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
    cell_scores: list[tuple[Cell, float]] = field(default_factory=list)
    """Each non-empty cell with the lowest score of the text read into it."""
    turn: int = 0
    skew: float = 0.0

    @property
    def confidence(self) -> float:
        return self.score / self.characters if self.characters else 0.0


def scan_page(image: Image, number: int, points_per_pixel: float | None = None) -> ScannedPage:
    """One page image (BGR) as a page layout. ``points_per_pixel`` is 72/dpi when the
    resolution is known; otherwise the page is taken to be A4 wide."""
    if _blank(image):
        return ScannedPage(PageLayout(number, unreliable=True))
    image, turn, tilt = upright(image)
    height, width = image.shape[:2]
    if points_per_pixel is None:
        points_per_pixel = A4_SHORT_SIDE / min(width, height)
    boxes = ocr_page(image)
    page = ScannedPage(PageLayout(number, unreliable=not boxes), turn=turn, skew=tilt)
    page.characters = sum(len(b.text) for b in boxes)
    page.score = sum(b.score * len(b.text) for b in boxes)
    grey = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    grids = [g for g in find_grids(grey) if len(g.cells) > 1]
    free = place(grids, boxes)
    items: list[tuple[float, Block]] = []
    for grid in grids:
        table = _table(grid, number, points_per_pixel, image, page)
        items.append((float(grid.ys[0]), table))
    for line in lines_of(free):
        paragraph = Paragraph(line_text(line), 0, page=number)
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


def _table(
    grid: Grid,
    number: int,
    scale: float,
    image: Image,
    page: ScannedPage,
) -> Table:
    cells: list[Cell] = []
    for spot in grid.cells:
        text = "\n".join(line_text(line) for line in lines_of(spot.texts))
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
        printed = [t.box for t in spot.texts if any(word in t.text for word in _PRINTED)]
        cell.ink = _ink_share(image, spot.box, printed, 72.0 / scale if scale else None)
        if spot.texts:
            page.cell_scores.append((cell, min(t.score for t in spot.texts)))
        cells.append(cell)
    return Table(0, cells, page=number)


def _ink_share(
    image: Image,
    box: tuple[int, int, int, int],
    printed: list[tuple[int, int, int, int]],
    dpi: float | None,
) -> float | None:
    """1.0 for a signed or stamped cell, 0.0 for a blank one (``Cell.ink``), None when the
    detector failed: a failing signature detector must not make the page unreadable."""
    try:
        reading = cell_ink(image, box, printed, dpi=dpi)
    except Exception:
        return None
    return 1.0 if reading.signed else 0.0


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
    path: Path, display_name: str | None = None, deadline: float | None = None
) -> LayoutDocument:
    """An image file (JPEG, PNG, TIFF with one or more pages) read by OCR."""
    images = read_image_pages(path)
    with path.open("rb") as handle:
        kind = (image_kind(handle.read(4)) or "image").lower()
    pages: list[ScannedPage] = []
    for index, image in enumerate(images):
        check_deadline(deadline, index, len(images))
        pages.append(scan_page(image, index + 1))
    blocks: list[Block] = [b for p in pages for b in p.layout.blocks]
    furniture = {id(f) for p in pages for f in p.layout.furniture}
    return LayoutDocument(
        path=display_name or str(path),
        format=kind,
        blocks=stitch(blocks, continues(furniture)),
        pages=len(pages),
        extraction=Extraction("ocr", confidence(pages)),
        unreliable_pages=[p.layout.number for p in pages if p.layout.unreliable],
    )


def render_page(pdf: Any, index: int, dpi: int = DPI) -> Image:
    """Page ``index`` (0-based) of an open pypdfium2 document as a BGR image."""
    bitmap = pdf[index].render(scale=dpi / 72, rev_byteorder=False)
    array = np.asarray(bitmap.to_numpy())
    if array.ndim == 3 and array.shape[2] == 4:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    elif array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(array[:, :, :3], dtype=np.uint8)


def scan_pdf_page(pdf: Any, index: int, dpi: int = DPI) -> ScannedPage:
    """Page ``index`` (0-based) of a PDF with no usable text layer, rendered and read."""
    return scan_page(render_page(pdf, index, dpi), index + 1, 72 / dpi)


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
    "render_page",
    "scan_page",
    "scan_pdf_page",
]
