"""Text recognition on page images: one RapidOCR engine per process, page orientation and skew.

RapidOCR ships its Chinese detection, recognition and direction models inside its wheel; the
engine is built from those files by path so that it can never reach for the network. When a
model file is missing the document is unreadable (``ocr-unavailable``), never downloaded.

A page is read in two steps so that the caller can choose what to recognise:
:func:`prepare` deskews the page, finds its text lines and turns it upright; :func:`recognise`
reads the lines asked for (the scan reader leaves out hand-written signature cells, which a
print recogniser cannot read and which cost as much as printed lines).

Boxes are axis-aligned pixel boxes ``(x0, y0, x1, y1)`` on the upright page. Nothing here
knows what the text means.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
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
REC_MIN_WIDTH = 48
"""Recognition pads a batch of line crops to the widest one, but never below this width.
RapidOCR's default (320) pads a one-digit cell to the width of a sentence; a table page is
mostly short cells, and at 48 its recognition took 0.89 s instead of 1.61 s with the same
text read (200 dpi sign-in sheet, one core)."""
REC_BATCH = 4
"""Line crops recognised together; a batch is padded to its widest crop, so smaller batches
pad less (113 crops of a sign-in sheet: 4 → 0.82 s, 6 → 0.88 s, 12 → 0.88 s, 24 → 1.22 s)."""
MIN_SCORE = 0.5
"""Lines recognised with a lower score are dropped (RapidOCR's own default)."""
ORIENTATION_LINES = 4
"""Upside down or not is judged on this many of the widest lines …"""
ORIENTATION_CHARS = 8
"""… each cut to about this many characters (its width in line heights)."""
ORIENTATION_SIDE = 640
"""Whether the page lies on its side is judged on it scaled down to this longer side: a
quarter of the pixels of the detection proper, and text lines are still found."""
UPRIGHT_SCORE = 0.85
"""Lines read upright with at least this mean score are not tried upside down."""

MODELS = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
SKEW_SIDE = 1000
"""Skew is measured on the page scaled down to this longer side."""
MAX_SKEW = 5.0
"""Degrees: more than this is not skew but a photograph we do not straighten."""
MIN_SKEW = 0.15
DET_SIDE = 1280
"""Text detection runs on the page scaled down to this longer side, by area averaging and
with ruling lines removed (recognition still reads full-resolution crops). Detection takes
0.3 s a page at 1280 against 1.0–1.25 s at 2000 (one core); with the averaging and the ruling
removal every value of the scanned benchmark corpus (150 and 300 dpi) is found at 1280, where
RapidOCR's own resize at 1280 missed figures on fill-in underlines (``应到 __20__ 人``)."""
THREADS_NOTE = "ANNEXKIT_OCR_THREADS"
"""Environment variable: onnxruntime threads per engine (default 1: batches run one process
per core)."""

_lock = threading.Lock()


@dataclass(frozen=True)
class TextBox:
    text: str
    box: Box
    """(x0, y0, x1, y1) in pixels of the image read."""
    score: float
    glyphs: tuple[Glyph, ...] = ()
    """The characters with their boxes, where the recogniser gave them."""

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

    _plain_log()
    params: dict[str, Any] = {f"{task}.model_path": str(root / f) for task, f in MODELS.items()}
    params["Global.log_level"] = "warning"
    params["Global.max_side_len"] = DET_SIDE
    params["Rec.rec_img_shape"] = [3, 48, REC_MIN_WIDTH]
    # RapidOCR enlarges a page whose short side is under 736 px before detection; the
    # orientation pass detects on a deliberately small page.
    params["Det.limit_side_len"] = 256
    threads = int(os.environ.get(THREADS_NOTE, "1"))
    params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    # Reusing memory between runs: recognition of a table page took 0.82 s instead of 0.93 s.
    params["EngineConfig.onnxruntime.enable_cpu_mem_arena"] = True
    params["Rec.rec_batch_num"] = REC_BATCH
    try:
        built = RapidOCR(params=params)
    except MemoryError:
        raise
    except Exception as exc:  # the engine raises whatever onnxruntime raises
        raise _unavailable(f"{type(exc).__name__}: {exc}") from exc
    _plain_log()  # RapidOCR sets its logger up again while it starts
    return built


def _plain_log() -> None:
    """RapidOCR logs through its own handler with ANSI colour codes (colorlog), which turn
    into escape-code litter in log files and CI output: keep its messages, at warning level
    and above, in plain text on stderr."""
    import logging

    log = logging.getLogger("RapidOCR")
    log.setLevel(logging.WARNING)
    plain = logging.Formatter("[%(levelname)s] RapidOCR: %(message)s")
    for handler in log.handlers:
        handler.setFormatter(plain)


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


@dataclass(frozen=True)
class Glyph:
    """One recognised character (a word for Latin text) with its box and score."""

    text: str
    box: Box
    score: float


@dataclass(frozen=True)
class Page:
    """A page turned upright and deskewed, with its text lines found but not yet read."""

    image: Image
    quads: list[Quad]
    turn: int
    """Clockwise quarter turn applied (0, 90, 180, 270)."""
    skew: float
    """Counter-clockwise tilt removed, in degrees."""

    @property
    def boxes(self) -> list[Box]:
        return [_quad_box(q) for q in self.quads]

    def on_scan(self, box: Box) -> tuple[float, ...]:
        """The corners (x0, y0, x1, y1, …, clockwise from the top left) of ``box`` on the
        page as scanned but turned upright (``turn``), i.e. with the deskew undone: where
        the text is on the page image a searchable copy shows."""
        height, width = self.image.shape[:2]
        x0, y0, x1, y1 = box
        corners = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)
        if self.skew:
            # Turning and deskewing about the centre commute: undo the deskew in this frame.
            matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -self.skew, 1.0)
            inverse = cv2.invertAffineTransform(matrix)
            corners = corners @ inverse[:, :2].T + inverse[:, 2]
        return tuple(round(float(v), 1) for v in corners.reshape(-1))


Quad = npt.NDArray[np.float32]


def prepare(image: Image) -> Page:
    """``image`` deskewed, its text lines detected and the page turned so that they read
    upright.

    Text lines are wider than tall: when most lines detected on the page scaled down to
    ORIENTATION_SIDE stand upright, the page lies on its side and is turned a quarter.
    Whether it is upside down is decided by recognising the start of the widest lines, and
    when they read poorly, turned round too, keeping the way with the higher mean score."""
    tilt = skew(image)
    if abs(tilt) >= MIN_SKEW:
        image = rotate(image, -tilt)
    else:
        tilt = 0.0
    sizes = [_quad_size(q) for q in _detect(_downscale(image, ORIENTATION_SIDE))]
    tall = sum(1 for w, h in sizes if h > 1.5 * w)
    wide = sum(1 for w, h in sizes if w > 1.5 * h)
    turn = 0
    if tall > wide:
        turn = 90
        image = rotate_quarter(image, 90)
    quads = _detect(image)
    if _upside_down(image, quads):
        turn = (turn + 180) % 360
        image = rotate_quarter(image, 180)
        height, width = image.shape[:2]
        quads = [_turned_quad(q, width, height) for q in quads]
    return Page(image, quads, turn, tilt)


def recognise(page: Page, which: Sequence[int] | None = None) -> list[TextBox | None]:
    """The text of the lines ``which`` (indexes into ``page.quads``; all by default), in that
    order, with a box and score per character; None for a line read as nothing or with a
    score below MIN_SCORE."""
    indexes = list(range(len(page.quads))) if which is None else list(which)
    if not indexes:
        return []
    quads = [page.quads[i] for i in indexes]
    crops = [_crop(page.image, q) for q in quads]
    eng = engine()
    with _lock:
        result = eng._load_rec_model()(_rec_input(crops, word_boxes=True))
        result = eng.cal_rec_boxes(crops, np.asarray(quads), result, True)
    out: list[TextBox | None] = []
    for quad, text, score, words in zip(
        quads, result.txts, result.scores, result.word_results, strict=True
    ):
        text = str(text)
        if not text.strip() or float(score) < MIN_SCORE:
            out.append(None)
            continue
        glyphs = tuple(
            Glyph(str(w), _quad_box(np.asarray(b, dtype=np.float32)), float(c))
            for w, c, b in words
            if b is not None and str(w).strip()
        )
        out.append(TextBox(text, _quad_box(quad), float(score), glyphs))
    return out


def _detect(image: Image) -> list[Quad]:
    """Text line quads on ``image``, found on it scaled down to DET_SIDE by area averaging:
    RapidOCR's own resize interpolates, and at a third of a 300 dpi page thin strokes of
    small digits vanish."""
    small = _without_rulings(_downscale(image, DET_SIDE))
    factor = image.shape[1] / small.shape[1]
    result = _run(small, use_det=True, use_cls=False, use_rec=False)
    if result.boxes is None:
        return []
    return [np.asarray(q, dtype=np.float32) * np.float32(factor) for q in result.boxes]


RULING_SHARE = 1 / 25
"""Straight strokes longer than this share of the page's width (height) are ruling lines or
fill-in underlines, not text."""


def _without_rulings(image: Image) -> Image:
    """``image`` with its ruling lines and underlines painted white, for text detection
    only: digits written on an underline (``应到 __20__ 人``) or touching a cell border are
    otherwise taken as part of a line and missed. Recognition reads the untouched page."""
    binary = _ink(image)
    height, width = binary.shape[:2]
    lines: Image = np.zeros(binary.shape, dtype=np.uint8)
    for size in (
        (max(10, round(width * RULING_SHARE)), 1),
        (1, max(10, round(height * RULING_SHARE))),
    ):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
        lines |= np.asarray(cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel), dtype=np.uint8)
    lines = np.asarray(
        cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))), dtype=np.uint8
    )
    cleaned = image.copy()
    cleaned[lines > 0] = 255
    return cleaned


def _rec_input(crops: list[Image], *, word_boxes: bool = False) -> Any:
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    return TextRecInput(img=crops, return_word_box=word_boxes)


def _crop(image: Image, quad: Quad) -> Image:
    from rapidocr.utils.process_img import get_rotate_crop_image

    return np.ascontiguousarray(get_rotate_crop_image(image, quad.copy()))


def _upside_down(image: Image, quads: list[Quad]) -> bool:
    widest = sorted(quads, key=lambda q: _quad_size(q)[0], reverse=True)[:ORIENTATION_LINES]
    # A few characters tell which way up a line is; a whole line of prose costs many times as
    # much to recognise (twice).
    crops = [c[:, : ORIENTATION_CHARS * c.shape[0]] for c in (_crop(image, q) for q in widest)]
    crops = [c for c in crops if c.size]
    if not crops:
        return False
    eng = engine()
    with _lock:
        rec = eng._load_rec_model()
        upright_score = float(np.mean(rec(_rec_input(crops)).scores))
        if upright_score >= UPRIGHT_SCORE:
            return False
        flipped = rec(_rec_input([rotate_quarter(c, 180) for c in crops])).scores
    return float(np.mean(flipped)) > upright_score


def _turned_quad(quad: Quad, width: int, height: int) -> Quad:
    """A quad of a page after the page was turned 180°: same corners, order kept
    (top-left first)."""
    turned = np.stack([width - 1 - quad[:, 0], height - 1 - quad[:, 1]], axis=1)
    return np.ascontiguousarray(np.roll(turned, 2, axis=0), dtype=np.float32)


def rotate_quarter(image: Image, angle: int) -> Image:
    """``image`` turned ``angle`` degrees clockwise (0, 90, 180 or 270)."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if angle % 360 == 0:
        return image
    return np.ascontiguousarray(cv2.rotate(image, codes[angle % 360]))


def skew(image: Image) -> float:
    """Counter-clockwise tilt of the page in degrees (within ±MAX_SKEW), from its long ruling
    lines, horizontal and vertical (a page scanned sideways shows its rows as vertical
    lines); 0.0 when the page has none."""
    binary = _ink(_downscale(image, SKEW_SIDE))
    angles: list[float] = []
    weights: list[float] = []
    # In the transposed page vertical lines lie across, tilted the other way.
    for mask, sign in ((binary, -1.0), (np.ascontiguousarray(binary.T), 1.0)):
        for angle, length in _line_angles(mask):
            angles.append(sign * angle)
            weights.append(length)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    return median


def _line_angles(binary: Image) -> list[tuple[float, float]]:
    """(angle in degrees, y down, and length) of the long near-horizontal lines of a mask."""
    width = binary.shape[1]
    # Short kernel: a tilted line breaks into runs about 1/tan(angle) pixels long.
    run = max(20, width // 60)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    horizontal = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 3)))
    lines = cv2.HoughLinesP(
        horizontal, 1, np.pi / 720, threshold=width // 4, minLineLength=width // 4, maxLineGap=8
    )
    if lines is None:
        return []
    out: list[tuple[float, float]] = []
    for x0, y0, x1, y1 in np.asarray(lines).reshape(-1, 4).tolist():
        angle = math.degrees(math.atan2(float(y1 - y0), float(x1 - x0)))
        if abs(angle) <= MAX_SKEW:
            out.append((angle, math.hypot(float(x1 - x0), float(y1 - y0))))
    return out


def rotate(image: Image, degrees: float) -> Image:
    """``image`` turned ``degrees`` counter-clockwise about its centre, borders white."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    border = (255, 255, 255) if image.ndim == 3 else 255
    turned = cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=border
    )
    return np.ascontiguousarray(turned)


def _ink(image: Image) -> Image:
    """Dark marks white on black, against the local background (grey paper, uneven light)."""
    binary = cv2.adaptiveThreshold(
        _grey(image), 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    return np.asarray(binary, dtype=np.uint8)


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
