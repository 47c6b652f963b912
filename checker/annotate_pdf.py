"""Highlights and notes in a copy of a PDF (``annex check --annotate``).

A finding with a cell becomes a ``/Highlight`` annotation whose ``/QuadPoints`` cover the
cell; one with only a page becomes a ``/Text`` note at the page's top-left margin. Both carry
the note as ``/Contents``, ``annexkit`` as ``/T``, the code as ``/Subj`` and a colour by
severity, and a highlight has its own appearance stream (a multiplied fill, so the text under
it stays legible) so that viewers that do not draw annotations themselves show it too.

Boxes come in the checker's frame: points from the top-left of the page as displayed, and
for a scanned page the page turned upright as OCR read it. They are taken back to PDF user
space through the scan's turn and then through PDFium's own page-to-display transform (the
one the reader used: ``/Rotate``, the crop box and its offset), so both directions agree by
construction. A scan's deskew (a degree or two) is not undone: the checker does not keep it,
and the highlight is then off by a fraction of a cell at the far edge of the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pikepdf

from annexkit.checker.annotate import AUTHOR, Mark
from annexkit.checker.readers.pdf_content import Matrix, _display_transform, open_pdf

Point = tuple[float, float]

COLOURS: dict[str, tuple[float, float, float]] = {
    "error": (1.0, 0.45, 0.45),
    "warning": (1.0, 0.82, 0.2),
    "info": (0.55, 0.75, 1.0),
}
"""Highlight colour by severity: light enough that black text under a multiplied fill stays
readable."""

NOTE_SIZE = 20.0
NOTE_MARGIN = 12.0
"""A note without a cell sits this far (points) from the displayed page's top-left corner;
several on one page go side by side."""

_PRINT = 4
"""Annotation flag: print the annotation with the page."""


class PageFrame:
    """One page's way from the checker's frame back to PDF user space."""

    def __init__(self, to_display: Matrix, width: float, height: float) -> None:
        a, b, c, d, e, f = to_display
        det = a * d - b * c
        if abs(det) < 1e-12:
            raise ValueError("the page's display transform cannot be inverted")
        self._inverse = (d / det, -b / det, -c / det, a / det, e, f)
        self.width = width
        """The page's size as displayed (rotation and crop box applied), in points."""
        self.height = height

    def to_user(self, x: float, y: float, turn: int = 0) -> Point:
        """A point of the checker's frame (of a page shown turned by ``turn`` clockwise)."""
        x, y = self.unturn(x, y, turn)
        ia, ib, ic, id_, e, f = self._inverse
        x, y = x - e, y - f
        return ia * x + ic * y, ib * x + id_ * y

    def unturn(self, x: float, y: float, turn: int) -> Point:
        """Undo a clockwise quarter turn of the displayed page (``width`` × ``height``): the
        turned page is ``height`` wide for 90 and 270."""
        turn %= 360
        if turn == 90:
            return y, self.height - x
        if turn == 180:
            return self.width - x, self.height - y
        if turn == 270:
            return self.width - y, x
        return x, y


def page_frames(path: Path, pages: Sequence[int]) -> dict[int, PageFrame]:
    """The frames of ``pages`` (1-based) of the PDF at ``path``, as PDFium displays them."""
    pdf = open_pdf(str(path))
    try:
        frames: dict[int, PageFrame] = {}
        for number in sorted(set(pages)):
            page = pdf[number - 1]
            try:
                frames[number] = PageFrame(*_display_transform(page))
            finally:
                page.close()
        return frames
    finally:
        pdf.close()


def annotate_pdf(source: Path, target: Path, marks: Sequence[Mark]) -> None:
    """Write to ``target`` a copy of ``source`` with an annotation per mark. ``source`` is
    only read; ``target`` is written over (the caller has claimed the name)."""
    with pikepdf.open(source) as pdf:
        count = len(pdf.pages)
        placed = [(m, min(max(m.page, 1), count)) for m in marks]
        frames = page_frames(source, [page for _, page in placed])
        stamp = _pdf_date(dt.datetime.now(dt.UTC))
        notes: dict[int, int] = {}
        for index, (mark, page_number) in enumerate(placed, 1):
            page = pdf.pages[page_number - 1]
            frame = frames[page_number]
            if mark.box is not None and mark.box.page == page_number:
                annotation = _highlight(pdf, mark, frame)
            else:
                slot = notes.get(page_number, 0)
                notes[page_number] = slot + 1
                annotation = _note(mark, frame, slot)
            annotation.update(
                {
                    "/Type": pikepdf.Name.Annot,
                    "/Contents": pikepdf.String(mark.text),
                    "/T": pikepdf.String(AUTHOR),
                    "/Subj": pikepdf.String(mark.code),
                    "/NM": pikepdf.String(f"annexkit-{index}"),
                    "/M": pikepdf.String(stamp),
                    "/CreationDate": pikepdf.String(stamp),
                    "/C": pikepdf.Array(COLOURS.get(mark.severity, COLOURS["warning"])),
                    "/F": _PRINT,
                    "/P": page.obj,
                }
            )
            if "/Annots" not in page.obj:
                page.obj.Annots = pdf.make_indirect(pikepdf.Array())
            page.obj.Annots.append(pdf.make_indirect(annotation))
        pdf.save(target)


def _highlight(pdf: pikepdf.Pdf, mark: Mark, frame: PageFrame) -> pikepdf.Dictionary:
    assert mark.box is not None
    box = mark.box
    # QuadPoints in the order viewers expect: top-left, top-right, bottom-left, bottom-right
    # of the text as read, so on a rotated page the corners follow the displayed page.
    corners = [
        frame.to_user(x, y, mark.turn)
        for x, y in (
            (box.x0, box.top),
            (box.x1, box.top),
            (box.x0, box.bottom),
            (box.x1, box.bottom),
        )
    ]
    rect = _bounds(corners)
    return pikepdf.Dictionary(
        {
            "/Subtype": pikepdf.Name.Highlight,
            "/Rect": pikepdf.Array(rect),
            "/QuadPoints": pikepdf.Array([v for point in corners for v in point]),
            "/AP": pikepdf.Dictionary({"/N": _appearance(pdf, corners, rect, mark.severity)}),
        }
    )


def _appearance(
    pdf: pikepdf.Pdf, corners: list[Point], rect: list[float], severity: str
) -> pikepdf.Stream:
    """The highlight drawn: the quadrilateral filled with the severity's colour, multiplied
    onto the page. The form's BBox is the Rect, so its space is user space."""
    r, g, b = COLOURS.get(severity, COLOURS["warning"])
    tl, tr, bl, br = corners
    path = " ".join(
        f"{x:.2f} {y:.2f} {op}" for (x, y), op in ((tl, "m"), (tr, "l"), (br, "l"), (bl, "l"))
    )
    content = f"/GS0 gs {r:.3f} {g:.3f} {b:.3f} rg {path} h f\n".encode("ascii")
    stream = pikepdf.Stream(pdf, content)
    stream.update(
        {
            "/Type": pikepdf.Name.XObject,
            "/Subtype": pikepdf.Name.Form,
            "/BBox": pikepdf.Array(rect),
            "/Resources": pikepdf.Dictionary(
                {
                    "/ExtGState": pikepdf.Dictionary(
                        {"/GS0": pikepdf.Dictionary({"/BM": pikepdf.Name.Multiply})}
                    )
                }
            ),
        }
    )
    return stream


def _note(mark: Mark, frame: PageFrame, slot: int) -> pikepdf.Dictionary:
    """A note icon at the displayed page's top-left margin (the ``slot``-th on the page goes
    right of the ones before), whatever the page's rotation."""
    x0 = NOTE_MARGIN + slot * (NOTE_SIZE + 4)
    corners = [
        frame.to_user(x, y)
        for x in (x0, x0 + NOTE_SIZE)
        for y in (NOTE_MARGIN, NOTE_MARGIN + NOTE_SIZE)
    ]
    return pikepdf.Dictionary(
        {
            "/Subtype": pikepdf.Name.Text,
            "/Rect": pikepdf.Array(_bounds(corners)),
            "/Name": pikepdf.Name.Comment,
            "/Open": False,
        }
    )


def _bounds(points: Sequence[Point]) -> list[float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]


def _pdf_date(when: dt.datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%SZ")
