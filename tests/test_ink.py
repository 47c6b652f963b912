"""Signed/blank and red-stamp detection on synthetic scanned cells (checker/readers/ink.py).

Cells are drawn on a small piece of a table (the neighbouring ruling lines included) at 150
and 300 dpi, on a white or grey background, then rotated (skew up to 2°, so the ruling lines
enter the cell box diagonally), blurred, given Gaussian noise and re-encoded as JPEG at
quality 60 — as a scanner and a phone app would. The cell box handed to ``cell_ink`` is the
unrotated one, as a grid finder that does not deskew would give.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from annexkit.checker.readers.ink import InkReading, cell_ink, estimate_dpi

Image = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]

KINDS = (
    "blank",
    "blank-label",
    "blank-underline",
    "signature",
    "signature-label",
    "signature-underline",
    "small-signature",
    "check",
    "stamp",
)
SIGNED = {"signature", "signature-label", "signature-underline", "small-signature", "check"}


@dataclass(frozen=True)
class Sample:
    kind: str
    dpi: int
    page: Image
    box: Box
    text_boxes: tuple[Box, ...]
    signed: bool
    stamp: bool


def _bezier(p: npt.NDArray[np.float64], n: int = 40) -> npt.NDArray[np.int32]:
    t = np.linspace(0.0, 1.0, n)[:, None]
    pts = (
        (1 - t) ** 3 * p[0] + 3 * (1 - t) ** 2 * t * p[1] + 3 * (1 - t) * t**2 * p[2] + t**3 * p[3]
    )
    return np.asarray(np.round(pts), dtype=np.int32)


def _ink_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    if rng.random() < 0.5:
        g = int(rng.integers(15, 90))
        return (g, g, g)
    return (int(rng.integers(120, 180)), int(rng.integers(30, 70)), int(rng.integers(10, 50)))


def _signature(
    img: Image,
    rng: np.random.Generator,
    origin: tuple[float, float],
    char_mm: float,
    chars: int,
    px_mm: float,
) -> None:
    """``chars`` hand-written-looking characters of random cubic Bézier strokes."""
    colour = _ink_colour(rng)
    width = int(rng.integers(2, 4))
    size = char_mm * px_mm
    x, y = origin
    for _ in range(chars):
        for _ in range(int(rng.integers(2, 6))):
            ctrl = np.column_stack((x + rng.random(4) * size, y + rng.random(4) * size)).astype(
                np.float64
            )
            cv2.polylines(img, [_bezier(ctrl)], False, colour, width, cv2.LINE_AA)
        x += size * float(rng.uniform(0.9, 1.2))
        y += size * float(rng.uniform(-0.1, 0.1))


def _check(img: Image, rng: np.random.Generator, centre: tuple[float, float], px_mm: float) -> None:
    size = float(rng.uniform(3.0, 6.0)) * px_mm
    cx, cy = centre
    pts = np.array(
        [
            (cx - 0.5 * size, cy),
            (cx - 0.15 * size, cy + 0.4 * size),
            (cx + 0.5 * size, cy - 0.5 * size),
        ]
    )
    pts += rng.normal(0, 0.04 * size, pts.shape)
    cv2.polylines(
        img, [np.round(pts).astype(np.int32)], False, _ink_colour(rng), int(rng.integers(2, 4))
    )


def _stamp(img: Image, rng: np.random.Generator, centre: tuple[int, int], px_mm: float) -> None:
    """A red company seal: a ring, a star and text, multiplied onto the page."""
    layer = np.full_like(img, 255)
    red = (int(rng.integers(20, 70)), int(rng.integers(20, 70)), int(rng.integers(170, 230)))
    rx = int(float(rng.uniform(17, 21)) * px_mm)
    ry = int(rx * float(rng.uniform(0.7, 1.0)))
    cv2.ellipse(layer, centre, (rx, ry), 0, 0, 360, red, max(2, int(1.2 * px_mm)))
    star = max(2, int(3 * px_mm))
    cv2.drawMarker(layer, centre, red, cv2.MARKER_STAR, 2 * star, max(1, int(0.8 * px_mm)))
    scale = 0.09 * px_mm
    for i, word in enumerate(("TRAINING CO", "SEAL")):
        (tw, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        org = (centre[0] - tw // 2, centre[1] - int(ry * 0.45) + i * int(ry * 1.1))
        cv2.putText(layer, word, org, cv2.FONT_HERSHEY_SIMPLEX, scale, red, max(1, int(px_mm / 5)))
    np.copyto(img, (img.astype(np.uint16) * layer.astype(np.uint16) // 255).astype(np.uint8))


def _label(img: Image, org: tuple[int, int], text: str, px_mm: float) -> Box:
    """Printed label; returns its OCR box (slightly off, as OCR boxes are)."""
    scale = 0.11 * px_mm
    thick = max(1, round(px_mm / 6))
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick, cv2.LINE_AA)
    return (org[0] - 1, org[1] - th - 1, org[0] + tw + 1, org[1] + base // 2 + 1)


def make_cell(rng: np.random.Generator, dpi: int, kind: str, skew: float | None = None) -> Sample:
    px_mm = dpi / 25.4
    if kind in {"stamp"}:
        w_mm, h_mm = float(rng.uniform(70, 90)), float(rng.uniform(45, 55))
    elif kind.endswith("underline"):
        w_mm, h_mm = float(rng.uniform(60, 90)), float(rng.uniform(12, 16))
    else:
        w_mm, h_mm = float(rng.uniform(16, 28)), float(rng.uniform(8, 12))
    cw, ch = int(w_mm * px_mm), int(h_mm * px_mm)
    margin = int(8 * px_mm)
    pw, ph = cw + 2 * margin, ch + 2 * margin
    paper = int(rng.integers(195, 256))
    img = np.full((ph, pw, 3), paper, dtype=np.uint8)
    x0, y0, x1, y1 = margin, margin, margin + cw, margin + ch
    line_w = int(rng.integers(1, 3)) if dpi < 200 else int(rng.integers(2, 4))
    line = (0, 0, 0)
    for y in (y0, y1):
        cv2.line(img, (0, y), (pw - 1, y), line, line_w)
    for x in (x0, x1):
        cv2.line(img, (x, 0), (x, ph - 1), line, line_w)

    text_boxes: list[Box] = []
    inner_l = x0 + int(1.5 * px_mm)
    if kind in {"blank-label", "signature-label"}:
        text_boxes.append(_label(img, (inner_l, y0 + int(h_mm * 0.45 * px_mm)), "QD", px_mm))
    write_x = float(inner_l)
    if kind.endswith("underline"):
        box = _label(img, (inner_l, y1 - int(3 * px_mm)), "Teacher (sign):", px_mm)
        text_boxes.append(box)
        ux0 = box[2] + int(1 * px_mm)
        uy = y1 - int(2.5 * px_mm)
        cv2.line(img, (ux0, uy), (x1 - int(3 * px_mm), uy), line, line_w)
        write_x = float(ux0 + 2 * px_mm)

    if kind.startswith("signature") or kind == "small-signature":
        small = kind == "small-signature"
        chars = 2 if small else int(rng.integers(2, 4))
        char_mm = float(rng.uniform(2.5, 3.5)) if small else float(rng.uniform(4.0, 7.0))
        char_mm = min(char_mm, h_mm - 3.0)
        room = (x1 - write_x) / px_mm - chars * char_mm * 1.2 - 1.5
        sx = write_x + float(rng.uniform(0, max(0.0, room))) * px_mm
        if kind in {"signature", "small-signature"}:
            sx = x0 + float(rng.uniform(1.5, max(1.6, w_mm - chars * char_mm * 1.2 - 1.5))) * px_mm
        sy = y0 + float(rng.uniform(1.5, max(1.6, h_mm - char_mm - 1.5))) * px_mm
        if kind == "signature-underline":
            sy = y1 - 2.5 * px_mm - char_mm * px_mm * float(rng.uniform(0.6, 1.0))
        _signature(img, rng, (sx, sy), char_mm, chars, px_mm)
    elif kind == "check":
        cx = x0 + float(rng.uniform(0.3, 0.7)) * cw
        cy = y0 + float(rng.uniform(0.4, 0.6)) * ch
        _check(img, rng, (cx, cy), px_mm)
    elif kind == "stamp":
        cx = int(x0 + float(rng.uniform(0.45, 0.65)) * cw)
        cy = int(y0 + float(rng.uniform(0.45, 0.55)) * ch)
        _stamp(img, rng, (cx, cy), px_mm)

    angle = float(rng.choice([-2.0, 2.0])) if skew is None and rng.random() < 0.5 else skew
    if angle is None:
        angle = float(rng.uniform(-2.0, 2.0))
    rot = cv2.getRotationMatrix2D(((x0 + x1) / 2, (y0 + y1) / 2), angle, 1.0)
    img = np.asarray(
        cv2.warpAffine(img, rot, (pw, ph), borderValue=(paper, paper, paper)), dtype=np.uint8
    )
    # Text boxes move with the text (the OCR ran on the skewed page): rotate their centres.
    moved: list[Box] = []
    for bx0, by0, bx1, by1 in text_boxes:
        c = rot @ np.array([(bx0 + bx1) / 2, (by0 + by1) / 2, 1.0])
        hw, hh = (bx1 - bx0) / 2 + 1, (by1 - by0) / 2 + (bx1 - bx0) * 0.02 + 1
        moved.append((int(c[0] - hw), int(c[1] - hh), int(c[0] + hw), int(c[1] + hh)))

    img = np.asarray(cv2.GaussianBlur(img, (3, 3), 0.6), dtype=np.uint8)
    noise = rng.normal(0.0, float(rng.uniform(2.0, 7.0)), img.shape)
    img = np.clip(img.astype(np.float64) + noise, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    img = np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), dtype=np.uint8)
    return Sample(
        kind,
        dpi,
        img,
        (x0, y0, x1, y1),
        tuple(moved),
        kind in SIGNED or kind == "stamp",
        kind == "stamp",
    )


def _read(sample: Sample) -> InkReading:
    return cell_ink(sample.page, sample.box, sample.text_boxes, dpi=sample.dpi)


def evaluate(dpi: int, n: int, seed: int) -> tuple[float, float, float, list[str]]:
    """Accuracy, precision and recall of ``signed`` over ``n`` random cells, with the
    misread ones."""
    rng = np.random.default_rng(seed)
    counts: Counter[str] = Counter()
    wrong: list[str] = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        sample = make_cell(rng, dpi, kind)
        reading = _read(sample)
        truth = "pos" if sample.signed else "neg"
        counts[("t" if reading.signed == sample.signed else "f") + truth] += 1
        if reading.signed != sample.signed or reading.red_stamp != sample.stamp:
            wrong.append(f"{i}:{kind}:{reading}")
    total = sum(counts.values())
    accuracy = (total - len(wrong)) / total
    tp, fp, fn = counts["tpos"], counts["fneg"], counts["fpos"]
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    return accuracy, precision, recall, wrong


@pytest.mark.parametrize("dpi", [150, 300])
def test_accuracy(dpi: int) -> None:
    """Every kind of cell, 30 of each per resolution, seeded."""
    accuracy, precision, recall, wrong = evaluate(dpi, 30 * len(KINDS), seed=dpi)
    print(f"\n{dpi} dpi: accuracy {accuracy:.4f} precision {precision:.4f} recall {recall:.4f}")
    assert accuracy >= 0.99, wrong


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("skew", [-2.0, 0.0, 2.0])
def test_each_kind(kind: str, skew: float) -> None:
    rng = np.random.default_rng(len(kind) * 7 + int(skew))
    for dpi in (150, 300):
        sample = make_cell(rng, dpi, kind, skew)
        reading = _read(sample)
        assert reading.signed == sample.signed, (dpi, reading)
        assert reading.red_stamp == sample.stamp, (dpi, reading)
        assert 0.5 <= reading.confidence <= 1.0
        assert 0.0 <= reading.share <= 1.0
        if not sample.signed:
            assert reading.share < 0.002


def test_printed_label_is_not_a_signature() -> None:
    """Without its OCR box the printed label reads as ink: the mask is what keeps it out."""
    sample = make_cell(np.random.default_rng(3), 300, "blank-label", 2.0)
    assert not _read(sample).signed
    assert cell_ink(sample.page, sample.box, dpi=300).signed


def test_red_signature_is_not_a_stamp() -> None:
    page = np.full((200, 400, 3), 240, dtype=np.uint8)
    cv2.rectangle(page, (10, 10), (390, 190), (0, 0, 0), 2)
    _signature(page, np.random.default_rng(1), (60.0, 60.0), 6.0, 3, 300 / 25.4)
    reddish = page.copy()
    reddish[(page < 200).all(axis=2)] = (40, 40, 200)
    cv2.rectangle(reddish, (10, 10), (390, 190), (0, 0, 0), 2)
    reading = cell_ink(reddish, (10, 10, 390, 190), dpi=300)
    assert reading.signed
    assert not reading.red_stamp


def test_grey_page_and_dpi_estimate() -> None:
    """A grey (2-D) A4 page; the resolution is estimated from its size."""
    a4 = (3508, 2480)
    assert estimate_dpi(a4) == pytest.approx(300, abs=1)
    assert estimate_dpi((1240, 1754)) == pytest.approx(150, abs=1)
    rng = np.random.default_rng(5)
    for kind in ("blank", "signature", "check"):
        sample = make_cell(rng, 300, kind, 1.0)
        page = np.full(a4, 250, dtype=np.uint8)
        h, w = sample.page.shape[:2]
        page[1000 : 1000 + h, 500 : 500 + w] = cv2.cvtColor(sample.page, cv2.COLOR_BGR2GRAY)
        x0, y0, x1, y1 = sample.box
        reading = cell_ink(page, (x0 + 500, y0 + 1000, x1 + 500, y1 + 1000))
        assert reading.signed == sample.signed, kind


def test_degenerate_boxes() -> None:
    page = np.full((100, 100, 3), 255, dtype=np.uint8)
    assert cell_ink(page, (50, 50, 52, 52), dpi=150) == InkReading(False, 0.0, False, 0.5)
    assert not cell_ink(page, (-20, -20, 500, 500), dpi=150).signed
    assert not cell_ink(page, (80, 80, 10, 10), dpi=150).signed  # corners swapped: same box
