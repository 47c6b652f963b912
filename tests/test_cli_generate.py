"""`annex generate`: what a user sees on good data, bad data and existing files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from annexkit.cli import cli
from annexkit.generator.package import Document


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_generate_filing_writes_docx(tmp_path: Path, by_annex: Any) -> None:
    data = write_json(tmp_path / "filing.json", by_annex("filing").record)
    result = run("generate", "filing", str(data), "-o", str(tmp_path / "备案表.docx"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "备案表.docx").stat().st_size > 5000
    assert "备案表.docx" in result.output


def test_invalid_data_lists_every_problem_and_writes_nothing(tmp_path: Path, by_annex: Any) -> None:
    record = json.loads(json.dumps(by_annex("filing").record))
    record["enterprise"]["contact_phone"] = "12345"
    record["enterprise"]["credit_code"] = "91110000600037341A"
    del record["enterprise"]["address"]
    record["roster"][2]["id_number"] = "440703197503121230"
    record["training"]["start_date"] = "2025-02-30"
    record["training"]["headcount"] = "二十"
    data = write_json(tmp_path / "bad.json", record)
    out = tmp_path / "out.docx"
    result = run("generate", "filing", str(data), "-o", str(out))
    assert result.exit_code == 2
    assert not out.exists() and list(tmp_path.iterdir()) == [data]
    text = result.output
    assert "共6处" in text and "6 problems" in text
    for pointer, label, code in [
        ("/enterprise/contact_phone", "企业基本情况 › 联系电话", "invalid-phone"),
        ("/enterprise/credit_code", "企业基本情况 › 统一社会信用代码", "invalid-credit-code"),
        ("/enterprise/address", "企业基本情况 › 地址", "missing-field"),
        ("/roster/2/id_number", "培训人员名册 第3行 › 身份证号码", "invalid-id-number"),
        ("/training/start_date", "培训计划 › 培训开始日期", "invalid-date"),
        ("/training/headcount", "培训计划 › 培训人数", "invalid-value"),
    ]:
        line = next(li for li in text.splitlines() if pointer + " " in li)
        assert label in line and f"[{code}]" in line
    assert "校验码" in text and "check character" in text
    # identifiers are masked unless asked for
    assert "440703197503121230" not in text and "4407**********1230" in text
    assert "12345" not in text.replace("4407**********1230", "")


def test_reveal_shows_identifiers(tmp_path: Path, by_annex: Any) -> None:
    record = json.loads(json.dumps(by_annex("filing").record))
    record["roster"][0]["id_number"] = "440703197503121230"
    data = write_json(tmp_path / "bad.json", record)
    result = run("generate", "filing", str(data), "-o", str(tmp_path / "o.docx"), "--reveal")
    assert result.exit_code == 2 and "440703197503121230" in result.output


def test_yaml_with_unquoted_ids_and_dates(tmp_path: Path, by_annex: Any) -> None:
    """YAML reads 2025-11-03 as a date and an ID without X as an integer: both are text."""
    record = by_annex("ledger").record
    text = yaml.safe_dump(record, allow_unicode=True).replace("'", "")
    data = tmp_path / "ledger.yaml"
    data.write_text(text, "utf-8")
    result = run("generate", "ledger", str(data), "-o", str(tmp_path / "l.docx"))
    assert result.exit_code == 0, result.output


def test_existing_output_is_not_overwritten(tmp_path: Path, by_annex: Any) -> None:
    data = write_json(tmp_path / "s.json", by_annex("signin").record)
    out = tmp_path / "s.docx"
    out.write_bytes(b"the user's own file")
    result = run("generate", "signin", str(data), "-o", str(out))
    assert result.exit_code == 2
    assert "--force" in result.output and out.read_bytes() == b"the user's own file"
    assert run("generate", "signin", str(data), "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes().startswith(b"PK")


def test_bad_input_files_get_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("filing: [unclosed\n", "utf-8")
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]", "utf-8")
    cases = [
        (tmp_path / "missing.json", "文件不存在", "file not found"),
        (broken, "YAML语法错误", "invalid YAML"),
        (listing, "顶层应为键值对", "must be a mapping"),
    ]
    for path, zh, en in cases:
        result = run("generate", "filing", str(path), "-o", str(tmp_path / "x.docx"))
        assert result.exit_code == 2
        assert str(path) in result.output and zh in result.output and en in result.output
        assert "Traceback" not in result.output


def test_package_writes_every_document(tmp_path: Path, sample_documents: list[Document]) -> None:
    from tests.conftest import SAMPLE_CLASS

    out = tmp_path / "pkg"
    result = run("generate", "package", str(SAMPLE_CLASS), "-o", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{d.stem}.docx" for d in sample_documents)
    assert len(names) == 3 + 20  # filing, agreement, ledger, one sheet per session
    again = run("generate", "package", str(SAMPLE_CLASS), "-o", str(out))
    assert again.exit_code == 2 and "--force" in again.output


def test_schema_command_prints_the_schema() -> None:
    result = run("schema", "ledger")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$id"] == "urn:annexkit:schema:ledger" and schema["title"] == "培训台账"
    assert run("schema", "nonsense").exit_code == 2
