"""`annex check` end to end: a batch with good and malformed documents, formats, exit codes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from annexkit.cli import cli
from annexkit.generator.output import write_documents
from annexkit.generator.package import Document
from tests.test_readers import encrypted_pdf


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def good_package(
    tmp_path_factory: pytest.TempPathFactory, sample_documents: list[Document]
) -> Path:
    """Filing, agreement, ledger and two sign-in sheets of the sample class, as PDF."""
    out = tmp_path_factory.mktemp("good")
    chosen = sample_documents[:5]
    write_documents(chosen, out, pdf=True)
    for docx in out.glob("*.docx"):
        docx.unlink()
    return out


@pytest.mark.pdf
def test_batch_with_malformed_documents(tmp_path: Path, good_package: Path) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(good_package, batch / "班1")
    bad = batch / "班2"
    bad.mkdir()
    real = next(good_package.glob("附件5*.pdf")).read_bytes()
    (bad / "truncated.pdf").write_bytes(real[: len(real) // 2])
    (bad / "encrypted.pdf").write_bytes(encrypted_pdf(b"secret"))
    (bad / "not-a-zip.docx").write_text("this is not a Word file", "utf-8")
    (bad / "empty.pdf").write_bytes(b"")
    with (bad / "huge.pdf").open("wb") as handle:  # 200 MB, sparse: costs no disk
        handle.truncate(200 * 1024 * 1024)
    with zipfile.ZipFile(bad / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(bytes(1 << 20))
    with zipfile.ZipFile(batch / "班3.zip", "w") as archive:
        archive.writestr("../evil.pdf", real)
        archive.writestr("/abs.pdf", real)
        archive.writestr("附件5.pdf", real)

    result = run(str(batch), "--format", "json", "--workers", "2")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    packages = {p["path"]: p for p in report["packages"]}
    good = packages[str(batch / "班1")]
    assert sorted(d["annex"] for d in good["documents"]) == sorted(
        ["filing", "agreement", "ledger", "signin", "signin"]
    )
    unreadable = {
        f["document"]: f["message"]
        for f in packages[str(batch / "班2")]["findings"]
        if f["code"] == "unreadable-document"
    }
    assert set(unreadable) == {
        "truncated.pdf",
        "encrypted.pdf",
        "not-a-zip.docx",
        "empty.pdf",
        "huge.pdf",
        "bomb.docx",
    }
    assert "加密" in unreadable["encrypted.pdf"] and "encrypted" in unreadable["encrypted.pdf"]
    assert "过大" in unreadable["huge.pdf"]
    zipped = packages[str(batch / "班3.zip")]
    assert [d["annex"] for d in zipped["documents"]] == ["filing"]
    refused = [f for f in zipped["findings"] if f["code"] == "unreadable-document"]
    assert len(refused) == 2 and all(
        "evil" in f["message"] or "abs" in f["message"] for f in refused
    )


@pytest.mark.pdf
def test_formats_masking_and_selection(
    tmp_path: Path, good_package: Path, sample_documents: list[Document]
) -> None:
    out = tmp_path / "reports"
    result = run(
        str(good_package),
        "--format",
        "json",
        "-o",
        str(out / "r.json"),
        "--format",
        "junit",
        "-o",
        str(out / "r.xml"),
        "--format",
        "sarif",
        "-o",
        str(out / "r.sarif"),
        "--format",
        "html",
        "-o",
        str(out / "r.html"),
        "--format",
        "text",
        "--workers",
        "1",
    )
    assert result.exit_code == 1
    assert "附件7 培训台账" in result.output and "个错误" in result.output
    report: dict[str, Any] = json.loads((out / "r.json").read_text("utf-8"))
    ledger = next(d for d in report["packages"][0]["documents"] if d["annex"] == "ledger")
    first = ledger["data"]["rows"][0]
    assert "*" in first["id_number"] and "*" in first["phone"]
    real = [p["id_number"] for p in sample_documents[0].record["roster"]]
    phones = [p["phone"] for p in sample_documents[0].record["roster"]]
    for name in ("r.json", "r.xml", "r.sarif", "r.html"):
        text = (out / name).read_text("utf-8") + result.output
        assert not [v for v in real + phones if v in text], name
    ET.parse(out / "r.xml")
    assert json.loads((out / "r.sarif").read_text("utf-8"))["version"] == "2.1.0"

    revealed = json.loads(run(str(good_package), "--format", "json", "--reveal").output)
    ledger = next(d for d in revealed["packages"][0]["documents"] if d["annex"] == "ledger")
    assert "*" not in ledger["data"]["rows"][0]["id_number"]

    only = json.loads(
        run(str(good_package), "--format", "json", "--select", "missing-field").output
    )
    assert set(only["summary"]["by_code"]) == {"missing-field"}
    none = run(
        str(good_package),
        "--ignore",
        "missing-field,missing-signature",
        "--claim-date",
        "2025-12-01",
    )
    assert none.exit_code == 0, none.output


def test_usage_errors(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "no such file" in missing.output
    tmp_path.joinpath("x.pdf").write_bytes(b"")
    unknown = run(str(tmp_path), "--select", "no-such-code")
    assert unknown.exit_code == 2 and "unknown finding code" in unknown.output
    two = run(str(tmp_path), "--format", "json", "--format", "text")
    assert two.exit_code == 2 and "standard output" in two.output
