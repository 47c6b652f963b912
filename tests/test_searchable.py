"""The searchable copy of a scanned document (checker/searchable.py)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest

from annexkit.checker.searchable import OcrText, write_searchable

Image = npt.NDArray[np.uint8]
SIZE = (850, 1100)  # a letter-ish page at 100 dpi, in pixels (width, height)
TITLE = "培训对象参训出勤签到表"
NAME = "张三 Zhang San（签名）"
RARE = "𠀀龘"  # outside the BMP, and a rare one inside


def _scan(seed: int = 0) -> Image:
    """A grey page with a printed title, a table and a signature-like scribble."""
    rng = np.random.default_rng(seed)
    img = np.full((SIZE[1], SIZE[0], 3), 228, dtype=np.uint8)
    cv2.putText(img, "SIGN-IN SHEET", (150, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 4)
    for y in range(300, 900, 60):
        cv2.line(img, (80, y), (770, y), (0, 0, 0), 2)
    cv2.ellipse(img, (600, 700), (90, 70), 0, 0, 360, (40, 40, 200), 6)
    noise = rng.normal(0, 4, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def _runs(size: tuple[int, int] = SIZE) -> list[OcrText]:
    sx, sy = size[0] / SIZE[0], size[1] / SIZE[1]
    boxes = {TITLE: (150, 150, 600, 210), NAME: (100, 310, 420, 350), RARE: (100, 430, 180, 470)}
    return [
        OcrText(text, (x0 * sx, y0 * sy, x1 * sx, y1 * sy), (float(size[0]), float(size[1])))
        for text, (x0, y0, x1, y1) in boxes.items()
    ]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text(pdf: Path, index: int = 0) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        return str(page.get_textpage().get_text_range())
    finally:
        document.close()


def _render(pdf: Path, scale: float, index: int = 0) -> Image:
    document = pdfium.PdfDocument(pdf)
    try:
        array = document[index].render(scale=scale).to_numpy()
        return np.array(array[:, :, :3], dtype=np.uint8)
    finally:
        document.close()


def _close(a: Image, b: Image) -> None:
    """The same page up to JPEG loss and noise: nothing drawn over it."""
    assert a.shape == b.shape
    blur_a = cv2.GaussianBlur(a, (5, 5), 0).astype(int)
    blur_b = cv2.GaussianBlur(b, (5, 5), 0).astype(int)
    diff = np.abs(blur_a - blur_b)
    assert float(np.mean(diff)) < 2.0
    assert float(np.percentile(diff, 99.9)) < 40


def _scanned_pdf(path: Path, image: Image, dpi: float = 100.0) -> Path:
    """A scanned PDF made by pdfium: the JPEG of the page, no text."""
    jpeg = path.with_suffix(".src.jpg")
    cv2.imwrite(str(jpeg), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    height, width = image.shape[:2]
    w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
    document = pdfium.PdfDocument.new()
    page = document.new_page(w_pt, h_pt)
    obj = pdfium.PdfImage.new(document)
    obj.load_jpeg(str(jpeg), inline=False)
    obj.set_matrix(pdfium.PdfMatrix().scale(w_pt, h_pt))
    page.insert_obj(obj)
    page.gen_content()
    document.save(str(path))
    document.close()
    return path


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def test_image_source(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    image = _scan()
    cv2.imwrite(str(source), image)
    before = _digest(source)
    out = write_searchable(source, [_runs()], tmp_path / "out" / "scan.pdf", dpi=100)
    assert out == tmp_path / "out" / "scan.pdf"
    assert _digest(source) == before
    text = _text(out)
    for expected in (TITLE, NAME, RARE):
        assert expected in text
    poppler = _pdftotext(out)
    for expected in (TITLE, NAME, RARE):
        assert expected in poppler
    # The page looks like the scan: invisible text draws nothing.
    _close(_render(out, 100 / 72), image)


def test_text_sits_on_its_box(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    cv2.imwrite(str(source), _scan())
    out = write_searchable(source, [_runs()], tmp_path / "scan.pdf", dpi=100)
    document = pdfium.PdfDocument(out)
    try:
        page = document[0]
        height_pt = page.get_height()
        textpage = page.get_textpage()
        for run in _runs():
            x0, y0, x1, y1 = (v * 72 / 100 for v in run.box)
            inside = textpage.get_text_bounded(
                x0 - 2, height_pt - y1 - 2, x1 + 2, height_pt - y0 + 2
            )
            assert run.text in str(inside)
        # the first and last characters of the title span the box's width
        first = textpage.get_charbox(0)
        last = textpage.get_charbox(len(TITLE) - 1)
        assert first[0] == pytest.approx(150 * 0.72, abs=3)
        assert last[2] == pytest.approx(600 * 0.72, abs=3)
    finally:
        document.close()


def test_pdf_source_at_another_resolution(tmp_path: Path) -> None:
    """A scanned PDF whose OCR ran at 200 dpi: the page is rendered at that size and keeps
    its size in points."""
    source = _scanned_pdf(tmp_path / "scan.pdf", _scan(1))
    before = _digest(source)
    big = (SIZE[0] * 2, SIZE[1] * 2)
    out = write_searchable(source, [_runs(big)], tmp_path / "searchable.pdf")
    assert _digest(source) == before
    for expected in (TITLE, NAME, RARE):
        assert expected in _text(out)
        assert expected in _pdftotext(out)
    original = pdfium.PdfDocument(source)
    copy = pdfium.PdfDocument(out)
    try:
        assert copy[0].get_size() == pytest.approx(original[0].get_size(), abs=0.01)
    finally:
        original.close()
        copy.close()
    _close(_render(source, 200 / 72), _render(out, 200 / 72))


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    cv2.imwrite(str(source), _scan())
    out = tmp_path / "scan.pdf"
    out.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        write_searchable(source, [_runs()], out)
    assert out.read_bytes() == b"keep me"
    write_searchable(source, [_runs()], out, force=True)
    assert TITLE in _text(out)
    with pytest.raises(ValueError, match="source"):
        write_searchable(source, [_runs()], source, force=True)
    assert list(tmp_path.glob(".searchable-*")) == []


def test_jpeg_is_embedded_as_is(tmp_path: Path) -> None:
    source = tmp_path / "scan.jpg"
    cv2.imwrite(str(source), _scan(), [cv2.IMWRITE_JPEG_QUALITY, 70])
    out = write_searchable(source, [_runs()], tmp_path / "scan.pdf", dpi=100)
    assert source.read_bytes() in out.read_bytes()
    assert TITLE in _text(out)


def test_several_pages_tuples_and_quads(tmp_path: Path) -> None:
    """A folder of page images; runs as plain tuples, one with a quadrilateral box; a page
    without text; grey pages."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"p{i}.png"), cv2.cvtColor(_scan(i), cv2.COLOR_BGR2GRAY))
    size = (float(SIZE[0]), float(SIZE[1]))
    pages: list[list[OcrText | tuple[str, tuple[float, ...], tuple[float, float]]]] = [
        [("第一页", (100.0, 100.0, 300.0, 140.0), size)],
        [],
        [("第三页 quad", (100.0, 100.0, 300.0, 102.0, 301.0, 140.0, 99.0, 139.0), size)],
    ]
    out = write_searchable(folder, pages[:3], tmp_path / "all.pdf")
    assert "第一页" in _text(out, 0)
    assert _text(out, 1).strip() == ""
    assert "第三页 quad" in _text(out, 2)
    with pytest.raises(ValueError, match="pages of text"):
        write_searchable(folder, [*pages, []], tmp_path / "more.pdf")


def test_multipage_tiff(tmp_path: Path) -> None:
    source = tmp_path / "scan.tif"
    ok = cv2.imwritemulti(str(source), [_scan(0), _scan(1)])
    assert ok
    out = write_searchable(source, [[], _runs()], tmp_path / "scan.pdf", dpi=100)
    document = pdfium.PdfDocument(out)
    try:
        assert len(document) == 2
    finally:
        document.close()
    assert NAME in _text(out, 1)


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_searchable(tmp_path / "none.pdf", [], tmp_path / "out.pdf")


def test_only_wholly_scanned_files_get_a_copy(tmp_path: Path) -> None:
    """``annex check --searchable``: a PDF with a text-layer page is not rasterised into a
    copy (its real text would be lost); a file with no scanned page is passed over quietly."""
    from annexkit.checker.document import searchable_copy
    from annexkit.checker.layout import LayoutDocument

    source = tmp_path / "mixed.pdf"
    source.write_bytes(b"%PDF-1.4 not read")
    mixed = LayoutDocument("mixed.pdf", "pdf", [], pages=2, text_runs={2: []}, turns={2: 0})
    copy, why = searchable_copy(source, "mixed.pdf", [mixed], tmp_path / "out")
    assert copy is None and why is not None and "text layer" in why
    typed = LayoutDocument("typed.pdf", "pdf", [], pages=1)
    assert searchable_copy(source, "typed.pdf", [typed], tmp_path / "out") == (None, None)
    assert not (tmp_path / "out").exists()
