"""Build a corpus of scanned annexes, and score what the checker read from them.

The forms come from annexkit's own generator (the sample electrician class), rendered blank
where a person signs: the DOCX has every ``signed_*`` field false, so no ``✓`` is printed.
Each PDF page is then "printed" to a bitmap with pypdfium2 at the case's dpi and treated like
paper that went through people's hands and a scanner:

- handwritten signatures (clusters of random cubic Bézier strokes, dark blue or black, a
  0.35–0.5 mm pen: 2–3 px at 150 dpi, 4–6 px at 300 dpi) drawn INTO the sign-in cells and
  confirmation lines whose truth is "signed" — blank cells stay blank. Cells are found from
  the PDF itself: a row's ID-number text gives its line, the header labels 签到/签退 give the
  columns, and the ruling lines of the rendered page give the cell's exact bounds;
- red round stamps (ring, star, glyph-like strokes along the rim) over the 甲方（盖章）/
  乙方（盖章） blocks of agreements whose party signed, plus the representative's signature;
- grey, unevenly lit paper, a skew of ±1–3°, some pages turned by 90/180/270°, Gaussian
  noise and JPEG compression at quality 50–70 (PNG and TIFF pages too: they were JPEGs
  once).

Formats: a case whose format is ``jpg`` or ``png`` holds the first page only (the page that
carries the title, rows and, for a sign-in sheet, the 应到/实到 counts); ``tiff`` (a
multi-page TIFF) and ``pdf`` (a scanned PDF: one JPEG per page, made with pypdfium2) hold
every page of the document.

Everything is seeded: the same :class:`CorpusSpec` gives the same files, byte for byte (up to
LibreOffice's rendering). Each case has a truth record (``truth/<dpi>/<case>.json`` and all
of them in ``cases.json``): the annex, every field read from the pages it holds as a JSON
pointer with its type (name, id_number, date, number) and value, and the state of every
signature cell. Scans go to ``scans/<dpi>/`` (one folder = one package for ``annex check``).

Run by hand: ``python -m tests.scans.build OUTDIR [--small]``.
"""

from __future__ import annotations

import copy
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium  # type: ignore[import-untyped]

from annexkit.generator.output import write_documents
from annexkit.generator.package import Document, plan_package

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CLASS = ROOT / "samples" / "classes" / "jiangmen-electrician-2025" / "class.yaml"

Image = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]
"""Pixel box: left, top, right, bottom."""

FIELD_TYPES = ("name", "id_number", "date", "number")
SINGLE_PAGE = ("jpg", "png")
MULTI_PAGE = ("tiff", "pdf")
PARTY_CYCLE = ((True, False), (True, True), (False, True), (False, False))
"""Which agreement parties stamped and signed, agreement by agreement."""


@dataclass(frozen=True)
class CorpusSpec:
    """What to build. One entry per document: its file format."""

    signin: tuple[str, ...] = ("jpg", "tiff")
    ledger: tuple[str, ...] = ("png",)
    agreement: tuple[str, ...] = ("pdf",)
    dpis: tuple[int, ...] = (150, 300)
    seed: int = 613


SMALL = CorpusSpec()
"""The test corpus: per dpi a sign-in page (JPEG), a whole sign-in sheet (TIFF, 2 pages),
a ledger page (PNG, 14 rows) and a whole agreement (scanned PDF, 3 pages): 7 pages."""

LARGE = CorpusSpec(
    signin=("jpg", "png", "jpg", "png", "tiff") * 3 + ("pdf", "jpg", "png", "pdf", "jpg"),
    ledger=("pdf", "tiff", "png"),
    agreement=("pdf", "tiff", "pdf", "tiff"),
)
"""The benchmark corpus: 20 sign-in sheets, 3 ledgers, 4 agreements (every stamp combination)."""


@dataclass
class Case:
    name: str
    annex: str
    dpi: int
    file: str
    """Path relative to the corpus root."""
    format: str
    pages: list[int]
    """1-based pages of the document the file holds."""
    rotations: list[int]
    """Quarter turns (degrees) applied to each page, besides the small skew."""
    fields: list[dict[str, Any]] = field(default_factory=list)
    """``{"path": JSON pointer, "type": name|id_number|date|number, "value": …, "seq": n}``."""
    signatures: list[dict[str, Any]] = field(default_factory=list)
    """``{"path": JSON pointer, "signed": bool, "seq": n|None}`` for every signature cell."""

    def path(self, root: Path) -> Path:
        return root / self.file


# ----------------------------------------------------------------------------- planning


@dataclass
class _Planned:
    key: str
    fmt: str
    render: Document
    truth: dict[str, Any]


def _plan(spec: CorpusSpec, rng: random.Random) -> list[_Planned]:
    documents = plan_package(SAMPLE_CLASS)
    by_annex: dict[str, list[Document]] = {}
    for document in documents:
        by_annex.setdefault(document.annex, []).append(document)
    planned: list[_Planned] = []
    sheets = by_annex["signin"]
    for index, fmt in enumerate(spec.signin):
        base = sheets[index % len(sheets)]
        truth = copy.deepcopy(base.record)
        for row in truth["rows"]:
            row["signed_in"] = rng.random() < 0.85
            row["signed_out"] = rng.random() < 0.8
        truth["actual_count"] = sum(1 for row in truth["rows"] if row["signed_in"])
        truth["confirmations"] = {
            key: rng.random() < 0.7
            for key in ("teacher_signed", "head_teacher_signed", "trainee_rep_signed")
        }
        render = copy.deepcopy(truth)
        for row in render["rows"]:
            row["signed_in"] = row["signed_out"] = False
        render["confirmations"] = dict.fromkeys(truth["confirmations"], False)
        key = f"signin-{index + 1:02d}"
        planned.append(_Planned(key, fmt, _doc(base, key, render), truth))
    for index, fmt in enumerate(spec.ledger):
        base = by_annex["ledger"][0]
        truth = copy.deepcopy(base.record)
        for row in truth["rows"]:
            row["score"] = rng.randint(52, 98)
            if row["score"] >= 60:
                row["skill_level"] = "中级工"
        key = f"ledger-{index + 1:02d}"
        planned.append(_Planned(key, fmt, _doc(base, key, truth), truth))
    for index, fmt in enumerate(spec.agreement):
        base = by_annex["agreement"][0]
        truth = copy.deepcopy(base.record)
        truth["signed_a"], truth["signed_b"] = PARTY_CYCLE[index % len(PARTY_CYCLE)]
        render = copy.deepcopy(truth)
        render["signed_a"] = render["signed_b"] = False
        key = f"agreement-{index + 1:02d}"
        planned.append(_Planned(key, fmt, _doc(base, key, render), truth))
    return planned


def _doc(base: Document, key: str, record: dict[str, Any]) -> Document:
    return Document(base.annex, key, record, f"scan corpus {key}")


# ---------------------------------------------------------------------------- PDF layout


class _PageText:
    """Where text sits on one PDF page, in PDF points (origin bottom left)."""

    def __init__(self, page: Any) -> None:
        self.height = float(page.get_size()[1])
        self.textpage = page.get_textpage()

    def find(self, text: str) -> list[tuple[float, float, float, float]]:
        """Boxes ``(left, bottom, right, top)`` of every occurrence of ``text``."""
        boxes = []
        searcher = self.textpage.search(text, match_case=True)
        while (found := searcher.get_next()) is not None:
            index, count = found
            chars = [self.textpage.get_charbox(i) for i in range(index, index + count)]
            chars = [c for c in chars if c[2] > c[0]]
            if chars:
                boxes.append(
                    (
                        min(c[0] for c in chars),
                        min(c[1] for c in chars),
                        max(c[2] for c in chars),
                        max(c[3] for c in chars),
                    )
                )
        return boxes

    def to_pixels(self, box: tuple[float, float, float, float], scale: float) -> Box:
        left, bottom, right, top = box
        return (
            left * scale,
            (self.height - top) * scale,
            right * scale,
            (self.height - bottom) * scale,
        )


def _rules(dark: npt.NDArray[np.bool_], axis: int) -> list[float]:
    """Centres of the ruling lines across a strip of ``dark`` pixels (axis 0: vertical lines)."""
    share = dark.mean(axis=axis)
    positions = np.flatnonzero(share > 0.9)
    lines: list[float] = []
    run: list[int] = []
    for position in positions.tolist():
        if run and position != run[-1] + 1:
            lines.append(sum(run) / len(run))
            run = []
        run.append(position)
    if run:
        lines.append(sum(run) / len(run))
    return lines


def _cell(dark: npt.NDArray[np.bool_], text_box: Box, column_x: float) -> Box | None:
    """The table cell in the row of ``text_box`` and the column through ``column_x``."""
    top, bottom = int(text_box[1]), int(text_box[3]) + 1
    verticals = _rules(dark[top:bottom, :], 0)
    left = max((x for x in verticals if x < column_x), default=None)
    right = min((x for x in verticals if x > column_x), default=None)
    if left is None or right is None:
        return None
    inner = dark[:, int(left) + 4 : int(right) - 3]
    horizontals = _rules(inner, 1)
    middle = (text_box[1] + text_box[3]) / 2
    upper = max((y for y in horizontals if y < middle), default=None)
    lower = min((y for y in horizontals if y > middle), default=None)
    if upper is None or lower is None:
        return None
    return (left, upper, right, lower)


# ------------------------------------------------------------------------------- drawing


def _bezier(points: Sequence[tuple[float, float]], steps: int = 24) -> npt.NDArray[np.int32]:
    p0, p1, p2, p3 = (np.array(p, dtype=np.float64) for p in points)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    curve = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3
    return np.round(curve).astype(np.int32)


def draw_signature(image: Image, box: Box, rng: random.Random, dpi: int) -> None:
    """A handwritten-looking Chinese signature inside ``box``: two or three clusters of
    cubic Bézier strokes (one per character) and sometimes a trailing flourish."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    ink = rng.choice([(110, 40, 25), (90, 30, 20), (35, 30, 30), (25, 25, 25)])
    thickness = max(1, round(rng.uniform(0.35, 0.5) / 25.4 * dpi))
    glyphs = rng.choice((2, 3, 3))
    used = rng.uniform(0.7, 1.0) * width
    start = left + rng.uniform(0, width - used)
    pitch = used / glyphs
    for g in range(glyphs):
        gx0 = start + g * pitch
        for _ in range(rng.randint(2, 4)):
            points = [
                (gx0 + rng.uniform(0.05, 0.95) * pitch, top + rng.uniform(0.05, 0.95) * height)
                for _ in range(4)
            ]
            cv2.polylines(image, [_bezier(points)], False, ink, thickness, cv2.LINE_AA)
    if rng.random() < 0.4:
        y = top + rng.uniform(0.6, 0.95) * height
        points = [
            (start + used * 0.5, y),
            (start + used * rng.uniform(0.6, 0.8), top + rng.uniform(0.5, 1.0) * height),
            (start + used * rng.uniform(0.8, 0.95), top + rng.uniform(0.3, 1.0) * height),
            (start + used, top + rng.uniform(0.2, 0.9) * height),
        ]
        cv2.polylines(image, [_bezier(points)], False, ink, thickness, cv2.LINE_AA)


def draw_stamp(
    image: Image, centre: tuple[float, float], radius: float, rng: random.Random
) -> None:
    """A red round company seal: ring, five-pointed star, glyph-like strokes along the rim;
    printed over what is below it (multiplied, like ink)."""
    layer = np.zeros(image.shape[:2], dtype=np.uint8)
    cx, cy = centre
    ring = max(2, round(radius * 0.06))
    cv2.circle(layer, (round(cx), round(cy)), round(radius), 255, ring, cv2.LINE_AA)
    star = [
        (
            cx + (radius * 0.28 if k % 2 == 0 else radius * 0.11) * math.sin(k * math.pi / 5),
            cy - (radius * 0.28 if k % 2 == 0 else radius * 0.11) * math.cos(k * math.pi / 5),
        )
        for k in range(10)
    ]
    cv2.fillPoly(layer, [np.round(np.array(star)).astype(np.int32)], 255, cv2.LINE_AA)
    stroke = max(1, round(radius * 0.035))
    glyph = radius * 0.16
    for k in range(12):
        angle = math.radians(-200 + k * (220 / 11))
        gx = cx + radius * 0.72 * math.cos(angle)
        gy = cy + radius * 0.72 * math.sin(angle)
        for _ in range(3):
            a = (gx + rng.uniform(-glyph, glyph) / 2, gy + rng.uniform(-glyph, glyph) / 2)
            b = (gx + rng.uniform(-glyph, glyph) / 2, gy + rng.uniform(-glyph, glyph) / 2)
            cv2.line(layer, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), 255, stroke)
    alpha = (layer.astype(np.float32) / 255.0 * rng.uniform(0.75, 0.95))[:, :, None]
    red = np.array([45, 35, 205], dtype=np.float32) / 255.0
    tinted = image.astype(np.float32) * (1 - alpha + alpha * red)
    image[:] = np.clip(tinted, 0, 255).astype(np.uint8)


def age_paper(image: Image, rng: random.Random, quarter_turns: int, dpi: int) -> Image:
    """Grey uneven paper, skew, a quarter turn, sensor noise and JPEG compression."""
    height, width = image.shape[:2]
    tone = rng.uniform(0.84, 0.93)
    xs = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    light = tone + 0.05 * (xs * rng.uniform(-1, 1) + ys * rng.uniform(-1, 1))
    paper = image.astype(np.float32) * light[:, :, None]
    angle = rng.choice((-1, 1)) * rng.uniform(1.0, 3.0)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    border = float(rng.uniform(60, 110))
    skewed = cv2.warpAffine(
        paper,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(border, border, border),
    )
    turned = np.rot90(skewed, k=-(quarter_turns // 90)) if quarter_turns else skewed
    grain = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(3, 7), turned.shape)
    noisy = turned + np.asarray(grain, dtype=np.float32)
    if dpi >= 250:
        noisy = cv2.GaussianBlur(noisy, (3, 3), 0.6)
    out: Image = np.clip(noisy, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(50, 70)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    if decoded is None:
        raise RuntimeError("JPEG decoding failed")
    return np.asarray(decoded, dtype=np.uint8)


# --------------------------------------------------------------------------- the pages


def _signin_page(
    image: Image, text: _PageText, truth: dict[str, Any], scale: float, rng: random.Random, dpi: int
) -> tuple[list[int], list[str]]:
    """Sign the rows and confirmations found on this page; returns the row indexes and the
    confirmation keys present."""
    dark = image.min(axis=2) < 140
    rows_here: list[int] = []
    header = text.find("身份证号码")
    columns: dict[str, float] = {}
    if header:
        hy = (header[0][1] + header[0][3]) / 2
        for key, label in (("signed_in", "签到"), ("signed_out", "签退")):
            for box in text.find(label):
                if abs((box[1] + box[3]) / 2 - hy) < 6:
                    columns[key] = (box[0] + box[2]) / 2 * scale
    for index, row in enumerate(truth["rows"]):
        found = text.find(row["id_number"])
        if not found:
            continue
        rows_here.append(index)
        id_box = text.to_pixels(found[0], scale)
        for key, x in columns.items():
            cell = _cell(dark, id_box, x)
            if cell is None:
                raise RuntimeError(f"no {key} cell for row {index + 1}")
            if row[key]:
                left, top, right, bottom = cell
                w, h = right - left, bottom - top
                box = (left + 0.12 * w, top + 0.18 * h, right - 0.12 * w, bottom - 0.18 * h)
                draw_signature(image, box, rng, dpi)
    present: list[str] = []
    for key, label in (
        ("teacher_signed", "授课老师（签名）"),
        ("head_teacher_signed", "班主任（签名）"),
        ("trainee_rep_signed", "培训对象代表（签名）"),
    ):
        found = text.find(label)
        if not found:
            continue
        present.append(key)
        left, top, right, bottom = text.to_pixels(found[0], scale)
        size = bottom - top
        if truth["confirmations"][key]:
            x0 = right + size * 1.6
            draw_signature(image, (x0, top - size * 0.6, x0 + size * 3.2, bottom), rng, dpi)
    return rows_here, present


def _ledger_rows(text: _PageText, truth: dict[str, Any]) -> list[int]:
    return [i for i, row in enumerate(truth["rows"]) if text.find(row["id_number"])]


def _agreement_page(
    image: Image, text: _PageText, truth: dict[str, Any], scale: float, rng: random.Random, dpi: int
) -> None:
    party_b = text.find("乙方（盖章）")
    split = text.to_pixels(party_b[0], scale)[0] if party_b else math.inf
    signers = text.find("法定代表人或委托代理人（签字）")
    for key, label in (("signed_a", "甲方（盖章）"), ("signed_b", "乙方（盖章）")):
        found = text.find(label)
        if not found or not truth[key]:
            continue
        _left, top, right, bottom = text.to_pixels(found[0], scale)
        size = bottom - top
        radius = 38 * scale * rng.uniform(0.95, 1.05)
        centre = (right + radius * rng.uniform(0.9, 1.2), bottom + radius * rng.uniform(0.1, 0.4))
        for box in signers:
            sx0, sy0, sx1, sy1 = text.to_pixels(box, scale)
            if (sx0 < split - 10 * scale) == (key == "signed_a"):
                x0 = sx1 + size * 1.1
                draw_signature(image, (x0, sy0 - size * 0.6, x0 + size * 4, sy1), rng, dpi)
        draw_stamp(image, centre, radius, rng)


# ------------------------------------------------------------------------------- output


def _write(case: Case, root: Path, pages: list[Image], dpi: int, rng: random.Random) -> None:
    target = case.path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    if case.format == "jpg":
        cv2.imwrite(str(target), pages[0], [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
    elif case.format == "png":
        cv2.imwrite(str(target), pages[0])
    elif case.format == "tiff":
        ok = cv2.imwritemulti(str(target), pages, [cv2.IMWRITE_TIFF_COMPRESSION, 5])
        if not ok:
            raise RuntimeError(f"could not write {target}")
    else:
        _scanned_pdf(target, pages, dpi, rng)


def _scanned_pdf(target: Path, pages: list[Image], dpi: int, rng: random.Random) -> None:
    """A PDF of page images only, as a scanner makes it: one JPEG per page."""
    pdf = pdfium.PdfDocument.new()
    jpegs = []
    for index, page in enumerate(pages):
        jpeg = target.with_name(f".{target.stem}-{index}.jpg")
        cv2.imwrite(str(jpeg), page, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
        jpegs.append(jpeg)
        height, width = page.shape[:2]
        w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
        pdf_page = pdf.new_page(w_pt, h_pt)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(str(jpeg), pages=[pdf_page], inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(w_pt, h_pt))
        pdf_page.insert_obj(image)
        pdf_page.gen_content()
    pdf.save(str(target))
    pdf.close()
    for jpeg in jpegs:
        jpeg.unlink()


def _fields(annex: str, truth: dict[str, Any], rows: Iterable[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(path: str, kind: str, value: Any, seq: int | None = None) -> None:
        if value not in (None, ""):
            out.append({"path": path, "type": kind, "value": value, "seq": seq})

    if annex == "signin":
        add("/date", "date", truth["date"])
        add("/expected_count", "number", truth.get("expected_count"))
        add("/actual_count", "number", truth.get("actual_count"))
        for i in rows:
            row = truth["rows"][i]
            add(f"/rows/{i}/name", "name", row["name"], row["seq"])
            add(f"/rows/{i}/id_number", "id_number", row["id_number"], row["seq"])
    elif annex == "ledger":
        for i in rows:
            row = truth["rows"][i]
            seq = row["seq"]
            add(f"/rows/{i}/name", "name", row["name"], seq)
            add(f"/rows/{i}/id_number", "id_number", row["id_number"], seq)
            add(f"/rows/{i}/start_date", "date", row["start_date"], seq)
            add(f"/rows/{i}/end_date", "date", row["end_date"], seq)
            for key in ("age", "score", "phone"):
                add(f"/rows/{i}/{key}", "number", row.get(key), seq)
    else:
        add("/signed_date", "date", truth["signed_date"])
        add("/training/start_date", "date", truth["training"]["start_date"])
        add("/training/end_date", "date", truth["training"]["end_date"])
        add("/training/headcount", "number", truth["training"].get("headcount"))
        add("/fee/total", "number", truth["fee"].get("total"))
        add("/fee/per_person", "number", truth["fee"].get("per_person"))
    return out


def build_corpus(root: Path, spec: CorpusSpec = SMALL) -> list[Case]:
    """Write the corpus under ``root`` (``src/`` the rendered forms, ``scans/<dpi>/`` the
    scans, ``truth/<dpi>/`` and ``cases.json`` the truth); returns the cases."""
    rng = random.Random(spec.seed)
    planned = _plan(spec, rng)
    source = root / "src"
    write_documents([p.render for p in planned], source, pdf=True, force=True)
    cases: list[Case] = []
    for item in planned:
        pdf = pdfium.PdfDocument(str(source / f"{item.render.stem}.pdf"))
        try:
            count = 1 if item.fmt in SINGLE_PAGE else len(pdf)
            for dpi in spec.dpis:
                cases.append(_build_case(root, item, pdf, count, dpi, spec.seed))
        finally:
            pdf.close()
    (root / "cases.json").write_text(
        json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return cases


def _build_case(root: Path, item: _Planned, pdf: Any, count: int, dpi: int, seed: int) -> Case:
    rng = random.Random(f"{seed}/{item.key}/{dpi}")
    scale = dpi / 72
    annex = item.render.annex
    truth = item.truth
    images: list[Image] = []
    rotations: list[int] = []
    rows: list[int] = []
    confirmations: list[str] = []
    for number in range(count):
        page = pdf[number]
        text = _PageText(page)
        image: Image = np.ascontiguousarray(page.render(scale=scale).to_numpy()[:, :, :3])
        if annex == "signin":
            found, present = _signin_page(image, text, truth, scale, rng, dpi)
            rows += found
            confirmations += present
        elif annex == "ledger":
            rows += _ledger_rows(text, truth)
        else:
            _agreement_page(image, text, truth, scale, rng, dpi)
        turn = rng.choice((90, 180, 270)) if rng.random() < 0.2 else 0
        rotations.append(turn)
        images.append(age_paper(image, rng, turn, dpi))
    case = Case(
        name=f"{item.key}-{dpi}",
        annex=annex,
        dpi=dpi,
        file=f"scans/{dpi}/{item.key}.{item.fmt}",
        format=item.fmt,
        pages=list(range(1, count + 1)),
        rotations=rotations,
        fields=_fields(annex, truth, rows),
    )
    if annex == "signin":
        for i in rows:
            row = truth["rows"][i]
            for key in ("signed_in", "signed_out"):
                case.signatures.append(
                    {"path": f"/rows/{i}/{key}", "signed": row[key], "seq": row["seq"]}
                )
        for key in confirmations:
            case.signatures.append(
                {"path": f"/confirmations/{key}", "signed": truth["confirmations"][key]}
            )
    elif annex == "agreement" and count > 2:
        for key in ("signed_a", "signed_b"):
            case.signatures.append({"path": f"/{key}", "signed": truth[key], "seq": None})
    _write(case, root, images, dpi, rng)
    truth_file = root / "truth" / str(dpi) / f"{item.key}.json"
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    truth_file.write_text(json.dumps(asdict(case), ensure_ascii=False, indent=1), "utf-8")
    return case


def load_cases(root: Path) -> list[Case]:
    return [Case(**c) for c in json.loads((root / "cases.json").read_text("utf-8"))]


# ------------------------------------------------------------------------------ scoring


@dataclass
class Tally:
    total: int = 0
    correct: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += ok

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Score:
    """What the checker got right over a set of cases."""

    fields: dict[str, Tally] = field(default_factory=lambda: {t: Tally() for t in FIELD_TYPES})
    classified: Tally = field(default_factory=Tally)
    engine: Tally = field(default_factory=Tally)
    signatures: Tally = field(default_factory=Tally)
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        signed = self.true_pos + self.false_neg
        return self.true_pos / signed if signed else 1.0

    def summary(self) -> dict[str, Any]:
        return {
            "fields": {k: {"total": t.total, "exact": t.rate} for k, t in self.fields.items()},
            "classified": self.classified.rate,
            "engine_ocr": self.engine.rate,
            "signatures": {
                "cells": self.signatures.total,
                "correct": self.signatures.rate,
                "precision": self.precision,
                "recall": self.recall,
            },
            "mistakes": self.mistakes,
        }


_MISSING = object()


def lookup(data: Any, pointer: str, seq: int | None = None) -> Any:
    """The value at JSON ``pointer``; a ``/rows/i/…`` pointer finds the row by its ``seq``
    first (a reader that drops a row must not shift every later row), then by position."""
    parts = pointer.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "rows" and seq is not None and isinstance(data, dict):
        rows = data.get("rows") or []
        match = [r for r in rows if isinstance(r, dict) and _same(r.get("seq"), seq)]
        if match:
            return lookup(match[0], "/" + "/".join(parts[2:]))
    node = data
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _same(got: Any, want: Any) -> bool:
    if got is _MISSING or got is None:
        return False
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, (int, float)):
        try:
            return float(got) == float(want)
        except (TypeError, ValueError):
            return False
    return str(got).strip() == str(want)


def score_case(case: Case, results: Sequence[Any], score: Score) -> None:
    """Add one case to ``score``; ``results`` are the DocumentResults for its file."""
    readable = [r for r in results if r.annex is not None]
    result = max(readable, key=lambda r: r.pages or 0) if readable else None
    annex = result.annex if result else None
    score.classified.add(annex == case.annex)
    if annex != case.annex:
        score.mistakes.append(f"{case.name}: classified {annex!r}, expected {case.annex!r}")
    engine = result.extraction.engine if result else None
    score.engine.add(engine == "ocr")
    if engine != "ocr":
        score.mistakes.append(f"{case.name}: engine {engine!r}")
    data = result.data if result and result.data is not None else {}
    for item in case.fields:
        got = lookup(data, item["path"], item.get("seq"))
        ok = _same(got, item["value"])
        score.fields[item["type"]].add(ok)
        if not ok:
            shown = "—" if got is _MISSING else repr(got)
            score.mistakes.append(f"{case.name}{item['path']}: {shown} ≠ {item['value']!r}")
    for item in case.signatures:
        got = lookup(data, item["path"], item.get("seq"))
        want = bool(item["signed"])
        ok = got is want
        score.signatures.add(ok)
        if want and got is True:
            score.true_pos += 1
        elif want:
            score.false_neg += 1
        elif got is True:
            score.false_pos += 1
        if not ok:
            shown = "—" if got is _MISSING else repr(got)
            score.mistakes.append(f"{case.name}{item['path']}: signed {shown}, truth {want}")


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: python -m tests.scans.build OUTDIR [--small]", file=sys.stderr)
        return 2
    spec = SMALL if "--small" in argv else LARGE
    cases = build_corpus(Path(argv[0]), spec)
    print(f"{len(cases)} cases, {sum(len(c.pages) for c in cases)} pages in {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
