"""OCR of scanned annexes: generated sign-in sheets and ledgers, rasterised, read back.

The generated PDFs are rendered with PDFium to PNG/JPEG (upright, turned, skewed, noisy)
and to an image-only PDF, then checked as a user's file would be: the annex must be
recognised and the rows' names and ID numbers read exactly.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest

from annexkit.checker.document import check_document
from annexkit.checker.readers.image_grid import find_grids
from annexkit.checker.readers.images import read_image_pages
from annexkit.checker.readers.ocr import Glyph, Image, Page, TextBox, rotate, rotate_quarter, skew
from annexkit.checker.readers.scan import _split_at_rulings, render_page
from annexkit.checker.readers.sniff import sniff
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document

MIN_MATCH = 0.95


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]) -> Path:
    """The first sign-in sheet and the ledger as PDFs."""
    chosen = [next(d for d in sample_documents if d.annex == a) for a in ("signin", "ledger")]
    out = tmp_path_factory.mktemp("ocr")
    write_documents(chosen, out, pdf=True)
    return out


def _pdf(folder: Path, annex: str) -> Path:
    number = {"signin": "附件8", "ledger": "附件7"}[annex]
    return next(folder.glob(f"{number}_*.pdf"))


def _expected(documents: list[Document], annex: str) -> list[tuple[str, str]]:
    document = next(d for d in documents if d.annex == annex)
    return [(r["name"], r["id_number"]) for r in document.record["rows"]]


def _page(pdf_path: Path, index: int, dpi: int) -> Image:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return render_page(pdf, index, dpi)
    finally:
        pdf.close()


def _match(
    path: Path, annex: str, expected: list[tuple[str, str]], *, prefix: bool = False
) -> float:
    """Share of expected (name, ID) rows read exactly; asserts the annex. ``prefix``: the
    page holds only the first rows (as many as were read, at least 10)."""
    results = check_document(path, path.name)
    assert [r.annex for r in results] == [annex], [r.findings for r in results]
    result = results[0]
    assert result.extraction.engine == "ocr"
    data: dict[str, Any] = result.data or {}
    rows = data.get("rows", [])
    read_rows = {(r.get("name"), r.get("id_number")) for r in rows}
    if prefix:
        assert len(rows) >= 10
        expected = expected[: len(rows)]
    rate = sum(1 for row in expected if row in read_rows) / len(expected)
    print(f"{path.name}: {rate:.1%} of {len(expected)} rows exact")
    return rate


def _write(path: Path, image: Image, *params: int) -> Path:
    assert cv2.imwrite(str(path), image, list(params))
    return path


@pytest.mark.pdf
@pytest.mark.parametrize("annex", ["signin", "ledger"])
def test_png_300dpi_reads_rows(
    scans: Path, sample_documents: list[Document], tmp_path: Path, annex: str
) -> None:
    image = _page(_pdf(scans, annex), 0, 300)
    png = _write(tmp_path / f"{annex}.png", image)
    expected = _expected(sample_documents, annex)
    assert _match(png, annex, expected, prefix=True) >= MIN_MATCH


@pytest.mark.pdf
def test_image_only_pdf_is_read_by_ocr(
    scans: Path, sample_documents: list[Document], tmp_path: Path
) -> None:
    """A scan saved as PDF: every page lacks a text layer; both pages are read and the
    table continued on page 2 is joined."""
    from PIL import Image as Pil

    source = _pdf(scans, "signin")
    pdf = pdfium.PdfDocument(str(source))
    count = len(pdf)
    images = [
        Pil.fromarray(cv2.cvtColor(render_page(pdf, i, 200), cv2.COLOR_BGR2RGB))
        for i in range(count)
    ]
    pdf.close()
    scanned = tmp_path / "scan.pdf"
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=200, save_all=True, append_images=images[1:])
    scanned.write_bytes(buffer.getvalue())
    assert _match(scanned, "signin", _expected(sample_documents, "signin")) >= MIN_MATCH


def _signin_page(scans: Path, sample_documents: list[Document]) -> tuple[Image, list[Any]]:
    image = _page(_pdf(scans, "signin"), 0, 200)
    return image, _expected(sample_documents, "signin")


@pytest.mark.pdf
@pytest.mark.parametrize("turn", [90, 180])
def test_turned_page(  # 90° clockwise and upside down
    scans: Path, sample_documents: list[Document], tmp_path: Path, turn: int
) -> None:
    image, expected = _signin_page(scans, sample_documents)
    png = _write(tmp_path / f"turned{turn}.png", rotate_quarter(image, turn))
    assert _match(png, "signin", expected, prefix=True) >= MIN_MATCH


@pytest.mark.pdf
def test_skewed_noisy_grey_jpeg(
    scans: Path, sample_documents: list[Document], tmp_path: Path
) -> None:
    """Tilted 2°, grey paper, sensor noise, JPEG at quality 70."""
    image, expected = _signin_page(scans, sample_documents)
    tilted = rotate(image, 2.0)
    rng = np.random.default_rng(7)
    grey = tilted.astype(np.float32) * 0.8 + 30
    noisy = np.clip(grey + rng.normal(0, 12, grey.shape), 0, 255).astype(np.uint8)
    jpeg = _write(tmp_path / "noisy.jpg", noisy, cv2.IMWRITE_JPEG_QUALITY, 70)
    assert sniff(jpeg) == "image"
    assert _match(jpeg, "signin", expected, prefix=True) >= MIN_MATCH


@pytest.mark.pdf
def test_searchable_copy(scans: Path, sample_documents: list[Document], tmp_path: Path) -> None:
    """``annex check --searchable DIR``: a copy whose text layer holds what OCR read, placed on
    the page as scanned (here turned on its side); the original untouched; a second run
    never overwrites the first copy; a DOCX gets no copy."""
    import json

    from click.testing import CliRunner

    from annexkit.cli import cli

    image, expected = _signin_page(scans, sample_documents)
    package = tmp_path / "package"
    package.mkdir()
    scan = _write(package / "signin.png", rotate_quarter(image, 90))
    original = scan.read_bytes()
    write_documents([next(d for d in sample_documents if d.annex == "filing")], package)
    out, report = tmp_path / "copies", tmp_path / "report.json"
    args = ["check", str(package), "--searchable", str(out), "--format", "json", "-o", str(report)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    copy = out / "package" / "signin.searchable.pdf"
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == [copy.name]
    assert scan.read_bytes() == original
    assert "1 searchable copies written" in result.output
    documents = json.loads(report.read_text("utf-8"))["packages"][0]["documents"]
    assert [d.get("searchable") for d in documents if d["format"] == "png"] == [str(copy)]
    pdf = pdfium.PdfDocument(str(copy))
    try:
        text = pdf[0].get_textpage().get_text_range()
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert width < height  # scanned on its side, written upright
    names = [name for name, _ in expected[:10]]
    assert sum(name in text for name in names) >= 9, text[:300]
    first = copy.read_bytes()
    CliRunner().invoke(cli, args, catch_exceptions=False)
    assert copy.read_bytes() == first
    assert (out / "package" / "signin.searchable-2.pdf").is_file()


# Geometry and routing without OCR: fast.


def _ruled(merged: bool) -> Image:
    """A 3×3 ruled table on a white page; ``merged``: the top row's first two cells are one."""
    page = np.full((800, 600), 255, dtype=np.uint8)
    xs, ys = [50, 200, 350, 550], [100, 160, 220, 280]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for i, x in enumerate(xs):
        top = ys[1] if merged and i == 1 else ys[0]
        cv2.line(page, (x, top), (x, ys[-1]), 0, 2)
    cv2.putText(page, "TITLE 1111", (60, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 3)
    return page


def test_grid_finds_cells_and_merged_cell() -> None:
    plain = find_grids(_ruled(False))
    assert len(plain) == 1 and len(plain[0].cells) == 9
    merged = find_grids(_ruled(True))[0]
    assert len(merged.cells) == 8
    first = merged.cells[0]
    assert (first.row, first.column, first.rowspan, first.colspan) == (0, 0, 1, 2)


def test_grid_ignores_signature_strokes() -> None:
    """Long straight strokes of a signature inside a cell are no ruling lines: the table keeps
    its nine cells (they used to split a signed cell in two)."""
    page = _ruled(False)
    cv2.line(page, (215, 175), (330, 178), 0, 2)  # across the middle cell, touching nothing
    cv2.line(page, (275, 165), (277, 212), 0, 2)  # down it
    (grid,) = find_grids(page)
    assert (len(grid.xs), len(grid.ys), len(grid.cells)) == (4, 4, 9)


def _thin_table(rows: int = 8) -> tuple[Image, list[int]]:
    """A 150-dpi-like table: one-pixel mid-grey rulings, rows as low as their text, a dark
    bar (bold characters) sitting on some of the lines."""
    page = np.full((900, 1200), 220, dtype=np.uint8)
    xs, ys = [60, 300, 600, 900, 1140], [100 + 26 * r for r in range(rows + 1)]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 120, 1)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 120, 1)
    for y in ys[1:-1:2]:
        for x in range(70, 170, 6):  # strokes of bold characters above the line and under it
            page[y - 12 : y - 2, x : x + 3] = 30
            page[y + 3 : y + 13, x : x + 3] = 30
    return page, ys


def test_grid_finds_thin_tilted_rulings() -> None:
    """Scans at 150 dpi: a one-pixel ruling left tilted a tenth of a degree after deskewing
    steps sideways as it runs, and between bold characters the threshold loses part of
    it. Every row is still found, none merged with the next."""
    page, ys = _thin_table()
    tilted = rotate(page, 0.15)
    (grid,) = find_grids(tilted)
    assert len(grid.ys) == len(ys)
    assert len(grid.xs) == 5
    assert len(grid.cells) == 4 * (len(ys) - 1)


def test_text_across_a_spot_is_no_ruling() -> None:
    """A header written across two columns (培训起止日期 over 开始 | 结束): a down stroke of
    its text where the columns' ruling would be does not split the header."""
    page = np.full((600, 800), 255, dtype=np.uint8)
    xs, ys = [50, 400, 750], [100, 140, 180, 220]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in (xs[0], xs[-1]):
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(page, (xs[1], ys[1]), (xs[1], ys[-1]), 0, 2)  # the ruling below the header
    cv2.line(page, (xs[1], ys[0] + 6), (xs[1], ys[1]), 0, 2)  # a stroke of 止 on it
    header = (300, 104, 500, 136)
    assert len(find_grids(page)[0].cells) == 6  # seen as a ruling without the text
    (grid,) = find_grids(page, [header])
    first = grid.cells[0]
    assert (first.row, first.column, first.rowspan, first.colspan) == (0, 0, 1, 2)
    assert len(grid.cells) == 5


def test_skew_from_vertical_lines() -> None:
    """A table scanned sideways with few rows shows long vertical lines only."""
    page = np.full((1400, 1000), 255, dtype=np.uint8)
    for x in range(100, 900, 100):
        cv2.line(page, (x, 100), (x, 1300), 0, 3)
    tilted = rotate(page, 2.0)
    assert abs(skew(tilted) - 2.0) < 0.3
    assert abs(skew(rotate(page, -1.5)) + 1.5) < 0.3


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_boxes_map_back_to_the_scan(turn: int) -> None:
    """What was read on the upright, deskewed page is placed on the page as scanned, turned
    upright (the searchable copy's page)."""
    source = np.full((800, 600), 255, dtype=np.uint8)
    source[300:340, 150:400] = 0
    upright = rotate_quarter(rotate(source, -2.0), turn)
    ys, xs = np.nonzero(upright < 128)
    box = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))
    corners = Page(upright, [], turn, 2.0).on_scan(box)
    ys, xs = np.nonzero(rotate_quarter(source, turn) < 128)
    # the box found on the deskewed page is slightly larger than the tilted rectangle
    assert min(corners[0::2]) == pytest.approx(xs.min(), abs=12)
    assert max(corners[0::2]) == pytest.approx(xs.max(), abs=12)
    assert min(corners[1::2]) == pytest.approx(ys.min(), abs=12)
    assert max(corners[1::2]) == pytest.approx(ys.max(), abs=12)


def test_text_split_where_it_crosses_a_ruling() -> None:
    """The detector sometimes joins the text of two cells (``年龄 性别``): the characters go
    each to its own cell."""
    (grid,) = find_grids(_ruled(False))
    glyphs = (
        Glyph("年", (60, 110, 90, 150), 0.99),
        Glyph("龄", (95, 110, 125, 150), 0.99),
        Glyph("性", (210, 110, 240, 150), 0.99),
        Glyph("别", (245, 110, 275, 150), 0.98),
    )
    joined = TextBox("年龄 性别", (60, 110, 275, 150), 0.97, glyphs)
    parts = _split_at_rulings(joined, [grid])
    assert [(p.text, p.box) for p in parts] == [
        ("年龄", (60, 110, 125, 150)),
        ("性别", (210, 110, 275, 150)),
    ]
    assert _split_at_rulings(TextBox("年龄", (60, 110, 125, 150), 0.9, glyphs[:2]), [grid]) == [
        TextBox("年龄", (60, 110, 125, 150), 0.9, glyphs[:2])
    ]


def test_multipage_tiff_pages(tmp_path: Path) -> None:
    path = tmp_path / "two.tif"
    pages = [_ruled(False), _ruled(True)]
    assert cv2.imwritemulti(str(path), pages)
    assert sniff(path) == "image"
    read_back = read_image_pages(path)
    assert len(read_back) == 2 and read_back[0].shape == (800, 600, 3)


def test_gif_is_still_refused(tmp_path: Path) -> None:
    from annexkit.checker.readers.errors import UnreadableDocument

    path = tmp_path / "x.gif"
    path.write_bytes(b"GIF89a" + b"\0" * 32)
    with pytest.raises(UnreadableDocument):
        sniff(path)
