"""Image files given directly (JPEG, PNG, TIFF — multi-page too) → pages as BGR arrays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .errors import UnreadableDocument
from .ocr import Image

MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG": "PNG",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}
MAX_PIXELS = 60_000_000
"""Per page: an A4 page at 600 dpi is 35 Mpx; beyond this is a decompression bomb."""
MAX_PAGES = 200


def image_kind(head: bytes) -> str | None:
    """``JPEG``, ``PNG`` or ``TIFF`` from a file's first bytes; None for anything else."""
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def read_image_pages(path: Path) -> list[Image]:
    """Every page of the image file (one for JPEG/PNG) as an 8-bit BGR array."""
    data = np.fromfile(str(path), dtype=np.uint8)
    kind = image_kind(bytes(data[:4]))
    pages: list[Image] = []
    if kind == "TIFF":
        ok, frames = cv2.imreadmulti(str(path), flags=cv2.IMREAD_COLOR)
        if ok:
            pages = [_eight_bit(f) for f in frames[:MAX_PAGES]]
    if not pages:
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
        if decoded is not None:
            pages = [_eight_bit(decoded)]
    if not pages:
        raise UnreadableDocument(
            f"图片文件（{kind or '未知'}）已损坏，无法解码",
            f"the image file ({kind or 'unknown'}) is corrupt and cannot be decoded",
            "corrupt",
        )
    for page in pages:
        if page.shape[0] * page.shape[1] > MAX_PIXELS:
            raise UnreadableDocument(
                "图片尺寸过大，已拒绝读取",
                f"the image is too large ({page.shape[1]}×{page.shape[0]} pixels): refused",
                "too-large",
            )
    return pages


def _eight_bit(frame: npt.NDArray[Any]) -> Image:
    if frame.dtype != np.uint8:
        top = float(frame.max()) or 1.0
        frame = (frame.astype(np.float32) * (255.0 / top)).astype(np.uint8)
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(frame, dtype=np.uint8)
