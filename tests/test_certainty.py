"""Issue 10, the certainty rule: an error only on certain evidence. A field whose text the
checker cannot read with certainty gets a warning quoting that text (``unreadable-value``),
never ``missing-field`` or ``invalid-*``; a value read with certainty and wrong is still an
error."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import docx

from annexkit.checker.document import check_document
from annexkit.checker.findings import CATALOGUE, Finding, Person, on_read_evidence
from annexkit.contract.formats import age_on
from tests.synthetic import make_person

HEADER = ["序号", "姓名", "性别", "年龄", "身份证号码", "文化程度", "培训职业（工种）",
          "培训机构名称及班别", "培训起止日期", "考核成绩", "技能等级", "联系方式"]  # fmt: skip


def _ledger(tmp_path: Path, start: str, education: str) -> list[Finding]:
    person = make_person(random.Random(7), dt.date(2025, 11, 3))
    document = docx.Document()
    document.add_paragraph("培训台账")
    table = document.add_table(rows=2, cols=len(HEADER))
    row = [
        "1",
        person["name"],
        person["gender"],
        str(age_on(person["id_number"], dt.date(2025, 11, 3))),
        person["id_number"],
        education,
        "电工",
        "江门市新技职业培训学校第3期",
        start,
        "85",
        "四级",
        person["phone"],
    ]
    for column, (label, value) in enumerate(zip(HEADER, row, strict=True)):
        table.cell(0, column).text = label
        table.cell(1, column).text = value
    path = tmp_path / "台账.docx"
    document.save(str(path))
    [result] = check_document(path, path.name)
    assert result.annex == "ledger"
    return result.findings


def test_text_that_cannot_be_read_is_a_warning_quoting_it(tmp_path: Path) -> None:
    findings = _ledger(tmp_path, "明年三月", "高中及以上")
    unread = {f.path: f for f in findings if f.code == "unreadable-value"}
    assert set(unread) == {"/rows/0/start_date", "/rows/0/end_date", "/rows/0/education"}
    assert all(f.severity == "warning" for f in unread.values())
    assert "明年三月" in unread["/rows/0/start_date"].message
    assert "高中及以上" in unread["/rows/0/education"].message
    assert not [f for f in findings if f.severity == "error"], findings


def test_a_value_read_with_certainty_and_wrong_is_still_an_error(tmp_path: Path) -> None:
    findings = _ledger(tmp_path, "2025年13月1日至2025年11月14日", "高中")
    assert [(f.code, f.path) for f in findings if f.severity == "error"] == [
        ("invalid-date", "/rows/0/start_date")
    ]
    assert not [f for f in findings if f.code == "unreadable-value"]


def test_a_clean_row_has_no_finding(tmp_path: Path) -> None:
    findings = _ledger(tmp_path, "2025年11月3日至11月14日", "中职")
    assert [f.code for f in findings] == []


def test_the_report_gives_the_classification_margin(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from annexkit.cli import cli

    _ledger(tmp_path, "2025年11月3日至11月14日", "中职")
    shown = CliRunner().invoke(
        cli, ["check", str(tmp_path / "台账.docx"), "--format", "json", "--workers", "1"]
    )
    [document] = json.loads(shown.output)["packages"][0]["documents"]
    classification = document["classification"]
    assert classification["runner_up"] in ("filing", "agreement", "signin")
    assert 0.1 <= classification["margin"] <= 1


def test_a_near_tie_between_two_annexes_is_a_warning() -> None:
    from annexkit.checker.classify import Classification

    tie = Classification("ledger", 0.8, {"ledger": 0.8, "signin": 0.75, "filing": 0.1})
    clear = Classification("ledger", 0.8, {"ledger": 0.8, "signin": 0.5, "filing": 0.1})
    assert tie.near_tie and tie.runner_up == "signin" and tie.margin == 0.05
    assert not clear.near_tie


def _ledger_layout(engine: str) -> list[Finding]:
    from annexkit.checker.document import check_layout
    from annexkit.checker.layout import Cell, Extraction, LayoutDocument, Paragraph, Table

    person = make_person(random.Random(3), dt.date(2025, 11, 3))
    age = str(age_on(person["id_number"], dt.date(2025, 11, 3)))
    row = ["1", "", person["gender"], age, person["id_number"], "高中", "电工",
           "江门市新技职业培训学校第3期", "2025年11月3日至11月14日", "85", "四级",
           person["phone"]]  # fmt: skip
    cells = [Cell(text, 0, column) for column, text in enumerate(HEADER)]
    cells += [Cell(text, 1, column) for column, text in enumerate(row)]
    layout = LayoutDocument(
        "台账.png",
        "png",
        [Paragraph("培训台账", 1), Table(1, cells)],
        pages=1,
        extraction=Extraction(engine, 0.95),
    )
    return check_layout(layout, "台账.png").findings


def test_a_blank_the_recogniser_saw_on_a_scan_is_a_warning_not_an_error() -> None:
    read = [(f.code, f.path, f.severity) for f in _ledger_layout("docx")]
    scanned = [(f.code, f.path, f.severity) for f in _ledger_layout("ocr")]
    assert ("missing-field", "/rows/0/name", "error") in read
    assert ("missing-field", "/rows/0/name", "warning") in scanned
    assert not [f for f in scanned if f[2] == "error"]


def test_what_rests_on_a_scan_is_a_warning() -> None:
    """Recognition is never certain evidence: an error about a scanned document, or one
    whose message names a scanned document (a typed sheet's row missing from a scanned
    ledger), is a warning; errors about typed documents alone stay errors."""
    typed = Finding("missing-annex", {"title": "附件7 培训台账", "annex": "ledger"})
    person = Person("李四", "440703199001011239")
    on_typed_sheet = Finding(
        "trainee-not-in-ledger",
        {"document": "签到.xlsx", "row": 3, "person": person, "other": "台账.tiff"},
        document="签到.xlsx",
    )
    other_ledger = Finding(
        "trainee-not-in-ledger",
        {"document": "签到.xlsx", "row": 4, "person": person, "other": "台账.xlsx"},
        document="签到.xlsx",
    )
    on_scan = Finding(
        "missing-field", _example("missing-field"), document="台账.tiff", path="/rows/0/name"
    )
    already = Finding("duplicate-phone", _example("duplicate-phone"), document="台账.tiff")
    findings = [typed, on_typed_sheet, other_ledger, on_scan, already]
    on_read_evidence(findings, {"台账.tiff"})
    assert [f.severity for f in findings] == ["error", "warning", "error", "warning", "warning"]


def _example(code: str) -> dict[str, object]:
    return dict(CATALOGUE[code].messages[""].example)


def test_registry_add_stops_at_what_a_scanned_ledger_only_warns_of() -> None:
    """A warning that is one only because the ledger was scanned still keeps its rows out
    of the registry (without --force): a grant is not recorded from an ID number OCR may
    have misread. A warning of its own kind (a shared phone) does not."""
    from annexkit.checker.layout import Extraction
    from annexkit.checker.result import DocumentResult, PackageResult
    from annexkit.cli.registry import _ledger_errors

    bad_id = Finding(
        "invalid-id-number", _example("invalid-id-number"), document="台账.png", path="/rows/0"
    )
    phones = Finding("duplicate-phone", _example("duplicate-phone"), document="台账.png")
    ledger = DocumentResult(
        "台账.png", "png", annex="ledger", data={"rows": []}, extraction=Extraction("ocr", 0.9)
    )
    ledger.findings = on_read_evidence([bad_id, phones], {"台账.png"})
    assert [f.severity for f in ledger.findings] == ["warning", "warning"]
    assert _ledger_errors(PackageResult("p", documents=[ledger])) == [bad_id]
