"""A searchable copy of a scanned document: the page images with an invisible text layer.

Reviewers can then search and copy the OCR text of a scanned annex in any PDF viewer. The
copy is written by hand (no PDF library writes fonts this way): each page is its image as
an XObject (a JPEG source is embedded as it is; other pages are JPEG-encoded) and the OCR
text is drawn over it in text render mode 3 (invisible) with a Type0 font, Identity-H
encoding and a ToUnicode CMap, so copied text is exactly the OCR text. No glyphs are
embedded: invisible text needs none. Each text run sits on its OCR box, scaled to the box's
width with ``Tz``.

The source is only read, never written; the output is refused when it exists unless
``force`` is given, and is written through a temporary file (no half-written copy).
"""

from __future__ import annotations

import math
import os
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np
import numpy.typing as npt

from annexkit.contract.files import new_file_mode

__all__ = [
    "IMAGE_SUFFIXES",
    "OcrText",
    "TextBoxLike",
    "write_searchable",
]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"})
_Image = npt.NDArray[np.uint8]


@runtime_checkable
class TextBoxLike(Protocol):
    """One OCR text run: its text, its box (x0, y0, x1, y1) in pixels of the page image the
    OCR read, and that image's size (width, height) in pixels."""

    @property
    def text(self) -> str: ...

    @property
    def box(self) -> tuple[float, float, float, float]: ...

    @property
    def page_size(self) -> tuple[float, float]: ...


@dataclass(frozen=True)
class OcrText:
    """A plain :class:`TextBoxLike`."""

    text: str
    box: tuple[float, float, float, float]
    page_size: tuple[float, float]


TextRun = TextBoxLike | tuple[str, Sequence[float], Sequence[float]]
"""A :class:`TextBoxLike`, or the tuple (text, box, page size)."""


@dataclass(frozen=True)
class _Page:
    image: bytes
    """JPEG data."""
    width_px: int
    height_px: int
    components: int
    width_pt: float
    height_pt: float


def write_searchable(
    source_pdf_or_images: Path,
    pages: Sequence[Sequence[TextRun]],
    out: Path,
    *,
    force: bool = False,
    dpi: float = 200.0,
    jpeg_quality: int = 80,
    turns: Sequence[int] = (),
) -> Path:
    """Write to ``out`` a copy of the scanned ``source_pdf_or_images`` (a PDF, an image — a
    TIFF may hold several pages — or a folder of page images in name order) with the OCR text
    of ``pages`` (one list of text runs per page, in page order) as an invisible text layer.

    PDF pages are rendered at the resolution the OCR boxes were measured at (their page
    size; ``dpi`` when a page has no text); an image page keeps its pixels, at ``dpi`` for
    its printed size. ``turns``: a clockwise quarter turn per page (0, 90, 180, 270) that
    shows it upright, the frame its text runs are given in: a page scanned sideways is written
    upright, so that its text runs across (viewers select and order text written down the
    page badly; PDFium drops some of it). Returns ``out``. Raises :class:`FileExistsError`
    when ``out`` exists and ``force`` is false, :class:`ValueError` when ``out`` is the source
    or ``pages`` has more pages than the source, :class:`FileNotFoundError` when the source
    is missing."""
    source, out = Path(source_pdf_or_images), Path(out)
    if not source.exists():
        raise FileNotFoundError(source)
    if out.exists() and out.resolve() == source.resolve():
        raise ValueError(f"the output would overwrite the source: {out}")
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use force to overwrite)")
    images = _source_pages(source, pages, dpi, jpeg_quality, turns)
    if len(pages) > len(images):
        raise ValueError(f"{len(pages)} pages of text for {len(images)} pages in {source}")
    data = _pdf(images, [list(pages[i]) if i < len(pages) else [] for i in range(len(images))])
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".searchable-", suffix=".pdf", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file 0600; every file annexkit writes gets the one mode.
        os.chmod(tmp, new_file_mode())
        if not force and out.exists():
            raise FileExistsError(f"{out} exists (use force to overwrite)")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _source_pages(
    source: Path,
    pages: Sequence[Sequence[TextRun]] = (),
    dpi: float = 200.0,
    jpeg_quality: int = 80,
    turns: Sequence[int] = (),
) -> list[_Page]:
    """The page images of ``source`` (PDF, image, or folder of images), each turned by its
    entry of ``turns``, JPEG-encoded."""
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        result: list[_Page] = []
        for file in files:
            result.extend(_image_pages(file, dpi, jpeg_quality, turns[len(result) :]))
        return result
    with source.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" in head:
        return _pdf_pages(source, pages, dpi, jpeg_quality, turns)
    return _image_pages(source, dpi, jpeg_quality, turns)


def _turn(turns: Sequence[int], index: int) -> int:
    return turns[index] % 360 if index < len(turns) else 0


def _turned(array: _Image, turn: int) -> _Image:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if turn not in codes:
        return array
    return np.ascontiguousarray(cv2.rotate(array, codes[turn]))


def _pdf_pages(
    source: Path,
    pages: Sequence[Sequence[TextRun]],
    dpi: float,
    quality: int,
    turns: Sequence[int] = (),
) -> list[_Page]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    result: list[_Page] = []
    document = pdfium.PdfDocument(source)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                width_pt, height_pt = page.get_size()
                turn = _turn(turns, index)
                if (page.get_rotation() + turn) % 180:
                    width_pt, height_pt = height_pt, width_pt
                runs = pages[index] if index < len(pages) else []
                scale = dpi / 72.0
                if runs:
                    ocr_width = _placed(runs[0])[2][0]  # of the page turned upright
                    if ocr_width > 0:
                        scale = ocr_width / width_pt
                bitmap = page.render(scale=scale)
                try:
                    array = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
                finally:
                    bitmap.close()
            finally:
                page.close()
            if array.ndim == 3 and array.shape[2] == 4:
                array = array[:, :, :3]
            result.append(_encode(_turned(array, turn), width_pt, height_pt, quality))
    finally:
        document.close()
    return result


def _image_pages(file: Path, dpi: float, quality: int, turns: Sequence[int] = ()) -> list[_Page]:
    data = file.read_bytes()
    buffer = np.frombuffer(data, dtype=np.uint8)
    if file.suffix.lower() in {".tif", ".tiff"}:
        ok, frames = cv2.imdecodemulti(buffer, cv2.IMREAD_COLOR)
        if not ok or not frames:
            raise ValueError(f"cannot read the image {file}")
        arrays = [np.asarray(frame, dtype=np.uint8) for frame in frames]
    else:
        decoded = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
        if decoded is None:
            raise ValueError(f"cannot read the image {file}")
        arrays = [np.asarray(decoded, dtype=np.uint8)]
    result = []
    for index, array in enumerate(arrays):
        turn = _turn(turns, index)
        array = _turned(array, turn)
        height, width = array.shape[:2]
        size = (width * 72.0 / dpi, height * 72.0 / dpi)
        jpeg = _plain_jpeg(data, width, height) if len(arrays) == 1 and not turn else None
        if jpeg is not None:
            result.append(_Page(data, width, height, jpeg, *size))
        else:
            result.append(_encode(array, *size, quality))
    return result


def _plain_jpeg(data: bytes, width: int, height: int) -> int | None:
    """The number of colour components when ``data`` is a JPEG that a PDF can embed as it
    is (grey or RGB, no EXIF that could rotate it, same size as decoded); else None."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker == 0xE1 and data[i + 4 : i + 8] == b"Exif":
            return None
        if marker in (0xC0, 0xC1, 0xC2):
            h = int.from_bytes(data[i + 5 : i + 7], "big")
            w = int.from_bytes(data[i + 7 : i + 9], "big")
            components = data[i + 9]
            if (w, h) == (width, height) and components in (1, 3):
                return int(components)
            return None
        if marker == 0xDA:
            return None
        i += 2 + length
    return None


def _encode(array: _Image, width_pt: float, height_pt: float, quality: int) -> _Page:
    if (
        array.ndim == 3
        and np.array_equal(array[:, :, 0], array[:, :, 1])
        and np.array_equal(array[:, :, 1], array[:, :, 2])
    ):
        array = np.ascontiguousarray(array[:, :, 0])
    ok, jpeg = cv2.imencode(".jpg", array, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("cannot encode the page image")
    height, width = array.shape[:2]
    components = 1 if array.ndim == 2 else 3
    return _Page(jpeg.tobytes(), width, height, components, width_pt, height_pt)


def _placed(run: TextRun) -> tuple[str, tuple[float, ...], tuple[float, float]]:
    """The run's text, its four corners (top-left, top-right, bottom-right, bottom-left as
    the text reads: a page scanned sideways has its text running down or up) and page size."""
    if isinstance(run, tuple):
        text, box, size = run
    else:
        text, box, size = run.text, run.box, run.page_size
    values = [float(v) for v in box]
    if len(values) == 4:
        x0, y0, x1, y1 = values
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        values = [x0, y0, x1, y0, x1, y1, x0, y1]
    if len(values) != 8:
        raise ValueError(f"a box is (x0, y0, x1, y1) or four corners, not {box!r}")
    return str(text), tuple(values), (float(size[0]), float(size[1]))


# --- the PDF -------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def reserve(self) -> int:
        self.objects.append(b"")
        return len(self.objects)

    def set(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def add(self, body: bytes) -> int:
        number = self.reserve()
        self.set(number, body)
        return number

    def stream(self, entries: bytes, data: bytes) -> int:
        return self.add(
            b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        )

    def serialise(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\n" % (
            len(self.objects) + 1,
            root,
            info,
        )
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


def _num(value: float) -> bytes:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()


def _utf16_hex(text: str) -> bytes:
    return text.encode("utf-16-be").hex().upper().encode()


def _pdf(images: list[_Page], texts: list[list[TextRun]]) -> bytes:
    writer = _Writer()
    catalog, pages_id, font, info = (writer.reserve() for _ in range(4))
    cids: dict[str, int] = {}  # character → CID (1, 2, …; 0 is .notdef)
    page_ids = []
    for image, runs in zip(images, texts, strict=True):
        colour = b"/DeviceGray" if image.components == 1 else b"/DeviceRGB"
        xobject = writer.stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
            b"/BitsPerComponent 8 /Filter /DCTDecode" % (image.width_px, image.height_px, colour),
            image.image,
        )
        content = _content(image, runs, cids)
        contents = writer.stream(b"/Filter /FlateDecode", zlib.compress(content))
        page_ids.append(
            writer.add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] "
                b"/Resources << /XObject << /Im0 %d 0 R >> /Font << /F0 %d 0 R >> >> "
                b"/Contents %d 0 R >>"
                % (
                    pages_id,
                    _num(image.width_pt),
                    _num(image.height_pt),
                    xobject,
                    font,
                    contents,
                )
            )
        )
    writer.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    writer.set(pages_id, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    _font(writer, font, cids)
    writer.set(
        info,
        b"<< /Producer <FEFF%s> /Creator <FEFF%s> >>"
        % (_utf16_hex("annexkit"), _utf16_hex("annexkit searchable copy (OCR text layer)")),
    )
    return writer.serialise(catalog, info)


def _content(image: _Page, runs: Iterable[TextRun], cids: dict[str, int]) -> bytes:
    parts = [
        b"q %s 0 0 %s 0 0 cm /Im0 Do Q" % (_num(image.width_pt), _num(image.height_pt)),
    ]
    texts = []
    for run in runs:
        text, corners, (width_px, height_px) = _placed(run)
        text = "".join(ch for ch in text if ch.isprintable() or ch == " ").strip()
        sx = image.width_pt / (width_px if width_px > 0 else image.width_px)
        sy = image.height_pt / (height_px if height_px > 0 else image.height_px)
        # Corners in PDF points (y up): the text runs from top-left to top-right.
        points = [(corners[i] * sx, image.height_pt - corners[i + 1] * sy) for i in range(0, 8, 2)]
        (ax, ay), (bx, by), _, (dx, dy) = points
        box_w = math.hypot(bx - ax, by - ay)
        box_h = math.hypot(ax - dx, ay - dy)
        if not text or box_w <= 0 or box_h <= 0:
            continue
        cos, sin = (bx - ax) / box_w, (by - ay) / box_w
        size = max(1.0, 0.9 * box_h)
        scale = 100.0 * box_w / (len(text) * size)  # every glyph is 1000 units wide
        # The baseline starts at the bottom-left corner, raised a little towards the top.
        ox, oy = dx + 0.15 * (ax - dx), dy + 0.15 * (ay - dy)
        codes = b"".join(b"%04X" % cids.setdefault(ch, len(cids) + 1) for ch in text)
        texts.append(
            b"/F0 %s Tf %s Tz %s %s %s %s %s %s Tm <%s> Tj"
            % (
                _num(size),
                _num(scale),
                _num(cos),
                _num(sin),
                _num(-sin),
                _num(cos),
                _num(ox),
                _num(oy),
                codes,
            )
        )
    if texts:
        parts.append(b"BT 3 Tr\n" + b"\n".join(texts) + b"\nET")
    return b"\n".join(parts) + b"\n"


def _font(writer: _Writer, font: int, cids: dict[str, int]) -> None:
    if len(cids) > 0xFFFE:
        raise ValueError("too many distinct characters for one font")
    descriptor = writer.add(
        b"<< /Type /FontDescriptor /FontName /AnnexkitInvisible /Flags 4 "
        b"/FontBBox [0 -150 1000 850] /ItalicAngle 0 /Ascent 850 /Descent -150 "
        b"/CapHeight 700 /StemV 80 >>"
    )
    cidfont = writer.add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /AnnexkitInvisible "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>" % descriptor
    )
    tounicode = writer.stream(b"/Filter /FlateDecode", zlib.compress(_cmap(cids)))
    writer.set(
        font,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /AnnexkitInvisible /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cidfont, tounicode),
    )


def _cmap(cids: dict[str, int]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <FFFF>",
        b"endcodespacerange",
    ]
    items = sorted(cids.items(), key=lambda item: item[1])
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines.extend(b"<%04X> <%s>" % (cid, _utf16_hex(ch)) for ch, cid in chunk)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines) + b"\n"
