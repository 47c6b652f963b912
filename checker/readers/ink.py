"""Hand-written ink in a scanned table cell: signed or blank, and red company stamps.

The OCR reader cuts a scanned page into cells and calls :func:`cell_ink` for each one
(签到/签退 cells of 附件8, the 授课老师 / 班主任 / 培训对象代表 signature blocks, the 甲方/乙方
stamp blocks of the agreements). The printed label of a cell is passed as OCR text boxes
and does not count as ink.

The reading works on the grey image of the cell:

1. the box is shrunk a little to drop the ruling lines, and long straight near-horizontal
   or near-vertical strokes (ruling lines entering the box at a skew, underlines of a
   signature blank) are erased;
2. the background is estimated locally (a grey closing wider than a pen stroke), so a grey
   or unevenly lit scan binarises like a white one; the threshold is the larger of a fixed
   contrast and a multiple of the measured noise, so JPEG and scanner noise stay out;
3. connected components smaller than a speck (an area fixed in mm², converted with the
   resolution) are dropped;
4. the cell is signed when the remaining ink has both enough area and enough extent.

A red stamp is a large round or oval blob in the red (two hue ranges) mask.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

__all__ = ["InkReading", "cell_ink", "estimate_dpi", "red_stamp"]

Box = tuple[int, int, int, int]
_U8 = npt.NDArray[np.uint8]

MM_PER_INCH = 25.4

# Calibrated on the synthetic cells of tests/test_ink.py (150 and 300 dpi, grey background,
# noise, JPEG at quality 60, 2° skew); see that file for the measured accuracy.
MIN_CONTRAST = 40.0
"""Grey levels below the local background for a pixel to be ink, at least."""
NOISE_FACTOR = 5.0
"""… and at least this many noise standard deviations."""
SPECK_MM2 = 0.12
"""Connected components smaller than this (mm²) are specks: dust, JPEG ringing, noise."""
MIN_INK_MM2 = 0.9
"""A signature (or a tick) has at least this much ink (mm²) …"""
MIN_EXTENT_MM = 2.2
"""… spread over at least this length (mm, the larger side of its bounding box)."""
LINE_MIN_MM = 9.0
"""Straight strokes at least this long (and a large part of the cell) are ruling lines."""
STAMP_MIN_DIAMETER_MM = 12.0
"""A red blob at least this wide (equivalent diameter of its hull) is a stamp."""
STAMP_MIN_ROUNDNESS = 0.55
"""4πA/P² of the stamp's convex hull (1 for a circle, 0.79 for a square, ≈0.6 for 2:1)."""


@dataclass(frozen=True)
class InkReading:
    """What is written in a cell.

    ``signed``: hand-written ink (or a stamp) is present. ``share``: the fraction of the cell
    interior covered by ink (after removing lines, printed text and specks). ``red_stamp``: a
    red round or oval stamp is present. ``confidence``: 0.5 at a threshold, → 1 far from it.
    """

    signed: bool
    share: float
    red_stamp: bool
    confidence: float


def estimate_dpi(page_shape: tuple[int, ...]) -> float:
    """The resolution of a page image, assuming an A4 page (portrait or landscape)."""
    long_side = max(page_shape[0], page_shape[1])
    return long_side / (297.0 / MM_PER_INCH)


def cell_ink(
    page: npt.NDArray[np.uint8],
    box: tuple[int, int, int, int],
    text_boxes: Sequence[tuple[int, int, int, int]] = (),
    *,
    dpi: float | None = None,
    max_skew: float = 4.0,
) -> InkReading:
    """Read the ink of the cell ``box`` (x0, y0, x1, y1 in pixels, ruling lines included) of
    the page image ``page`` (BGR or grey, uint8). ``text_boxes`` are the OCR boxes of the
    printed text in the cell (page pixels); their ink is ignored. ``dpi`` defaults to an
    estimate assuming an A4 page. ``max_skew``: the largest tilt (degrees) of the ruling lines
    in the cell; a page already deskewed needs less search."""
    if page.ndim == 2:
        page = np.asarray(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    res = dpi if dpi is not None else estimate_dpi(page.shape)
    px_per_mm = res / MM_PER_INCH
    height, width = page.shape[:2]
    x0, y0, x1, y1 = _clipped(box, page.shape)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return InkReading(False, 0.0, False, 0.5)

    stamp = _red_stamp(page[y0:y1, x0:x1], px_per_mm)

    # Lines are found on the box grown a little, where the ruling lines run whole from side
    # to side even when the page is skewed; the ink is then read on the box shrunk past them.
    grow = max(2, round(1.0 * px_per_mm))
    gx0, gy0 = max(0, x0 - grow), max(0, y0 - grow)
    gx1, gy1 = min(width, x1 + grow), min(height, y1 + grow)
    ink = _binarise(_gray(page[gy0:gy1, gx0:gx1]), px_per_mm)
    ink = _erase_lines(ink, px_per_mm, (x0 - gx0, x1 - gx0), max_skew)
    pad = max(1, round(0.4 * px_per_mm))
    for tx0, ty0, tx1, ty1 in text_boxes:
        ink[
            max(0, int(ty0) - gy0 - pad) : max(0, int(ty1) - gy0 + pad),
            max(0, int(tx0) - gx0 - pad) : max(0, int(tx1) - gx0 + pad),
        ] = 0
    inset = max(2, round(0.6 * px_per_mm))
    inset = min(inset, (x1 - x0) // 4, (y1 - y0) // 4)
    ink = ink[y0 - gy0 + inset : y1 - gy0 - inset, x0 - gx0 + inset : x1 - gx0 - inset]
    ink = _drop_specks(ink, px_per_mm)

    area_mm2 = float(np.count_nonzero(ink)) / px_per_mm**2
    share = float(np.count_nonzero(ink)) / float(ink.size)
    extent_mm = _extent(ink) / px_per_mm
    score = min(area_mm2 / MIN_INK_MM2, extent_mm / MIN_EXTENT_MM)
    signed = score >= 1.0 or stamp
    if stamp:
        confidence = 0.95
    else:
        margin = abs(math.log2(max(score, 1e-3)))
        confidence = 0.5 + 0.5 * min(1.0, margin / 1.5)
    return InkReading(signed, round(share, 4), stamp, round(confidence, 3))


def red_stamp(
    page: npt.NDArray[np.uint8], box: tuple[int, int, int, int], *, dpi: float | None = None
) -> bool:
    """Whether a red round or oval stamp lies (at least partly) in ``box`` of ``page`` (BGR)."""
    if page.ndim == 2:
        return False
    res = dpi if dpi is not None else estimate_dpi(page.shape)
    x0, y0, x1, y1 = _clipped(box, page.shape)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return False
    return _red_stamp(page[y0:y1, x0:x1], res / MM_PER_INCH)


def _clipped(box: tuple[float, float, float, float], shape: tuple[int, ...]) -> Box:
    """``box`` rounded, ordered and cut to the page of ``shape``."""
    height, width = shape[:2]
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, x1 = sorted((max(0, min(width, x0)), max(0, min(width, x1))))
    y0, y1 = sorted((max(0, min(height, y0)), max(0, min(height, y1))))
    return x0, y0, x1, y1


def _gray(cell: _U8) -> _U8:
    """Grey image where coloured ink (blue, red) is as dark as its darkest channel."""
    return np.asarray(cell.min(axis=2), dtype=np.uint8)


def _binarise(gray: _U8, px_per_mm: float) -> _U8:
    """Ink mask (255) against the local background."""
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    k = max(3, round(1.6 * px_per_mm) | 1)
    background = cv2.morphologyEx(
        smooth, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    diff = background.astype(np.int16) - smooth.astype(np.int16)
    # Noise: robust spread of the fine-scale residual (ink is a small minority of pixels).
    residual = gray.astype(np.float32) - cv2.medianBlur(gray, 5).astype(np.float32)
    sigma = 1.4826 * float(np.median(np.abs(residual)))
    threshold = max(MIN_CONTRAST, NOISE_FACTOR * sigma)
    return np.where(diff > threshold, 255, 0).astype(np.uint8)


def _erase_lines(ink: _U8, px_per_mm: float, sides: tuple[int, int], max_skew: float) -> _U8:
    """Erase long straight strokes near horizontal or vertical: the ruling lines (whole in the
    grown box, entering the cell at a skew) and the underlines of signature blanks.

    The skew is the angle (within ±``max_skew``°) whose projection profile of the ink is sharpest; a
    line is a 1-pixel band along that angle holding an unbroken run of ink at least
    ``LINE_MIN_MM`` long (or 70 % of the cell). Vertical lines count only near the left and
    right sides: a signature can have a long straight down-stroke, a cell no vertical
    underline."""
    h = ink.shape[0]
    out = ink.copy()
    left, right = sides
    min_h = min(LINE_MIN_MM * px_per_mm, 0.7 * (right - left))
    min_v = min(LINE_MIN_MM * px_per_mm, 0.7 * h)
    gap = max(2.0, 0.6 * px_per_mm)
    ys, xs = np.nonzero(ink)
    if xs.size == 0:
        return out
    near = 0.15 * (right - left)
    horizontal = _on_line(xs.astype(np.float64), ys.astype(np.float64), min_h, gap, max_skew)
    vertical = _on_line(ys.astype(np.float64), xs.astype(np.float64), min_v, gap, max_skew)
    vertical &= (xs < left + near) | (xs > right - near)
    erase = horizontal | vertical
    out[ys[erase], xs[erase]] = 0
    return out


def _on_line(
    along: npt.NDArray[np.float64],
    across: npt.NDArray[np.float64],
    min_len: float,
    gap: float,
    max_skew: float,
) -> npt.NDArray[np.bool_]:
    """Which of the ink pixels at (``along``, ``across``) lie on a straight line running
    along (at most ``max_skew`` degrees off), at least ``min_len`` long with no gap wider than
    ``gap``."""
    mask = np.zeros(along.shape, dtype=bool)
    if along.size < min_len:
        return mask
    best: npt.NDArray[np.int64] | None = None
    best_score = -1.0
    for degrees in np.arange(-max_skew, max_skew + 0.01, 0.25):
        offset = across - along * math.tan(math.radians(float(degrees)))
        band = np.round(offset - offset.min()).astype(np.int64)
        counts = np.bincount(band)
        score = float(np.dot(counts, counts))
        if score > best_score:
            best, best_score = band, score
    assert best is not None
    counts = np.bincount(best)
    for b in np.flatnonzero(counts >= min_len * 0.7):
        pos = np.sort(along[best == b])
        breaks = np.flatnonzero(np.diff(pos) > gap)
        starts = np.concatenate(([0], breaks + 1))
        ends = np.concatenate((breaks, [pos.size - 1]))
        lengths = pos[ends] - pos[starts]
        i = int(np.argmax(lengths))
        if lengths[i] >= min_len:
            # The band and its neighbours (thick lines, blur, JPEG fringes), along the run.
            lo, hi = float(pos[starts[i]]) - gap, float(pos[ends[i]]) + gap
            mask |= (np.abs(best - b) <= 1) & (along >= lo) & (along <= hi)
    return mask


def _drop_specks(ink: _U8, px_per_mm: float) -> _U8:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return ink
    min_area = max(3.0, SPECK_MM2 * px_per_mm**2)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _extent(ink: _U8) -> float:
    """The larger side of the bounding box of the ink, in pixels (0 when there is none)."""
    ys, xs = np.nonzero(ink)
    if xs.size == 0:
        return 0.0
    return float(max(int(xs.max()) - int(xs.min()), int(ys.max()) - int(ys.min())) + 1)


def _red_stamp(region: _U8, px_per_mm: float) -> bool:
    """A large round or oval blob of red ink (a company seal) in ``region``."""
    if region.size == 0:
        return False
    hsv = cv2.cvtColor(region, cv2.COLOR_BGR2HSV)
    low = cv2.inRange(hsv, np.array([0, 70, 60]), np.array([10, 255, 255]))
    high = cv2.inRange(hsv, np.array([160, 70, 60]), np.array([179, 255, 255]))
    red = cv2.bitwise_or(low, high)
    min_d = STAMP_MIN_DIAMETER_MM * px_per_mm
    if np.count_nonzero(red) < 0.05 * math.pi * (min_d / 2) ** 2:
        return False
    k = max(3, round(1.0 * px_per_mm) | 1)
    red = cv2.morphologyEx(
        red, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    contours, _ = cv2.findContours(red, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        hull = cv2.convexHull(contour)
        area = float(cv2.contourArea(hull))
        perimeter = float(cv2.arcLength(hull, True))
        if area <= 0 or perimeter <= 0:
            continue
        diameter = 2.0 * math.sqrt(area / math.pi)
        roundness = 4.0 * math.pi * area / perimeter**2
        filled = float(cv2.contourArea(contour)) / area
        if diameter >= min_d and roundness >= STAMP_MIN_ROUNDNESS and filled >= 0.15:
            return True
    return False
