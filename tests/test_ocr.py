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
from annexkit.checker.readers.ocr import Image, rotate, rotate_quarter
from annexkit.checker.readers.scan import render_page
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
