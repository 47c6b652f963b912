"""Image files given directly (JPEG, PNG, TIFF — multi-page too) → pages as BGR arrays.

Sizes are judged before anything is decoded: Pillow reads the header of each frame (for a
TIFF, the directory chain, one directory per page) without decoding pixels, so a 389 KB PNG
declaring 20,000×20,000 pixels is refused at its header, and a TIFF of 400 pages is decoded
one page at a time (OpenCV, page by page), the pages after the limit never at all.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .errors import UnreadableDocument
from .limits import DEFAULT_MAX_PAGES, DEFAULT_MAX_PIXELS, ReadLimits, current, megapixels
from .ocr import Image

MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG": "PNG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}
MAX_PIXELS = DEFAULT_MAX_PIXELS
"""Per page, by default (``--max-megapixels``): an A4 page at 600 dpi is 35 Mpx."""
MAX_PAGES = DEFAULT_MAX_PAGES
"""Pages read from one file, by default (``--max-pages``)."""
MAX_COUNTED_PAGES = 10_000
"""TIFF directories counted to say how many pages were skipped; beyond, "more than"."""


def image_kind(head: bytes) -> str | None:
    """``JPEG``, ``PNG`` or ``TIFF`` from a file's first bytes; None for anything else."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


@dataclass
class ImageFile:
    """An image file whose headers have been read and judged; nothing decoded yet."""

    path: Path
    kind: str
    """``JPEG``, ``PNG`` or ``TIFF``."""
    sizes: list[tuple[int, int]] = field(default_factory=list)
    """(width, height) of each page that will be read, in order."""
    total: int = 1
    """Pages in the file (for a TIFF with more than :data:`MAX_COUNTED_PAGES`, that many)."""
    more: bool = False
    """The file has more than ``total`` pages (counting stopped)."""

    @property
    def skipped(self) -> int:
        """Pages in the file not read because of the page limit."""
        return self.total - len(self.sizes)

    def pages(self) -> Iterator[Image]:
        """The pages as 8-bit BGR arrays, decoded one at a time as they are asked for."""
        if self.kind != "TIFF":
            yield _decoded(_imdecode(self.path), self.kind)
            return
        for index in range(len(self.sizes)):
            ok, frames = cv2.imreadmulti(str(self.path), index, 1, flags=cv2.IMREAD_COLOR)
            frame = frames[0] if ok and frames else None
            if frame is None and index == 0:
                frame = _imdecode(self.path)  # a TIFF OpenCV reads only as a single image
            yield _decoded(frame, self.kind, index + 1)


def open_image(path: Path, limits: ReadLimits | None = None) -> ImageFile:
    """The file's pages judged from their headers: raises :class:`UnreadableDocument` for a
    corrupt header or a page over the pixel limit; pages over the page limit are left out
    (:attr:`ImageFile.skipped`)."""
    limits = limits or current()
    from PIL import Image as PILImage

    with path.open("rb") as handle:
        kind = image_kind(handle.read(4)) or "image"
    saved = PILImage.MAX_IMAGE_PIXELS
    try:
        # Pillow's own bomb check raises with the size unknown to us; ours names it.
        PILImage.MAX_IMAGE_PIXELS = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with PILImage.open(path) as image:
                found = ImageFile(path, kind, [image.size])
                if kind == "TIFF":
                    _tiff_pages(image, found, limits.max_pages)
    except UnreadableDocument:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError) as exc:
        raise corrupt(kind, exc) from exc
    finally:
        PILImage.MAX_IMAGE_PIXELS = saved
    for number, (width, height) in enumerate(found.sizes, 1):
        if width <= 0 or height <= 0:
            raise corrupt(kind, ValueError(f"page {number} is {width}×{height} pixels"))
        if width * height > limits.max_pixels:
            where = f"第{number}页" if len(found.sizes) > 1 else ""
            where_en = f"page {number} is " if len(found.sizes) > 1 else ""
            raise UnreadableDocument(
                f"图片尺寸过大（{where}{width}×{height} 像素，{megapixels(width * height)}，"
                f"上限 {megapixels(limits.max_pixels)}），未解码",
                f"the image is too large ({where_en}{width}×{height} pixels, "
                f"{megapixels(width * height)}; limit {megapixels(limits.max_pixels)}): "
                "not decoded",
                "too-large",
            )
    return found


def _tiff_pages(image: Any, found: ImageFile, max_pages: int) -> None:
    """Every page's size up to the page limit, and how many pages there are in all: the
    directory chain is walked (headers only) and counting stops at
    :data:`MAX_COUNTED_PAGES`."""
    index = 1
    while index < MAX_COUNTED_PAGES:
        try:
            image.seek(index)
        except EOFError:
            break
        if index < max_pages:
            found.sizes.append(image.size)
        index += 1
    else:
        found.more = True
    found.total = index
    del found.sizes[max_pages:]


def corrupt(kind: str, exc: BaseException | None = None) -> UnreadableDocument:
    detail = f" ({' '.join(str(exc).split())[:200]})" if exc is not None and str(exc) else ""
    return UnreadableDocument(
        f"图片文件（{kind}）已损坏，无法解码",
        f"the image file ({kind}) is corrupt and cannot be decoded{detail}",
        "corrupt",
    )


def read_image_pages(path: Path, limits: ReadLimits | None = None) -> list[Image]:
    """Every page of the image file read under the limits (one for JPEG/PNG), decoded."""
    return list(open_image(path, limits).pages())


def _imdecode(path: Path) -> npt.NDArray[Any] | None:
    data = np.fromfile(str(path), dtype=np.uint8)
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return None if decoded is None else np.asarray(decoded)


def _decoded(frame: npt.NDArray[Any] | None, kind: str, number: int = 1) -> Image:
    if frame is None or frame.size == 0:
        where = f"（第{number}页）" if number > 1 else ""
        raise UnreadableDocument(
            f"图片文件（{kind}）已损坏，无法解码{where}",
            f"the image file ({kind}) is corrupt and cannot be decoded"
            + (f" (page {number})" if number > 1 else ""),
            "corrupt",
        )
    return _eight_bit(frame)


def _eight_bit(frame: npt.NDArray[Any]) -> Image:
    if frame.dtype != np.uint8:
        top = float(frame.max()) or 1.0
        # Straight to 8 bits: no float copy of a large page.
        frame = cv2.convertScaleAbs(frame, alpha=255.0 / top)
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(frame, dtype=np.uint8)
