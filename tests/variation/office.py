"""Small helpers over python-docx and openpyxl, the tools institutions' forms are made with,
and the drawn marks (scribbled signatures, red seals) put into them as images."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XlImage
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tests.scans.build import draw_signature, draw_stamp

CENTER = WD_ALIGN_PARAGRAPH.CENTER


# ----------------------------------------------------------------------------- marks


def scribble_png(rng: random.Random, width: int = 180, height: int = 60) -> bytes:
    """A handwritten-looking signature as PNG bytes, transparent around the strokes."""
    image = np.full((height, width, 3), 255, dtype=np.uint8)
    draw_signature(image, (4, 4, width - 4, height - 4), rng, 200)
    return _ink_png(image)


def stamp_png(rng: random.Random, size: int = 220) -> bytes:
    """A red round company seal as PNG bytes, transparent around the ink."""
    image = np.full((size, size, 3), 255, dtype=np.uint8)
    draw_stamp(image, (size / 2, size / 2), size * 0.45, rng)
    return _ink_png(image)


def _ink_png(image: np.ndarray[Any, Any]) -> bytes:
    """Ink drawn on white, as PNG with the white made transparent: a pen or a seal on paper
    does not paint over the table's rulings or the printed text under it, and an opaque
    picture would (LibreOffice draws it over the cell borders it overlaps)."""
    ink = 255 - image.min(axis=2)
    alpha = np.clip(ink.astype(np.int32) * 4, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".png", np.dstack([image, alpha]))
    assert ok
    return bytes(data.tobytes())


# ------------------------------------------------------------------------------ DOCX


class Docx:
    """A Word document with a CJK body font, tables with ruling lines, merged cells and
    pictures in cells or after labels."""

    def __init__(self, *, landscape: bool = False, font: str = "宋体", size: float = 10.5) -> None:
        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), font)
        section = self.doc.sections[0]
        section.left_margin = section.right_margin = Cm(1.8)
        section.top_margin = section.bottom_margin = Cm(1.6)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width

    def para(
        self, text: str = "", *, size: float | None = None, bold: bool = False, center: bool = False
    ) -> Any:
        paragraph = self.doc.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
        if center:
            paragraph.alignment = CENTER
        return paragraph

    def title(self, text: str, size: float = 16) -> None:
        self.para(text, size=size, bold=True, center=True)

    def line(self, parts: list[Any], paragraph: Any = None) -> Any:
        """A paragraph of text runs and pictures (``("png", bytes, width_cm)``)."""
        paragraph = paragraph if paragraph is not None else self.doc.add_paragraph()
        for part in parts:
            if isinstance(part, tuple):
                paragraph.add_run().add_picture(io.BytesIO(part[1]), width=Cm(part[2]))
            else:
                paragraph.add_run(part)
        return paragraph

    def table(
        self,
        rows: int,
        cols: int,
        *,
        grid: bool = True,
        widths: list[float] | None = None,
        container: Any = None,
    ) -> Any:
        owner = container if container is not None else self.doc
        table = owner.add_table(rows=rows, cols=cols)
        if grid:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if widths:
            table.autofit = False
            for row in table.rows:
                for index, width in enumerate(widths):
                    row.cells[index].width = Cm(width)
        return table

    def save(self, path: Path) -> None:
        self.doc.save(str(path))


def put(cell: Any, content: Any, *, bold: bool = False, center: bool = False) -> None:
    """Text, or a list of text and pictures, into a table cell (replacing its first paragraph)."""
    paragraph = cell.paragraphs[0]
    parts = content if isinstance(content, list) else [content]
    for part in parts:
        if isinstance(part, tuple):
            paragraph.add_run().add_picture(io.BytesIO(part[1]), width=Cm(part[2]))
        elif part:
            lines = str(part).split("\n")
            for index, text in enumerate(lines):
                if index:
                    paragraph = cell.add_paragraph()
                run = paragraph.add_run(text)
                run.bold = bold
                if center:
                    paragraph.alignment = CENTER
    if center:
        paragraph.alignment = CENTER


def merge(table: Any, r1: int, c1: int, r2: int, c2: int, content: Any = "", **kw: Any) -> Any:
    cell = table.cell(r1, c1).merge(table.cell(r2, c2))
    if content:
        put(cell, content, **kw)
    return cell


def no_borders(table: Any) -> None:
    """A layout table: no ruling lines (side-by-side blocks, signature blocks)."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


# ------------------------------------------------------------------------------ XLSX

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class Sheet:
    """An Excel sheet filled like a form: bordered cells, merged titles, text-format IDs."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws

    def put(
        self,
        row: int,
        col: int,
        value: Any,
        *,
        bold: bool = False,
        box: bool = True,
        center: bool = True,
        size: float | None = None,
    ) -> None:
        cell = self.ws.cell(row=row, column=col, value=value)
        if isinstance(value, str):
            cell.number_format = "@"
        cell.alignment = Alignment(
            horizontal="center" if center else "left", vertical="center", wrap_text=True
        )
        if bold or size:
            cell.font = Font(bold=bold, size=size or 11)
        if box:
            cell.border = BOX

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any = None, **kw: Any) -> None:
        self.put(r1, c1, value, **kw)
        if kw.get("box", True):
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self.ws.cell(row=r, column=c).border = BOX
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    def image(self, row: int, col: int, png: bytes, height_px: int = 22) -> None:
        picture = XlImage(io.BytesIO(png))
        ratio = height_px / picture.height
        picture.height, picture.width = height_px, int(picture.width * ratio)
        self.ws.add_image(picture, f"{get_column_letter(col)}{row}")

    def widths(self, widths: list[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def setup(self, *, landscape: bool = False) -> None:
        """Fit to the page width when printed (LibreOffice's PDF export follows it)."""
        self.ws.page_setup.orientation = "landscape" if landscape else "portrait"
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        properties = self.ws.sheet_properties.pageSetUpPr
        if properties is not None:
            properties.fitToPage = True
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0


def workbook() -> tuple[Workbook, Sheet]:
    book = Workbook()
    ws = book.active
    assert ws is not None
    return book, Sheet(ws)
