"""File names that are not UTF-8: GBK names from Windows, on disk and inside zips, reach
every report format decoded (or escaped), never as an internal error."""

from __future__ import annotations

import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from annexkit.checker.discover import discover, display_path
from annexkit.checker.report import FORMATS
from annexkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "samples" / "packages" / "clean"
NAME = "电工班"
GBK = NAME.encode("gbk")  # b"\xb5\xe7\xb9\xa4\xb0\xe0"
UNDECODABLE = b"\xff\xfe\xb5"  # neither UTF-8 nor GB18030


def _documents() -> list[Path]:
    return sorted(p for p in CLEAN.iterdir() if p.is_file())


def _annexes() -> list[str]:
    """The names of the sample's documents (its YAML files are no documents)."""
    return [p.name for p in _documents() if p.suffix == ".docx"]


def _gbk_folder(parent: Path, raw: bytes = GBK) -> Path:
    """A package folder whose name is GBK bytes, as an unzip that kept Windows' bytes
    leaves it; the documents are the clean sample's."""
    folder = os.fsencode(parent) + b"/" + raw
    os.mkdir(folder)
    for document in _documents():
        shutil.copy(document, os.fsdecode(folder + b"/" + os.fsencode(document.name)))
    return Path(os.fsdecode(folder))


class _RawNameInfo(zipfile.ZipInfo):
    """A zip entry whose name is written as the bytes given, without the UTF-8 flag, as
    Windows Explorer on a Chinese system writes GBK names. ``filename`` holds those bytes
    decoded as CP437, which is what :mod:`zipfile` reads back."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def _gbk_zip(path: Path, folder: bytes = GBK) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in _documents():
            raw = folder + b"/" + document.name.encode("gbk")
            info = _RawNameInfo(raw.decode("cp437"))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, document.read_bytes())
    with zipfile.ZipFile(path) as archive:  # it really is a Windows-style archive
        assert all(not i.flag_bits & 0x800 for i in archive.infolist())
        assert NAME not in archive.namelist()[0]
    return path


def _check_every_format(tmp_path: Path, target: Path) -> dict[str, bytes]:
    """``annex check TARGET`` with every report format at once; the reports' bytes."""
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in FORMATS}
    args = [a for fmt, out in outputs.items() for a in ("--format", fmt, "-o", str(out))]
    result = CliRunner().invoke(cli, ["check", str(target), *args])
    assert result.exit_code in (0, 1), result.output
    assert "Internal error" not in result.output
    return {fmt: out.read_bytes() for fmt, out in outputs.items()}


def _cells(xlsx: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    return " ".join(
        str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r
    )


def _assert_reports_name(reports: dict[str, bytes], package: str) -> None:
    """Every report is well formed and shows ``package`` and the documents' names (the
    JSON report all of them; a format listing only documents with findings, at least one)."""
    annexes = _annexes()
    for fmt, data in reports.items():
        if fmt == "xlsx" or data[:2] == b"PK":
            cells = _cells(data)
            assert package in cells and any(d in cells for d in annexes), fmt
            continue
        text = data.decode("utf-8")  # strict: valid UTF-8, no escaped surrogates
        assert "\\udc" not in text, fmt
        if fmt == "json":
            report = json.loads(text)
            [shown] = report["packages"]
            assert shown["path"].endswith(package)
            assert [d["path"] for d in shown["documents"]] == annexes
        elif fmt == "sarif":
            json.loads(text)
        elif fmt == "junit":
            ET.fromstring(data)
        assert package in text and any(d in text for d in annexes), fmt


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_gbk_names_in_every_format(tmp_path: Path, kind: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    if kind == "folder":
        target = _gbk_folder(inbox)
        shown = NAME
    else:
        # The zip's own name is GBK bytes too, and its entries sit in a GBK folder.
        raw = os.fsencode(inbox) + b"/" + GBK + b".zip"
        target = _gbk_zip(Path(os.fsdecode(raw)))
        shown = f"{NAME}.zip"
    _assert_reports_name(_check_every_format(tmp_path / "reports", target), shown)


def test_undecodable_names_are_escaped_in_every_format(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _gbk_folder(inbox, UNDECODABLE)
    reports = _check_every_format(tmp_path, inbox)
    report = json.loads(reports["json"].decode("utf-8"))
    [package] = report["packages"]
    assert package["path"].endswith("/\\xff\\xfe\\xb5")
    escaped = "\\xff\\xfe\\xb5"
    for fmt, data in reports.items():
        if data[:2] == b"PK":
            cells = _cells(data)
            assert escaped in cells, fmt
        else:
            text = data.decode("utf-8")
            # JSON formats escape the backslashes once more.
            assert escaped in text or escaped.replace("\\", "\\\\") in text, fmt


def test_zip_entries_without_the_utf8_flag_are_read_as_gbk(tmp_path: Path) -> None:
    [package] = discover([_gbk_zip(tmp_path / "p.zip")])
    assert [shown for _, shown in package.documents] == _annexes()


def test_undecodable_zip_entries_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_RawNameInfo((UNDECODABLE + b".docx").decode("cp437")), b"not a docx")
    [package] = discover([path])
    assert [shown for _, shown in package.documents] == ["\\xff\\xfe\\xb5.docx"]


def test_text_report_on_stdout(tmp_path: Path) -> None:
    _gbk_folder(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / os.fsdecode(GBK))])
    assert result.exit_code == 0, result.output
    assert f"{NAME}" in result.output


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"/in/" + GBK + b"/x.docx", f"/in/{NAME}/x.docx"),
        ("收件".encode() + b"/" + GBK, f"收件/{NAME}"),  # a GBK folder in a UTF-8 one
        (b"plain/name", "plain/name"),
        (UNDECODABLE, "\\xff\\xfe\\xb5"),
        (b"\xb5\\", "礬"),  # GBK B5 5C: a backslash byte can be half of a character
    ],
)
def test_display_path(raw: bytes, shown: str) -> None:
    assert display_path(os.fsdecode(raw)) == shown
