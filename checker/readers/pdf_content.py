"""One PDF page through pypdfium2 → glyphs with boxes and rulings (:class:`PageContent`).

This is the only module that talks to PDFium about page content. It uses the raw API in
plain loops: pdfplumber builds the same facts through pdfminer at 20–30× the cost, and the
checker must stay within 15× of ``pdftotext`` per page (see benchmarks/bench_readers.py).
PDFium already drops a text object drawn twice at almost the same place (fake bold); what
it lets through is removed when lines are built (:mod:`.textlines`).
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from .geometry import Box, Glyph, PageContent, Segment

Matrix = tuple[float, float, float, float, float, float]
"""(a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f."""
Point = tuple[float, float]

THIN = 3.0
"""A path whose box is at most this thick (pt) is a ruling: table borders are stroked lines
or thin filled rectangles."""
_MIN_LENGTH = 2.0
_SCALE = 100
"""``FPDF_PageToDevice`` returns whole device pixels: map at 100 px/pt for 0.01 pt."""
_MAX_FORM_DEPTH = 8
_MAX_SEGMENTS = 10_000
"""Segments read from one path: a border never has more; a hatched drawing may."""


def read_page(pdf: Any, index: int) -> PageContent:
    """Page ``index`` (0-based) of an open ``pdfium.PdfDocument``."""
    page = pdf[index]
    try:
        to_page, width, height = _display_transform(page)
        textpage = page.get_textpage()
        try:
            glyphs, damaged = _glyphs(textpage, to_page)
        finally:
            textpage.close()
        collector = _PageObjects(to_page)
        collector.walk(page.raw)
        return PageContent(
            number=index + 1,
            width=width,
            height=height,
            glyphs=glyphs,
            horizontals=collector.horizontals,
            verticals=collector.verticals,
            damaged=damaged,
            image_share=min(collector.image_area / max(width * height, 1.0), 1.0),
            ink=collector.ink,
        )
    finally:
        page.close()


def _display_transform(page: Any) -> tuple[Matrix, float, float]:
    """PDF user space → top-left display coordinates, from PDFium itself so that rotation
    and an offset crop box are handled as a viewer handles them."""
    width, height = page.get_size()
    size_x, size_y = round(width * _SCALE), round(height * _SCALE)
    dx, dy = ctypes.c_int(), ctypes.c_int()

    def device(x: float, y: float) -> tuple[float, float]:
        pdfium_c.FPDF_PageToDevice(
            page.raw, 0, 0, size_x, size_y, 0, x, y, ctypes.byref(dx), ctypes.byref(dy)
        )
        return dx.value / _SCALE, dy.value / _SCALE

    ox, oy = device(0.0, 0.0)
    ax, ay = device(1000.0, 0.0)
    bx, by = device(0.0, 1000.0)
    matrix = ((ax - ox) / 1000, (ay - oy) / 1000, (bx - ox) / 1000, (by - oy) / 1000, ox, oy)
    return matrix, float(width), float(height)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """``inner`` then ``outer``."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _box(m: Matrix, left: float, bottom: float, right: float, top: float) -> Box:
    """An axis-aligned box through ``m``: (x0, top, x1, bottom) in display coordinates."""
    xs_ys = [
        _apply(m, x, y) for x, y in ((left, bottom), (right, top), (left, top), (right, bottom))
    ]
    xs = [p[0] for p in xs_ys]
    ys = [p[1] for p in xs_ys]
    return min(xs), min(ys), max(xs), max(ys)


def _glyphs(textpage: Any, m: Matrix) -> tuple[list[Glyph], int]:
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return [], 0
    text = textpage.get_text_range()
    if len(text) != count:
        # Characters outside the BMP (rare Han in names) make the UTF-16 text longer than the
        # char list; ask per char then.
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 0xFFFD) for i in range(count))
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    upright = m[1] == 0 and m[2] == 0
    a, d, e, f = m[0], m[3], m[4], m[5]
    glyphs: list[Glyph] = []
    damaged = 0
    for i, char in enumerate(text):
        # Spaces are not kept: PDFium invents some and omits others, so word gaps are
        # measured from the boxes when lines are built.
        if char <= " " or char.isspace() or not loose_box(raw, i, rect_ref):
            continue
        if upright:
            x0, x1 = a * rect.left + e, a * rect.right + e
            y0, y1 = d * rect.top + f, d * rect.bottom + f
            box = (x0, y0, x1, y1) if a > 0 and d < 0 else _ordered(x0, y0, x1, y1)
        else:
            box = _box(m, rect.left, rect.bottom, rect.right, rect.top)
        glyphs.append(Glyph(char, *box))
        if char == "\ufffd" or "\ue000" <= char <= "\uf8ff" or map_error(raw, i):
            damaged += 1
    return glyphs, damaged


def _ordered(x0: float, y0: float, x1: float, y1: float) -> Box:
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class _PageObjects:
    """Rulings, ink and image cover from the page's objects, form XObjects included."""

    def __init__(self, to_page: Matrix) -> None:
        self.to_page = to_page
        self.horizontals: list[Segment] = []
        self.verticals: list[Segment] = []
        self.ink: list[Box] = []
        self.image_area = 0.0
        self._l, self._b = ctypes.c_float(), ctypes.c_float()
        self._r, self._t = ctypes.c_float(), ctypes.c_float()

    def walk(self, page_raw: Any) -> None:
        count = pdfium_c.FPDFPage_CountObjects(page_raw)
        self._objects(
            [pdfium_c.FPDFPage_GetObject(page_raw, i) for i in range(count)], self.to_page, 0
        )

    def _objects(self, objects: list[Any], m: Matrix, depth: int) -> None:
        for obj in objects:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self._path(obj, m)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                box = self._bounds(obj, m)
                if box is not None:
                    self.image_area += (box[2] - box[0]) * (box[3] - box[1])
                    self.ink.append(box)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                # Objects inside a form XObject are in the form's space.
                inner = _compose(_matrix(obj), m)
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                children = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(count)]
                self._objects(children, inner, depth + 1)

    def _bounds(self, obj: Any, m: Matrix) -> Box | None:
        left, bottom, right, top = self._l, self._b, self._r, self._t
        byref = ctypes.byref
        if not pdfium_c.FPDFPageObj_GetBounds(
            obj, byref(left), byref(bottom), byref(right), byref(top)
        ):
            return None
        return _box(m, left.value, bottom.value, right.value, top.value)

    def _path(self, obj: Any, m: Matrix) -> None:
        box = self._bounds(obj, m)
        if box is None:
            return
        x0, top, x1, bottom = box
        width, height = x1 - x0, bottom - top
        if height <= THIN and width >= _MIN_LENGTH:
            self.horizontals.append(Segment((top + bottom) / 2, x0, x1))
        elif width <= THIN and height >= _MIN_LENGTH:
            self.verticals.append(Segment((x0 + x1) / 2, top, bottom))
        elif width > THIN and height > THIN:
            lines, drawing = _lines(obj, _compose(_matrix(obj), m))
            if drawing:
                # Curves or slanted strokes: a signature, a seal, a tick — ink, not a ruling.
                self.ink.append(box)
            elif _stroked(obj):
                # A stroked rectangle or polyline (borders drawn as one path); filled-only
                # rectangles are shading or backgrounds, whose edges are not rulings.
                for p, q in lines:
                    self._line(p, q)

    def _line(self, p: Point, q: Point) -> None:
        (px, py), (qx, qy) = p, q
        if abs(py - qy) <= 0.5 and abs(px - qx) >= _MIN_LENGTH:
            self.horizontals.append(Segment((py + qy) / 2, min(px, qx), max(px, qx)))
        elif abs(px - qx) <= 0.5 and abs(py - qy) >= _MIN_LENGTH:
            self.verticals.append(Segment((px + qx) / 2, min(py, qy), max(py, qy)))


def _lines(obj: Any, m: Matrix) -> tuple[list[tuple[Point, Point]], bool]:
    """The path's straight segments, and whether it also has curves or slanted segments."""
    x, y = ctypes.c_float(), ctypes.c_float()
    start: Point | None = None
    previous: Point | None = None
    lines: list[tuple[Point, Point]] = []
    drawing = False
    for i in range(min(pdfium_c.FPDFPath_CountSegments(obj), _MAX_SEGMENTS)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = _apply(m, x.value, y.value)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or previous is None:
            start = point
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            lines.append((previous, point))
        else:
            drawing = True
        previous = point
        if start is not None and pdfium_c.FPDFPathSegment_GetClose(segment):
            lines.append((point, start))
            previous = start
    drawing = drawing or any(abs(p[0] - q[0]) > 0.5 and abs(p[1] - q[1]) > 0.5 for p, q in lines)
    return lines, drawing


def _matrix(obj: Any) -> Matrix:
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(matrix)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)


def _stroked(obj: Any) -> bool:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke)):
        return False
    return bool(stroke.value)


def open_pdf(path: str) -> Any:
    """An open ``pdfium.PdfDocument`` (raises ``pdfium.PdfiumError``)."""
    return pdfium.PdfDocument(path)


PdfiumError = pdfium.PdfiumError
ERR_PASSWORD = pdfium_c.FPDF_ERR_PASSWORD
ERR_SECURITY = pdfium_c.FPDF_ERR_SECURITY
