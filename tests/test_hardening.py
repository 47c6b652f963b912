"""Small hostile files (issue 11): each is made here, checked by ``annex check`` in a
subprocess, and must give a clear finding with the peak memory of the whole process tree
(the CLI, its fork server and the workers) under :data:`TREE_LIMIT`.

The peak is measured exactly: a small harness process makes itself the *child subreaper*
(Linux ``prctl``), so the fork server that multiprocessing leaves behind is re-parented to
it and reaped; ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` then covers every process of the
run, workers included.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from annexkit.checker.readers.errors import UnreadableDocument

ROOT = Path(__file__).resolve().parent.parent
ANNEX = Path(sys.executable).with_name("annex")
TREE_LIMIT = 1536 * 1024 * 1024
"""1.5 GB for the whole process tree of one ``annex check`` of one hostile file."""
RUN_TIMEOUT = 240

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the tree's peak memory is measured on Linux"
)

_HARNESS = textwrap.dedent(
    """
    import ctypes, json, os, resource, signal, subprocess, sys
    ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphans come back to us
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    signal.alarm(30)  # the fork server exits once the CLI has gone; never wait for ever
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr,
                      "peak": peak}))
    """
)


def annex_check(*args: str | Path) -> tuple[dict[str, Any], int, str]:
    """``annex check ARGS --format json`` in its own process tree: (report, peak bytes of
    the tree, stderr)."""
    command = [str(ANNEX), "check", *map(str, args), "--format", "json", "--workers", "1"]
    done = subprocess.run(
        [sys.executable, "-c", _HARNESS, *command],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=ROOT,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["rc"] in (0, 1), result["err"]
    print(f"\n{' '.join(map(str, args))}: tree peak {result['peak'] / 2**20:.0f} MB")
    return json.loads(result["out"]), result["peak"], result["err"]


def findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        f
        for p in report["packages"]
        for f in p["findings"] + [f for d in p["documents"] for f in d.get("findings", [])]
    ]


def codes(report: dict[str, Any]) -> list[str]:
    return [f["code"] for f in findings(report)]


def message(report: dict[str, Any], code: str) -> str:
    return " | ".join(f["message"] for f in findings(report) if f["code"] == code)


# --- hostile files -------------------------------------------------------------------------


def big_page_pdf(path: Path, side: float = 10_000.0) -> Path:
    """A PDF of some 550 bytes with one empty page of ``side`` × ``side`` points."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R >>" % (side, side),
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    return _write_pdf(path, objects)


def encrypted_pdf(path: Path) -> Path:
    """A PDF under the standard security handler with a password nobody knows."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"41" * 32
        + b"> /U <"
        + b"42" * 32
        + b"> /P -4 >>",
    ]
    return _write_pdf(path, objects, trailer=b"/Encrypt 4 0 R /ID [<0123456789abcdef> <0123>]")


def _write_pdf(path: Path, objects: list[bytes], trailer: bytes = b"") -> Path:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def huge_png(path: Path, side: int = 20_000) -> Path:
    """A grey PNG of ``side`` × ``side`` pixels, all white: some 400 KB for 400 Mpx."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    packer = zlib.compressobj(9)
    row = b"\0" + b"\xff" * side
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
    path.write_bytes(data + chunk(b"IEND", b""))
    return path


def long_tiff(path: Path, pages: int = 400, size: tuple[int, int] = (1700, 2200)) -> Path:
    """A TIFF of ``pages`` blank bilevel pages (CCITT G4): a few MB on disk, gigabytes if
    every page were decoded at once."""
    from PIL import Image

    page = Image.new("1", size, 1)
    page.save(path, save_all=True, append_images=[page] * (pages - 1), compression="group4")
    return path


def big_xlsx(path: Path, cells: int) -> Path:
    """A workbook whose one sheet defines ``cells`` numeric cells, written as raw XML."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
            '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            columns = 16
            for row in range(1, cells // columns + 1):
                cells_xml = b"".join(
                    b'<c r="%s%d"><v>%d</v></c>' % (bytes([65 + c]), row, row * 7919 + c * 104729)
                    for c in range(columns)
                )
                sheet.write(b'<row r="%d">%s</row>' % (row, cells_xml))
            sheet.write(b"</sheetData></worksheet>")
    return path


# --- the defects ---------------------------------------------------------------------------


def test_huge_pdf_page_is_rendered_within_the_pixel_limit(tmp_path: Path) -> None:
    pdf = big_page_pdf(tmp_path / "page.pdf")
    assert pdf.stat().st_size < 1024
    report, peak, _ = annex_check(pdf)
    assert peak < TREE_LIMIT, f"peak {peak / 2**20:.0f} MB"
    warning = message(report, "low-confidence")
    assert "--max-megapixels" in warning and "10000×10000 pt" in warning


def test_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    png = huge_png(tmp_path / "scan.png")
    assert png.stat().st_size < 1024 * 1024
    report, peak, _ = annex_check(png)
    assert peak < TREE_LIMIT, f"peak {peak / 2**20:.0f} MB"
    text = message(report, "unreadable-document")
    assert "20000×20000" in text and "not decoded" in text
    document = report["packages"][0]["documents"][0]
    assert document["extraction"] == {"engine": None, "confidence": 0}


def test_long_tiff_is_read_page_by_page_and_the_rest_reported(tmp_path: Path) -> None:
    tiff = long_tiff(tmp_path / "scan.tif")
    report, peak, _ = annex_check(tiff)
    assert peak < TREE_LIMIT, f"peak {peak / 2**20:.0f} MB"
    document = report["packages"][0]["documents"][0]
    assert document["pages"] == 200
    text = message(report, "unreadable-document")
    assert "pages 201–400 were not read" in text and "--max-pages" in text


def test_page_limit_is_an_option(tmp_path: Path) -> None:
    tiff = long_tiff(tmp_path / "scan.tif", pages=5, size=(300, 400))
    report, _, _ = annex_check(tiff, "--max-pages", "2")
    assert report["packages"][0]["documents"][0]["pages"] == 2
    assert "pages 3–5 were not read" in message(report, "unreadable-document")


def test_xlsx_with_too_many_cells_is_refused_before_openpyxl(tmp_path: Path) -> None:
    # 640,000 cells in 19 MB of XML: under the XML limit, over the cell limit.
    xlsx = big_xlsx(tmp_path / "ledger.xlsx", 640_000)
    report, peak, _ = annex_check(xlsx)
    assert peak < TREE_LIMIT, f"peak {peak / 2**20:.0f} MB"
    assert "more than 500,000 cells" in message(report, "unreadable-document")


def test_xlsx_with_too_much_xml_is_refused_from_the_zip_directory(tmp_path: Path) -> None:
    xlsx = big_xlsx(tmp_path / "ledger.xlsx", 200_000)
    report, peak, _ = annex_check(xlsx, "--max-xml-mb", "2")
    assert peak < TREE_LIMIT
    text = message(report, "unreadable-document")
    assert "of XML, over the limit of 2.0 MB (--max-xml-mb)" in text


def test_links_leading_outside_or_looping_are_refused(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    big_page_pdf(package / "a.pdf", 595)
    (package / "etc_dir").symlink_to("/etc")
    (package / "loop").symlink_to(".")
    (package / "passwd.pdf").symlink_to("/etc/passwd")
    report, peak, _ = annex_check(package)
    assert peak < TREE_LIMIT
    assert len(report["packages"]) == 1  # not a batch of pkg, pkg/etc_dir and pkg/loop
    package_report = report["packages"][0]
    assert [d["path"] for d in package_report["documents"]] == ["a.pdf"]
    refused = message(report, "unreadable-document")
    assert "etc_dir: symbolic link leading outside the checked folder" in refused
    assert "passwd.pdf: symbolic link leading outside the checked folder" in refused
    assert "loop: symbolic link to a folder containing it (a loop)" in refused
    assert "hostname" not in json.dumps(report)  # nothing of /etc is listed


def test_unread_documents_claim_no_engine(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    encrypted_pdf(package / "locked.pdf")
    with zipfile.ZipFile(package / "broken.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    report, peak, _ = annex_check(package)
    assert peak < TREE_LIMIT
    documents = report["packages"][0]["documents"]
    assert {d["path"] for d in documents} == {"locked.pdf", "broken.xlsx"}
    for document in documents:
        assert document["extraction"] == {"engine": None, "confidence": 0}, document
    assert "encrypted" in message(report, "unreadable-document")
    for finding in findings(report):
        assert "\n" not in finding["message"]


def test_strict_open_xml_is_unsupported_not_corrupt(tmp_path: Path) -> None:
    docx = tmp_path / "strict.docx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body/>'
            "</w:document>",
        )
    report, _, _ = annex_check(docx)
    text = message(report, "unreadable-document")
    assert "Strict Open XML" in text and "corrupt" not in text


def test_memory_cap_gives_a_finding_not_an_oom_kill(tmp_path: Path) -> None:
    # 400,000 cells pass every limit and take openpyxl some 400 MB: under a 300 MB cap the
    # allocation fails in the worker, which reports it and is replaced.
    xlsx = big_xlsx(tmp_path / "ledger.xlsx", 400_000)
    report, peak, _ = annex_check(xlsx, "--max-memory", "0.3")
    assert peak < 400 * 2**20, f"peak {peak / 2**20:.0f} MB"
    text = message(report, "unreadable-document")
    assert "needs more than 307 MB of memory (--max-memory)" in text, text
    assert "corrupt" not in text


def test_a_crash_under_the_memory_cap_names_the_cap() -> None:
    from annexkit.checker.batch import _death

    zh, en = _death(-11, 2 * 2**30)
    assert "SIGSEGV" in en and "it may have needed more than 2 GB of memory" in en
    assert "可能需要超过 2 GB 内存" in zh
    assert "memory" not in _death(-11, None)[1]


def test_a_memory_error_is_not_reported_as_corrupt(tmp_path: Path) -> None:
    from annexkit.checker.batch import run_batch
    from annexkit.checker.discover import discover

    (tmp_path / "a.docx").write_bytes(b"x")
    [result] = run_batch(discover([tmp_path]), workers=1, check=_hog, max_memory=256 * 2**20)
    [document] = result.documents
    [finding] = document.findings
    assert "needs more than 256 MB of memory" in finding.message
    assert document.extraction.engine is None and document.extraction.confidence == 0


def _hog(path: Path, display: str) -> list[Any]:
    """A checker that wants 4 GB (run in a worker under the memory cap)."""
    hog = bytearray(4 * 2**30)
    return [hog]


def test_reader_reasons_are_single_line() -> None:
    error = UnreadableDocument("坏\n了", "broken\r\nhere  (KeyError:\n'x')")
    assert error.zh == "坏 了" and error.en == "broken here (KeyError: 'x')"


@pytest.mark.skipif(os.environ.get("ANNEXKIT_NO_OCR") == "1", reason="OCR stack not wanted")
def test_rapidocr_logs_without_colour_codes() -> None:
    import io
    import logging

    pytest.importorskip("rapidocr")
    from annexkit.checker.readers.ocr import engine

    engine()
    log = logging.getLogger("RapidOCR")
    stream = io.StringIO()
    for handler in log.handlers:
        assert isinstance(handler, logging.StreamHandler)
        saved = handler.setStream(stream)
        try:
            log.warning("a warning")
        finally:
            handler.setStream(saved)
    assert "a warning" in stream.getvalue() and "\x1b[" not in stream.getvalue()
