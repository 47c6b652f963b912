"""Text recognition on page images: one RapidOCR engine per process, page orientation and skew.

RapidOCR ships its Chinese detection, recognition and direction models inside its wheel; the
engine is built from those files by path so that it can never reach for the network. When a
model file is missing the document is unreadable (``ocr-unavailable``), never downloaded.

Boxes are axis-aligned pixel boxes ``(x0, y0, x1, y1)`` on the image given (after
:func:`upright` when the caller used it). Nothing here knows what the text means.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .errors import UnreadableDocument

Image = npt.NDArray[np.uint8]
"""A page: BGR (H×W×3) or grey (H×W), 8 bit."""
Box = tuple[int, int, int, int]

DPI = 200
"""PDF pages are rendered at this resolution. Measured on a generated sign-in sheet (1 core,
CPU time per page incl. orientation): 150 dpi 8.1 s, 200 dpi 8.4 s, 300 dpi 7.5 s, all
reading the same 105 cells (mean score .9995/.9984/.9968): detection is capped at
DET_SIDE pixels and recognition reads 48-pixel-high line crops, so resolution barely moves
the cost. 200 dpi keeps a margin over 150 for small digits on poor scans at half the
memory of 300."""

MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
SKEW_SIDE = 1400
"""Skew is measured on the page scaled down to this longer side."""
MAX_SKEW = 5.0
"""Degrees: more than this is not skew but a photograph we do not straighten."""
MIN_SKEW = 0.15
DET_SIDE = 2000
"""Text detection runs on the page scaled down to this longer side (recognition still reads
the full-resolution crops)."""
THREADS_NOTE = "ANNEXKIT_OCR_THREADS"
"""Environment variable: onnxruntime threads per engine (default 1: batches run one process
per core)."""
ORIENTATION_SIDE = 1100
"""Orientation is judged on the page scaled down to this longer side (cheap)."""

_lock = threading.Lock()


@dataclass(frozen=True)
class TextBox:
    text: str
    box: Box
    """(x0, y0, x1, y1) in pixels of the image read."""
    score: float

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def model_dir() -> Path:
    spec = find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise _unavailable("the rapidocr package is not installed")
    return Path(spec.origin).parent / "models"


@lru_cache(maxsize=1)
def engine() -> Any:
    """The process's RapidOCR engine, built on first use from the models in the wheel."""
    root = model_dir()
    missing = [name for name in MODELS.values() if not (root / name).is_file()]
    if missing:
        raise _unavailable(f"model files missing from {root}: {', '.join(missing)}")
    from rapidocr import RapidOCR

    params: dict[str, Any] = {f"{task}.model_path": str(root / f) for task, f in MODELS.items()}
    params["Global.log_level"] = "warning"
    params["Global.max_side_len"] = DET_SIDE
    threads = int(os.environ.get("ANNEXKIT_OCR_THREADS", "1"))
    params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    try:
        return RapidOCR(params=params)
    except Exception as exc:  # the engine raises whatever onnxruntime raises
        raise _unavailable(f"{type(exc).__name__}: {exc}") from exc


def _unavailable(detail: str) -> UnreadableDocument:
    return UnreadableDocument(
        "文字识别（OCR）引擎不可用，无法读取扫描件",
        f"the OCR engine is unavailable, so scans cannot be read ({detail})",
        "ocr-unavailable",
    )


def _bgr(image: Image) -> Image:
    if image.ndim == 2:
        return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    if image.shape[2] == 4:
        return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR))
    return np.ascontiguousarray(image)


def _run(image: Image, **flags: bool) -> Any:
    eng = engine()
    with _lock:  # one engine, one caller at a time (onnxruntime sessions are shared)
        return eng(_bgr(image), **flags)


def ocr_page(image: Image) -> list[TextBox]:
    """Every line of text on ``image`` with its box and recognition score (0–1)."""
    result = _run(image, use_det=True, use_cls=False, use_rec=True)
    if result.boxes is None or result.txts is None:
        return []
    out: list[TextBox] = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        if not str(text).strip():
            continue
        box = (int(min(xs)), int(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))
        out.append(TextBox(str(text), box, float(score)))
    return out


def _detect(image: Image) -> list[npt.NDArray[np.float32]]:
    result = _run(image, use_det=True, use_cls=False, use_rec=False)
    return [] if result.boxes is None else list(result.boxes)


def _rec_score(crop: Image) -> float:
    result = _run(crop, use_det=False, use_cls=False, use_rec=True)
    scores = result.scores
    return float(scores[0]) if scores is not None and len(scores) else 0.0


def rotate_quarter(image: Image, angle: int) -> Image:
    """``image`` turned ``angle`` degrees clockwise (0, 90, 180 or 270)."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if angle % 360 == 0:
        return image
    return np.ascontiguousarray(cv2.rotate(image, codes[angle % 360]))


def orientation(image: Image) -> int:
    """Clockwise turn (0, 90, 180, 270) that makes the text upright.

    Text lines are wider than tall: when most detected lines on the downscaled page stand
    upright the page lies on its side. Whether it is upside down is decided by recognising
    the widest lines both ways round and keeping the way with the higher mean score."""
    small = _downscale(image, ORIENTATION_SIDE)
    quads = _detect(small)
    sizes = [_quad_size(q) for q in quads]
    tall = sum(1 for w, h in sizes if h > 1.5 * w)
    wide = sum(1 for w, h in sizes if w > 1.5 * h)
    base = 90 if tall > wide else 0
    turned = rotate_quarter(small, base)
    if base:
        quads = _detect(turned)
    boxes = sorted((_quad_box(q) for q in quads), key=lambda b: b[2] - b[0], reverse=True)[:8]
    if not boxes:
        return 0
    upright = flipped = 0.0
    for x0, y0, x1, y1 in boxes:
        crop = turned[max(y0, 0) : y1, max(x0, 0) : x1]
        if crop.size == 0:
            continue
        upright += _rec_score(crop)
        flipped += _rec_score(rotate_quarter(crop, 180))
    return base if upright >= flipped else (base + 180) % 360


def skew(image: Image) -> float:
    """Counter-clockwise tilt of the page in degrees (within ±MAX_SKEW), from its long
    horizontal ruling lines; 0.0 when the page has none."""
    grey = _grey(_downscale(image, SKEW_SIDE))
    binary = cv2.adaptiveThreshold(
        grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    width = grey.shape[1]
    # Short kernel: a tilted line breaks into runs about 1/tan(angle) pixels long.
    run = max(20, width // 60)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 3)))
    lines = cv2.HoughLinesP(
        horizontal, 1, np.pi / 720, threshold=width // 4, minLineLength=width // 4, maxLineGap=8
    )
    if lines is None:
        return 0.0
    angles: list[float] = []
    weights: list[float] = []
    for x0, y0, x1, y1 in np.asarray(lines).reshape(-1, 4).tolist():
        angle = math.degrees(math.atan2(float(y1 - y0), float(x1 - x0)))
        if abs(angle) <= MAX_SKEW:
            angles.append(-angle)
            weights.append(math.hypot(float(x1 - x0), float(y1 - y0)))
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    return median


def rotate(image: Image, degrees: float) -> Image:
    """``image`` turned ``degrees`` counter-clockwise about its centre, borders white."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    border = (255, 255, 255) if image.ndim == 3 else 255
    turned = cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=border
    )
    return np.ascontiguousarray(turned)


def upright(image: Image) -> tuple[Image, int, float]:
    """``image`` turned upright and deskewed, with the quarter turn and the skew applied."""
    turn = orientation(image)
    image = rotate_quarter(image, turn)
    tilt = skew(image)
    if abs(tilt) >= MIN_SKEW:
        image = rotate(image, -tilt)
    return image, turn, tilt


def _grey(image: Image) -> Image:
    if image.ndim == 2:
        return image
    return np.ascontiguousarray(cv2.cvtColor(_bgr(image), cv2.COLOR_BGR2GRAY))


def _downscale(image: Image, side: int) -> Image:
    height, width = image.shape[:2]
    factor = side / max(height, width)
    if factor >= 1:
        return image
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.ascontiguousarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def _quad_size(quad: npt.NDArray[np.float32]) -> tuple[float, float]:
    x0, y0, x1, y1 = _quad_box(quad)
    return float(x1 - x0), float(y1 - y0)


def _quad_box(quad: npt.NDArray[np.float32]) -> Box:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return int(min(xs)), int(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))
