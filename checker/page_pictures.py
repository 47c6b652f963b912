"""Small pictures of checked pages with each finding's cell outlined, for the HTML report.

For every page of a PDF or a scanned image that has a finding whose cell the checker knows
(:meth:`DocumentResult.box_of`), one grayscale JPEG about :data:`WIDTH` pixels wide is made
and kept as a ``data:`` URI, so the report stays one self-contained file that works offline.
The outlines are not drawn into the picture: :class:`Outline` gives each box in the picture's
pixels and the page draws them (an SVG over the picture, coloured by severity).

Privacy: ID and phone numbers are masked in every report unless ``--reveal``, and a picture
of the page must not give back what the text masks. So every cell whose schema format is
``id_number`` or ``phone`` and whose box the checker knows on that page is painted over
(:data:`REDACTED_GREY`) before the picture is encoded — the pixels are gone, not hidden by
the page's styles. A finding on such a cell keeps its outline, over the painted box. Names
and the rest of the page stay as submitted: a reviewer may see the documents they check.
A number the checker did not find a cell for (a scan's unreadable row) is not painted: the
pictures are kept small (:data:`WIDTH`) so that such text is barely legible anyway.

Frames: boxes are in points from the top-left of the page as displayed (PDF: rotation and crop
box applied, which is also how PDFium renders), and for a scanned page on the page turned
upright by ``DocumentResult.turns``. An image file is measured as the scan reader measures
it: one pixel is ``A4_SHORT_SIDE / min(width, height)`` points. The scan's deskew (a degree
or two) is not undone, as the checker does not keep it: an outline may then be off by a
fraction of a cell at the far edge of the page.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annexkit import ANNEXES
from annexkit.checker.discover import PackageSource
from annexkit.checker.report import Report, findings_with_entries, parse_pointer
from annexkit.checker.result import DocumentResult, PackageResult, PageBox
from annexkit.contract.schema import node_at

__all__ = [
    "HEIGHT",
    "MAX_BYTES",
    "QUALITY",
    "WIDTH",
    "Outline",
    "PagePicture",
    "Pictures",
    "collect",
    "personal_boxes",
    "picture_of",
]

PERSONAL_FORMATS = frozenset({"id_number", "phone"})
"""Schema formats the reports mask, so the pictures paint them over."""

WIDTH = 400
"""Width of a picture in pixels: enough to see which row and cell, small enough that a batch
report of 50 packages stays well under 2 MB."""
HEIGHT = 1200
"""Height limit in pixels, for a page far taller than wide (a long receipt-like scan)."""
QUALITY = 50
"""JPEG quality: grayscale form pages (black print on white) stay legible at 50."""
REDACTED_GREY = 128
"""Grey of a painted-over ID or phone number cell: plainly not part of the form."""
MAX_BYTES = 1_200_000
"""Budget for all pictures of one report (characters of their ``data:`` URIs); pages beyond
it get no picture and the report says how many (:attr:`Pictures.omitted`)."""

_PART = re.compile(r"#pages=(\d+)-(\d+)$")
_IMAGE_FORMATS = frozenset(("png", "jpg", "jpeg", "tif", "tiff"))
A4_SHORT_SIDE = 595.0
"""As in :mod:`annexkit.checker.readers.scan` (not imported: that module loads OpenCV's OCR
stack, which a PDF-only report does not need)."""


@dataclass(frozen=True)
class Outline:
    """A finding's cell on a picture, in the picture's pixels."""

    finding: int
    """Index of the finding in its package's ``findings`` of the report."""
    severity: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class PagePicture:
    """One page of one document, with the cells of its findings."""

    document: int
    """Index of the document in its package's ``documents`` of the report."""
    page: int
    """1-based page of the file (a part ``x.pdf#pages=3-5`` has pages 3 to 5)."""
    width: int
    height: int
    uri: str
    """``data:image/jpeg;base64,…``"""
    outlines: tuple[Outline, ...]


@dataclass
class Pictures:
    """The pictures of a report, by package index (the report's ``packages`` order)."""

    packages: dict[int, list[PagePicture]] = field(default_factory=dict)
    omitted: int = 0
    """Pages with outlined findings that got no picture because of the size budget."""
    failed: int = 0
    """Pages that could not be rendered (a file gone, damaged or refused on reopening)."""

    def of(self, package: int) -> list[PagePicture]:
        return self.packages.get(package, [])

    @property
    def size(self) -> int:
        """Characters of all ``data:`` URIs: what the pictures add to the page."""
        return sum(len(p.uri) for pictures in self.packages.values() for p in pictures)


# ---------------------------------------------------------------------------------- public


def collect(
    sources: Sequence[PackageSource],
    results: Sequence[PackageResult],
    report: Report,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    *,
    width: int = WIDTH,
    max_bytes: int = MAX_BYTES,
    reveal: bool = False,
) -> Pictures:
    """The page pictures for ``report``, built from ``results`` with the same ``select`` and
    ``ignore``; ``sources`` are the packages as found (``engine.find_packages``), in the same
    order, to reopen their files (a zip is unpacked again for the moment it is read).

    Raises ValueError when the three do not line up (other packages, or findings filtered
    differently): outlines would point at the wrong rows. A page that cannot be rendered is
    left out and counted in :attr:`Pictures.failed`, never an error: the report matters more.
    ID and phone number cells are painted over unless ``reveal`` (as the report was built).
    """
    if not (len(sources) == len(results) == len(report["packages"])):
        raise ValueError("sources, results and report must list the same packages")
    pictures = Pictures()
    budget = max_bytes
    for index, (source, result, package) in enumerate(
        zip(sources, results, report["packages"], strict=True)
    ):
        pages = _pages_to_draw(result, package["findings"], select, ignore)
        if not pages:
            continue
        if budget <= 0:
            pictures.omitted += len(pages)
            continue
        with source.open() as opened:
            readable = {display: path for path, display in opened.documents}
            for (doc_index, page), outlines in pages.items():
                if budget <= 0:
                    pictures.omitted += 1
                    continue
                document = result.documents[doc_index]
                path = readable.get(_file_of(document.path))
                drawn = None
                if path is not None:
                    try:
                        drawn = picture_of(
                            path, document, doc_index, page, outlines, width, reveal=reveal
                        )
                    except Exception:  # any failure: see the docstring, a picture is only an aid
                        drawn = None
                if drawn is None:
                    pictures.failed += 1
                    continue
                pictures.packages.setdefault(index, []).append(drawn)
                budget -= len(drawn.uri)
    return pictures


def picture_of(
    path: Path,
    document: DocumentResult,
    doc_index: int,
    page: int,
    boxes: Sequence[tuple[int, str, PageBox]],
    width: int = WIDTH,
    *,
    reveal: bool = False,
) -> PagePicture | None:
    """Page ``page`` of the file ``path`` (holding ``document``) as a picture with ``boxes``
    (finding index, severity, box) outlined, its ID and phone number cells painted over
    unless ``reveal``; None for a format that has no pages to show."""
    fmt = document.format.lower()
    turn = document.turns.get(page, 0) % 360
    if fmt == "pdf":
        image, scale = _pdf_page(path, page, turn, width)
    elif fmt in _IMAGE_FORMATS:
        image, scale = _image_page(path, page, turn, width)
    else:
        return None
    if not reveal:
        _paint_over(image, personal_boxes(document, page), scale)
    outlines = tuple(_outline(i, sev, box, scale, image.size) for i, sev, box in boxes)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY, optimize=True)
    uri = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return PagePicture(doc_index, page, image.size[0], image.size[1], uri, outlines)


def personal_boxes(document: DocumentResult, page: int) -> list[PageBox]:
    """The boxes on ``page`` of the values whose schema format is an ID or phone number."""
    if document.annex not in ANNEXES:
        return []
    return [
        box
        for pointer, box in document.boxes.items()
        if box.page == page and _is_personal(document.annex, pointer)
    ]


# ------------------------------------------------------------------------------- internals


def _is_personal(annex: str, pointer: str) -> bool:
    node = node_at(annex, parse_pointer(pointer))
    return isinstance(node, dict) and node.get("format") in PERSONAL_FORMATS


def _paint_over(image: Any, boxes: Sequence[PageBox], scale: float) -> None:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle(
            (box.x0 * scale, box.top * scale, box.x1 * scale, box.bottom * scale),
            fill=REDACTED_GREY,
        )


DrawList = dict[tuple[int, int], list[tuple[int, str, PageBox]]]


def _pages_to_draw(
    result: PackageResult,
    reported: Sequence[Mapping[str, Any]],
    select: set[str] | None,
    ignore: set[str] | None,
) -> DrawList:
    """(document index, page) → the boxes on it, for the package's findings that have one,
    in document and page order."""
    index_of = {id(d): i for i, d in enumerate(result.documents)}
    pages: DrawList = {}
    paired = findings_with_entries(result, reported, select, ignore)
    for number, (finding, document, entry) in enumerate(paired):
        if document is None or document.format.lower() not in ("pdf", *_IMAGE_FORMATS):
            continue
        page = finding.location.get("page")
        box = document.box_of(finding.path, page if isinstance(page, int) else None)
        if box is None or box.page < 1:
            continue
        key = (index_of[id(document)], box.page)
        pages.setdefault(key, []).append((number, str(entry["severity"]), box))
    return dict(sorted(pages.items()))


def _file_of(display: str) -> str:
    """The file a document is in: ``x.pdf`` for the part ``x.pdf#pages=3-5``."""
    return _PART.sub("", display)


def _fit(width_pt: float, height_pt: float, width: int) -> float:
    """Pixels per point for a page of this size: ``width`` wide, at most :data:`HEIGHT` high."""
    return min(width / max(width_pt, 1.0), HEIGHT / max(height_pt, 1.0))


def _pdf_page(path: Path, page: int, turn: int, width: int) -> tuple[Any, float]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = pdfium.PdfDocument(str(path))
    try:
        handle = pdf[page - 1]
        try:
            # get_size is the page as displayed (rotation and crop box applied), the frame
            # of the boxes; a quarter turn of a scan swaps the sides it is measured on.
            width_pt, height_pt = handle.get_size()
            if turn in (90, 270):
                width_pt, height_pt = height_pt, width_pt
            scale = _fit(width_pt, height_pt, width)
            image = handle.render(scale=scale, grayscale=True).to_pil().convert("L")
            # PDFium rounds the bitmap's size up: trim that pixel, so that the picture is
            # exactly the page at ``scale`` and the outlines fall where the boxes say.
            size = (round(width_pt * scale), round(height_pt * scale))
            if image.size[0] >= size[0] and image.size[1] >= size[1]:
                image = image.crop((0, 0, *size))
        finally:
            handle.close()
    finally:
        pdf.close()
    return _turned(image, turn), scale


def _image_page(path: Path, page: int, turn: int, width: int) -> tuple[Any, float]:
    from PIL import Image

    from annexkit.checker.readers.images import open_image

    # Decoded as the scan reader decoded it (OpenCV applies a JPEG's EXIF orientation,
    # Pillow alone would not), so that the boxes fall on the same pixels.
    found = open_image(path)
    frames: Iterator[Any] = found.pages()
    frame = None
    for number, candidate in enumerate(frames, 1):
        if number == page:
            frame = candidate
            break
    if frame is None:
        raise ValueError(f"{path.name} has no page {page}")
    pixels_high, pixels_wide = frame.shape[:2]
    points_per_pixel = A4_SHORT_SIDE / min(pixels_wide, pixels_high)
    image = _turned(Image.fromarray(frame[:, :, ::-1]).convert("L"), turn)
    scale = _fit(image.size[0] * points_per_pixel, image.size[1] * points_per_pixel, width)
    size = (
        max(1, round(image.size[0] * points_per_pixel * scale)),
        max(1, round(image.size[1] * points_per_pixel * scale)),
    )
    return image.resize(size, Image.Resampling.LANCZOS), scale


def _turned(image: Any, turn: int) -> Any:
    """``image`` turned ``turn`` degrees clockwise (Pillow's transpose names count
    counter-clockwise)."""
    from PIL import Image

    transposes = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }
    return image.transpose(transposes[turn]) if turn in transposes else image


_MIN_SIDE = 4.0
"""Outlines are at least this many pixels wide and high, so a hairline cell still shows."""


def _outline(
    finding: int, severity: str, box: PageBox, scale: float, size: tuple[int, int]
) -> Outline:
    x0, y0 = max(0.0, box.x0 * scale), max(0.0, box.top * scale)
    x1, y1 = min(float(size[0]), box.x1 * scale), min(float(size[1]), box.bottom * scale)
    w, h = max(_MIN_SIDE, x1 - x0), max(_MIN_SIDE, y1 - y0)
    return Outline(finding, severity, round(x0, 1), round(y0, 1), round(w, 1), round(h, 1))
