"""The checker's report: the contract's JSON shape, filtering, masking and every renderer."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import annexkit
from annexkit.checker.findings import CATALOGUE, Finding, Join, Person
from annexkit.checker.layout import Extraction
from annexkit.checker.report import (
    FORMATS,
    UnknownSelectorError,
    build_report,
    display_width,
    exit_status,
    is_selected,
    location_text,
    render_json,
    render_text,
    renderer,
)
from annexkit.checker.report_html import render_html
from annexkit.checker.report_junit import render_junit
from annexkit.checker.report_sarif import render_sarif, start_line
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.checker.rules_doc import render_rules
from annexkit.contract.masking import mask_text
from annexkit.contract.text import Text

ROOT = Path(__file__).resolve().parent.parent

ID_A = "440703199001011239"  # valid check digit
ID_B = "44078119851224002X"
ID_BAD = "44070319900101123X"  # check digit should be 9
MOBILE = "13812345678"
MOBILE_B = "15912345678"
LANDLINE = "0750-3281234"
CREDIT = "124407004557203461"  # all digits, like many public bodies' codes: not personal
NASTY = '<&>"'


def ledger() -> DocumentResult:
    rows = [
        {
            "seq": 1,
            "name": "张三",
            "age": 35,
            "gender": "男",
            "id_number": ID_A,
            "phone": MOBILE,
            "start_date": "2025-06-10",
            "certificate_no": f"S{ID_B}",
        },
        {"seq": 2, "name": f"李四{NASTY}", "age": 39, "id_number": ID_BAD, "phone": MOBILE_B},
    ]
    return DocumentResult(
        path="台账/ledger.pdf",
        format="pdf",
        annex="ledger",
        pages=3,
        data={"project": "电工", "rows": rows},
        extraction=Extraction("pdf-text", 1.0),
        findings=[
            Finding(
                code="invalid-id-number",
                params={
                    "label": "身份证号码",
                    "reason": Text(f"{ID_BAD}校验码错误（应为9）", "check character is wrong"),
                },
                path="/rows/1/id_number",
                location={"page": 1, "table": 1, "row": 5, "column": 6},
                value=ID_BAD,
            ),
            Finding(
                code="age-mismatch",
                params={"label": "年龄", "stated": 39, "actual": 35, "start": "2025-06-10"},
                path="/rows/1/age",
                location={"page": 1, "table": 1, "row": 5, "column": 3},
                value=39,
            ),
            Finding(
                code="low-confidence",
                params={"pages": Join((3,))},
                location={"page": 3},
                variant="pages",
            ),
        ],
    )


def filing() -> DocumentResult:
    return DocumentResult(
        path="filing.docx",
        format="docx",
        annex="filing",
        pages=2,
        data={
            "enterprise": {
                "name": "江门市某电器有限公司",
                "credit_code": CREDIT,
                "contact_person": "王五",
                "contact_phone": LANDLINE,
            },
            "roster": [{"name": "张三", "id_number": ID_A, "phone": MOBILE}],
            "filing_date": "2025-05-01",
        },
    )


def signin() -> DocumentResult:
    return DocumentResult(
        path="signin-0610.xlsx",
        format="xlsx",
        annex="signin",
        pages=1,
        data={"project": "电工", "rows": [{"name": "张三", "id_number": ID_A, "signed_in": True}]},
        extraction=Extraction("xlsx"),
        findings=[
            Finding(
                code="missing-signature",
                params={"label": "授课老师签名", "who": Text("授课老师", "teacher")},
                annex="signin",
                document="signin-0610.xlsx",
                path="/confirmations/teacher_signed",
                location={"sheet": "Sheet1", "cell": "C7"},
                value=False,
            )
        ],
    )


def unknown() -> DocumentResult:
    return DocumentResult(
        path=f"scan-{ID_B}.pdf",
        format="pdf",
        pages=1,
        extraction=Extraction("ocr", 0.41),
        findings=[Finding(code="unknown-document", variant="no-text")],
    )


def package() -> PackageResult:
    return PackageResult(
        path="batch/电工班",
        documents=[filing(), ledger(), signin(), unknown()],
        findings=[
            Finding(
                code="trainee-not-in-roster",
                params={
                    "document": "台账/ledger.pdf",
                    "row": 2,
                    "person": Person("李四", ID_BAD, f"电话{MOBILE_B}"),
                    "other": "filing.docx",
                },
                value=ID_BAD,
            ),
            Finding(
                code="unknown-teacher",
                params={
                    "sheet": "signin-0610.xlsx",
                    "teacher": f"赵六{NASTY}<script>alert(1)</script>",
                    "filing": "filing.docx",
                },
                annex="signin",
                document="signin-0610.xlsx",
                path="/teacher",
                value=f"赵六{NASTY}",
            ),
            Finding(
                code="calendar-provisional",
                params={"years": Join((2031,))},
                severity="info",
            ),
        ],
    )


@pytest.fixture
def report() -> dict[str, Any]:
    return build_report([package()])


def findings_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for p in report["packages"] for f in p["findings"]]


# ----------------------------------------------------------------------------- JSON shape


def test_report_has_the_contract_shape(report: dict[str, Any]) -> None:
    assert list(report) == ["report_version", "tool", "packages", "valid", "summary"]
    assert report["report_version"] == "1"
    assert report["tool"] == {"name": "annexkit", "version": annexkit.__version__}
    (pkg,) = report["packages"]
    assert list(pkg) == ["path", "profile", "documents", "findings"]
    assert pkg["profile"] == "jiangmen-2019"
    for document in pkg["documents"]:
        assert list(document) == ["path", "annex", "format", "pages", "data", "extraction"]
        assert set(document["extraction"]) == {"engine", "confidence"}
        assert isinstance(document["extraction"]["confidence"], float)
        assert document["data"] is None or isinstance(document["data"], dict)
    keys = ["code", "severity", "annex", "document", "path", "message", "location", "value"]
    for finding in pkg["findings"]:
        assert list(finding) == keys
        assert finding["code"] in CATALOGUE
        assert finding["severity"] in ("error", "warning", "info")
        assert isinstance(finding["message"], str)
        assert isinstance(finding["location"], dict)
    assert list(report["summary"]) == ["packages", "documents", "errors", "warnings", "by_code"]
    # the dict is plain JSON: it survives a round trip unchanged
    assert json.loads(render_json(report)) == report


def test_documents_and_findings_in_report_order(report: dict[str, Any]) -> None:
    (pkg,) = report["packages"]
    assert [d["annex"] for d in pkg["documents"]] == ["filing", "ledger", "signin", None]
    ledger_doc = pkg["documents"][1]
    assert (ledger_doc["format"], ledger_doc["pages"]) == ("pdf", 3)
    assert ledger_doc["extraction"] == {"engine": "pdf-text", "confidence": 1.0}
    assert pkg["documents"][3]["extraction"] == {"engine": "ocr", "confidence": 0.41}
    # document findings first, in document order, then the package-level ones
    assert [f["code"] for f in pkg["findings"]] == [
        "invalid-id-number",
        "age-mismatch",
        "low-confidence",
        "missing-signature",
        "unknown-document",
        "trainee-not-in-roster",
        "unknown-teacher",
        "calendar-provisional",
    ]


def test_document_findings_get_their_document_and_annex(report: dict[str, Any]) -> None:
    by_code = {f["code"]: f for f in findings_of(report)}
    assert by_code["invalid-id-number"]["annex"] == "ledger"
    assert by_code["invalid-id-number"]["document"] == "台账/ledger.pdf"
    assert by_code["unknown-document"]["annex"] is None
    assert by_code["unknown-document"]["document"] == "scan-4407**********002X.pdf"
    assert by_code["trainee-not-in-roster"]["document"] is None
    assert by_code["trainee-not-in-roster"]["annex"] is None


def test_summary_counts(report: dict[str, Any]) -> None:
    assert report["summary"] == {
        "packages": 1,
        "documents": 4,
        "errors": 5,
        "warnings": 2,
        "by_code": {
            "age-mismatch": 1,
            "calendar-provisional": 1,
            "invalid-id-number": 1,
            "low-confidence": 1,
            "missing-signature": 1,
            "trainee-not-in-roster": 1,
            "unknown-document": 1,
            "unknown-teacher": 1,
        },
    }
    assert report["valid"] is False
    assert exit_status(report) == 1


def test_empty_and_clean_reports_are_valid() -> None:
    empty = build_report([])
    assert empty["valid"] is True and empty["packages"] == []
    assert empty["summary"] == {
        "packages": 0,
        "documents": 0,
        "errors": 0,
        "warnings": 0,
        "by_code": {},
    }
    clean = build_report([PackageResult("p", documents=[filing()]), PackageResult("q")])
    assert clean["valid"] is True and exit_status(clean) == 0
    assert clean["summary"]["packages"] == 2 and clean["summary"]["documents"] == 1


def test_warnings_alone_leave_the_report_valid() -> None:
    report = build_report([package()], select={"unknown-teacher", "low-confidence"})
    assert report["summary"]["warnings"] == 2 and report["summary"]["errors"] == 0
    assert report["valid"] is True and exit_status(report) == 0


# ------------------------------------------------------------------------ select / ignore


def codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for f in findings_of(report)}


def test_select_by_code_and_prefix() -> None:
    assert codes(build_report([package()], select={"invalid-id-number"})) == {"invalid-id-number"}
    assert codes(build_report([package()], select={"unknown-"})) == {
        "unknown-document",
        "unknown-teacher",
    }
    report = build_report([package()], select={"trainee-", "low-"})
    assert codes(report) == {"trainee-not-in-roster", "low-confidence"}
    # filtering happens before counting
    assert report["summary"]["errors"] == 1 and report["summary"]["warnings"] == 1
    assert report["summary"]["by_code"] == {"low-confidence": 1, "trainee-not-in-roster": 1}


def test_ignore_by_code_and_prefix() -> None:
    report = build_report([package()], ignore={"unknown-", "invalid-id-number"})
    assert codes(report) == {
        "age-mismatch",
        "low-confidence",
        "missing-signature",
        "trainee-not-in-roster",
        "calendar-provisional",
    }
    everything_but_errors = {
        "age-",
        "invalid-",
        "missing-",
        "trainee-",
        "unknown-document",
    }
    report = build_report([package()], ignore=everything_but_errors)
    assert report["valid"] is True and report["summary"]["errors"] == 0


def test_more_specific_selector_wins() -> None:
    assert is_selected("invalid-phone", select={"invalid-"}, ignore={"invalid-id"})
    assert not is_selected("invalid-id-number", select={"invalid-"}, ignore={"invalid-id"})
    assert is_selected("invalid-id-number", select={"invalid-id-number"}, ignore={"invalid-"})
    assert not is_selected("invalid-phone", select={"invalid-phone"}, ignore={"invalid-phone"})
    assert not is_selected("missing-field", select={"invalid-"})
    assert is_selected("missing-field") and is_selected("missing-field", select=None, ignore=None)


def test_unknown_selector_is_a_usage_error() -> None:
    with pytest.raises(UnknownSelectorError, match="invalid-phon3"):
        build_report([package()], ignore={"invalid-phon3"})
    with pytest.raises(UnknownSelectorError):
        build_report([package()], select={""})


# -------------------------------------------------------------------------------- masking


def test_data_is_masked_by_the_schema(report: dict[str, Any]) -> None:
    filing_doc, ledger_doc, signin_doc, unknown_doc = report["packages"][0]["documents"]
    row = ledger_doc["data"]["rows"][0]
    assert row["id_number"] == "4407**********1239"
    assert row["phone"] == "138****5678"
    assert row["certificate_no"] == "S4407**********002X"  # free text: masked too
    assert (row["name"], row["age"], row["start_date"]) == ("张三", 35, "2025-06-10")
    assert ledger_doc["data"]["rows"][1]["id_number"] == "4407**********123X"
    enterprise = filing_doc["data"]["enterprise"]
    assert enterprise["contact_phone"] == "0750-*****34"
    assert enterprise["credit_code"] == CREDIT  # not personal, and must stay checkable
    assert filing_doc["data"]["roster"][0]["id_number"] == "4407**********1239"
    assert filing_doc["data"]["filing_date"] == "2025-05-01"
    assert signin_doc["data"]["rows"][0]["id_number"] == "4407**********1239"
    assert unknown_doc["data"] is None
    assert unknown_doc["path"] == "scan-4407**********002X.pdf"


def test_no_identifier_survives_anywhere_in_the_report(report: dict[str, Any]) -> None:
    for output in (render_json(report), render_text(report), render_html(report)):
        for secret in (ID_A, ID_B, ID_BAD, MOBILE, MOBILE_B, LANDLINE, ID_A[6:14]):
            assert secret not in output
    for fmt in ("junit", "sarif"):
        rendered = renderer(fmt)(report)
        assert isinstance(rendered, str)
        assert ID_BAD not in rendered and MOBILE_B not in rendered and ID_B not in rendered


def test_values_and_messages_are_masked(report: dict[str, Any]) -> None:
    by_code = {f["code"]: f for f in findings_of(report)}
    bad = by_code["invalid-id-number"]
    assert bad["value"] == "4407**********123X"
    assert bad["message"].startswith("身份证号码：4407**********123X校验码错误")
    roster = by_code["trainee-not-in-roster"]
    assert roster["value"] == "4407**********123X"  # no path: the code says it is an ID
    assert "4407**********123X" in roster["message"] and "159****5678" in roster["message"]
    assert by_code["age-mismatch"]["value"] == 39  # not an identifier: left alone
    assert by_code["missing-signature"]["value"] is False


def test_reveal_shows_identifiers() -> None:
    report = build_report([package()], reveal=True)
    pkg = report["packages"][0]
    assert pkg["documents"][1]["data"]["rows"][0]["id_number"] == ID_A
    assert pkg["documents"][1]["data"]["rows"][0]["phone"] == MOBILE
    assert pkg["documents"][0]["data"]["enterprise"]["contact_phone"] == LANDLINE
    assert pkg["documents"][3]["path"] == f"scan-{ID_B}.pdf"
    by_code = {f["code"]: f for f in pkg["findings"]}
    assert by_code["invalid-id-number"]["value"] == ID_BAD
    assert ID_BAD in by_code["invalid-id-number"]["message"]
    assert MOBILE_B in by_code["trainee-not-in-roster"]["message"]


def test_building_a_report_does_not_change_the_results() -> None:
    pkg = package()
    build_report([pkg])
    assert pkg.documents[1].data is not None
    assert pkg.documents[1].data["rows"][0]["id_number"] == ID_A
    assert pkg.findings[0].value == ID_BAD
    revealed = build_report([pkg], reveal=True)
    revealed["packages"][0]["documents"][1]["data"]["rows"].clear()
    assert len(pkg.documents[1].data["rows"]) == 2


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"号码{ID_A}有误", "号码4407**********1239有误"),
        ("44070319900101123x", "4407**********123X"),
        ("４４０７０３１９９００１０１１２３９", "4407**********1239"),  # full-width
        ("440703 19900101 1239", "4407**********1239"),
        ("440703-19900101-1239", "4407**********1239"),
        ("旧证440703900101123号", "旧证4407*******1123号"),  # legacy 15 digits
        ("4407031990010112", "4407********0112"),  # truncated: still nearly an ID
        (f"电话{MOBILE}。", "电话138****5678。"),
        ("+86 138 1234 5678", "138****5678"),
        ("座机0750-3281234", "座机0750-*****34"),
        # not identifiers: dates, counts, amounts, credit codes with letters, short numbers
        ("2025-06-10至2025-06-30", "2025-06-10至2025-06-30"),
        ("实到28人，应到30人，合计12,000.00元", "实到28人，应到30人，合计12,000.00元"),
        ("91440703MA4UJ8XX1X", "91440703MA4UJ8XX1X"),
        ("1381234567890", "1381234567890"),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_id_stored_as_a_number_is_masked() -> None:
    document = DocumentResult(
        path="l.xlsx",
        format="xlsx",
        annex="ledger",
        data={"rows": [{"id_number": int(ID_A[:17] + "0"), "remark": 440703199001011239}]},
    )
    data = build_report([PackageResult("p", documents=[document])])["packages"][0]["documents"][0]
    assert data["data"]["rows"][0]["id_number"] == "4407**********1230"
    assert data["data"]["rows"][0]["remark"] == "4407**********1239"


# ------------------------------------------------------------------------------ renderers


def test_formats_table() -> None:
    assert set(FORMATS) == {"text", "json", "junit", "sarif", "html", "xlsx"}
    report = build_report([package()])
    for fmt in FORMATS:
        # the one binary format: a workbook is a zip file
        expected = bytes if fmt == "xlsx" else str
        assert isinstance(renderer(fmt)(report), expected)


def test_text_render(report: dict[str, Any]) -> None:
    text = render_text(report)
    assert "\x1b" not in text
    assert "材料包 batch/电工班" in text
    assert "附件7 培训台账" in text and "附件5 企业职工培训备案表" in text
    assert "附件8 培训对象参训出勤签到表" in text
    line = next(ln for ln in text.splitlines() if "invalid-id-number" in ln)
    assert line.split()[0] == "错误"
    assert "第1页 表1 第5行 第6列" in line
    assert "台账明细 第2行 › 身份证号码" in line
    assert "4407**********123X" in line
    xlsx_line = next(ln for ln in text.splitlines() if "missing-signature" in ln)
    assert "工作表 Sheet1 C7" in xlsx_line
    assert any(ln.split()[:2] == ["警告", "low-confidence"] for ln in text.splitlines())
    assert any(ln.split()[:2] == ["提示", "calendar-provisional"] for ln in text.splitlines())
    assert "材料包整体" in text
    assert "未发现问题" in text  # the filing has no findings
    assert "ocr 可信度 0.41" in text
    assert text.splitlines()[-1] == "1 个材料包, 4 份文件: 5 个错误, 2 个警告, 1 个提示"


def test_text_render_aligns_columns_by_display_width(report: dict[str, Any]) -> None:
    lines = render_text(report).splitlines()
    code_columns, text_columns = set(), set()
    for finding in findings_of(report):
        line = next(ln for ln in lines if f" {finding['code']} " in ln)
        code_columns.add(display_width(line[: line.index(finding["code"])]))
        after = line.index(finding["code"]) + len(finding["code"])
        rest = line[after:].lstrip(" ")
        location = location_text(finding["location"])
        if location:
            assert rest.startswith(location)
            rest = rest[len(location) :].lstrip(" ")
        text_columns.add(display_width(line[: len(line) - len(rest)]))
    # Chinese severities and locations are two columns a character: padding counts that
    assert len(code_columns) == 1 and len(text_columns) == 1


def test_text_render_color(report: dict[str, Any]) -> None:
    text = render_text(report, color=True)
    assert "\x1b[1;31m错误" in text and "\x1b[0m" in text
    assert re.search(r"5 个错误, 2 个警告", text)


def test_text_render_neutralises_control_characters() -> None:
    reason = Text("含控制字符 \x1b[2J\x0b", "control characters \x1b[2J\x0b")
    finding = Finding("invalid-value", {"label": "备注", "reason": reason}, annex="ledger")
    pkg = PackageResult("p", documents=[DocumentResult("x.docx", "docx", findings=[finding])])
    report = build_report([pkg])
    text = render_text(report)
    assert "\x1b" not in text and "\\x1b[2J\\x0b" in text
    ET.fromstring(render_junit(report).encode("utf-8"))  # still well-formed XML
    page = render_html(report)
    assert "\x0b" not in page and "\x1b" not in page and "\\x1b[2J\\x0b" in page


def test_junit_render(report: dict[str, Any]) -> None:
    xml = render_junit(report)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "batch/电工班"
    cases = suite.findall("testcase")
    # a clean document passes; every other one is a case per rule it broke
    assert [c.get("name") for c in cases] == [
        "filing.docx",
        "台账/ledger.pdf [invalid-id-number]",
        "台账/ledger.pdf [age-mismatch]",
        "台账/ledger.pdf [low-confidence]",
        "signin-0610.xlsx [missing-signature]",
        "signin-0610.xlsx [unknown-teacher]",
        "scan-4407**********002X.pdf [unknown-document]",
        "材料包整体 package-level [trainee-not-in-roster]",
        "材料包整体 package-level [calendar-provisional]",
    ]
    assert {c.get("classname") for c in cases} == {"batch/电工班"}
    assert suite.get("tests") == "9" and suite.get("failures") == "5"
    assert root.get("tests") == "9" and root.get("failures") == "5"
    by_name = {c.get("name"): c for c in cases}
    (failure,) = by_name["台账/ledger.pdf [invalid-id-number]"].findall("failure")
    assert failure.get("type") == "invalid-id-number"
    assert (failure.get("message") or "").startswith("身份证号码：4407**********123X")
    assert "第1页 表1 第5行 第6列" in (failure.text or "")
    assert cases[0].find("failure") is None  # the filing passes
    warning = by_name["台账/ledger.pdf [low-confidence]"]
    assert warning.find("failure") is None
    out = warning.find("system-out")
    assert out is not None and "low-confidence" in (out.text or "")
    package_cases = [c for c in cases if (c.get("name") or "").startswith("材料包整体")]
    assert [len(c.findall("failure")) for c in package_cases] == [1, 0]
    # a package-level finding that names a document is shown with that document
    teacher = by_name["signin-0610.xlsx [unknown-teacher]"].find("system-out")
    assert teacher is not None and f"赵六{NASTY}" in (teacher.text or "")
    assert "<script>" in (teacher.text or "")  # the text survives: XML escaped it


def test_junit_lists_every_finding_of_a_rule_in_one_failure() -> None:
    findings = [
        Finding(
            "invalid-phone",
            {"label": "联系方式", "reason": Text(f"第{n}行不是手机号", f"row {n} is no mobile")},
            path=f"/rows/{n}/phone",
            location={"table": 1, "row": n + 2},
            value=f"1{n}",
        )
        for n in range(3)
    ]
    document = DocumentResult("l.docx", "docx", annex="ledger", findings=findings)
    twin = DocumentResult("l.docx", "docx", annex="ledger")
    report = build_report([PackageResult("p", documents=[document, twin])])
    cases = ET.fromstring(render_junit(report).encode("utf-8")).findall("testsuite/testcase")
    names = [c.get("name") for c in cases]
    # two documents of one name (masking can do that): the names stay unique
    assert names == ["l.docx [invalid-phone]", "l.docx", "材料包整体 package-level"]
    (failure,) = cases[0].findall("failure")
    assert "第0行" in (failure.get("message") or "")
    assert [ln.split()[1] for ln in (failure.text or "").splitlines()] == ["invalid-phone"] * 3


def test_sarif_render(report: dict[str, Any]) -> None:
    sarif = json.loads(render_sarif(report, root=Path("/work"), docs_base_url="https://x.org/r"))
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("/sarif-schema-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "annexkit" and driver["version"] == annexkit.__version__
    assert [r["id"] for r in driver["rules"]] == list(CATALOGUE)
    rule = driver["rules"][list(CATALOGUE).index("invalid-id-number")]
    assert rule["shortDescription"]["text"] == "身份证号码无效"
    assert rule["fullDescription"]["text"] == CATALOGUE["invalid-id-number"].description
    assert rule["helpUri"] == "https://x.org/r#invalid-id-number"
    assert CATALOGUE["invalid-id-number"].description in rule["help"]["markdown"]
    results = run["results"]
    assert len(results) == 8
    first = results[0]
    assert first["ruleId"] == "invalid-id-number" and first["level"] == "error"
    assert driver["rules"][first["ruleIndex"]]["id"] == "invalid-id-number"
    assert first["message"]["text"].startswith("身份证号码：4407**********123X")
    (location,) = first["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "batch/%E7%94%B5%E5%B7%A5%E7%8F%AD/%E5%8F%B0%E8%B4%A6/ledger.pdf",
        "uriBaseId": "%SRCROOT%",
    }
    assert physical["region"] == {"startLine": 1}  # a PDF's line is its page
    assert location["properties"] == {"page": 1, "table": 1, "row": 5, "column": 6}
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["low-confidence"] == "warning" and levels["calendar-provisional"] == "note"
    xlsx = next(r for r in results if r["ruleId"] == "missing-signature")
    assert xlsx["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}  # row of C7
    assert xlsx["locations"][0]["properties"] == {"sheet": "Sheet1", "cell": "C7"}
    teacher = next(r for r in results if r["ruleId"] == "unknown-teacher")
    assert NASTY in teacher["message"]["text"]
    # package-level: shown on the filing, from its first line
    roster = next(r for r in results if r["ruleId"] == "trainee-not-in-roster")
    roster_at = roster["locations"][0]["physicalLocation"]
    assert roster_at["artifactLocation"]["uri"].endswith("/filing.docx")
    assert roster_at["region"] == {"startLine": 1}
    assert roster["properties"]["package_level"] is True
    assert all(len(r["partialFingerprints"]) == 1 for r in results)


def test_sarif_uris(tmp_path: Path) -> None:
    def uris(*packages: PackageResult) -> list[tuple[str, str]]:
        run = json.loads(render_sarif(build_report(list(packages)), root=tmp_path))["runs"][0]
        return [
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            )
            for r in run["results"]
        ]

    missing = Finding("missing-annex", {"title": "附件7 培训台账", "annex": "ledger"})
    inside = PackageResult(str(tmp_path / "in" / "pkg"), documents=[filing()], findings=[missing])
    outside = PackageResult("/elsewhere/pkg dir", documents=[filing()], findings=[missing])
    archive = PackageResult("batch/班1.zip", documents=[filing()], findings=[missing])
    empty = PackageResult("batch/empty", findings=[missing])
    part = DocumentResult("all.pdf#pages=3-5", "pdf", annex="ledger", findings=[missing])
    split = PackageResult("./batch/../p", documents=[part])
    assert uris(inside, outside, archive, empty, split) == [
        ("%SRCROOT%", "in/pkg/filing.docx"),
        ("PACKAGES", "pkg%20dir/filing.docx"),
        ("%SRCROOT%", "batch/%E7%8F%AD1.zip"),
        ("%SRCROOT%", "batch/empty/package.yaml"),
        ("%SRCROOT%", "p/all.pdf"),
    ]
    run = json.loads(render_sarif(build_report([outside]), root=tmp_path))["runs"][0]
    assert run["originalUriBaseIds"]["PACKAGES"]["uri"] == "file:///elsewhere/"
    windows = PackageResult("C:\\data\\pkg", documents=[filing()], findings=[missing])
    assert uris(windows) == [("PACKAGES", "pkg/filing.docx")]


def test_sarif_start_line() -> None:
    assert start_line({"page": 2, "table": 1, "row": 5}, "pdf", "a.pdf") == 2
    assert start_line({}, "pdf", "a.pdf#pages=3-5") == 3
    assert start_line({"table": 2, "row": 4}, "docx", "a.docx") == 4
    assert start_line({"sheet": "S", "cell": "AB12"}, "xlsx", "a.xlsx") == 12
    assert start_line({"sheet": "S", "cell": "B2", "row": 9}, "xlsx", "a.xlsx") == 9
    assert start_line({}, "docx", None) == 1
    assert start_line({"row": 0}, "unknown", "x") == 1


def test_html_render(report: dict[str, Any]) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    # the one script is the report's own filter; the document's <script> is only text
    assert page.lower().count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "赵六&lt;&amp;&gt;&#34;" in page
    assert "附件7 培训台账" in page and "第1页 表1 第5行 第6列" in page
    assert page.count('<table class="summary"') == 1
    assert page.count('<section class="package') == 1
    for severity in ("error", "warning", "info"):
        assert f'<tr class="finding {severity}"' in page
    # self-contained: no external resources to fetch
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "5 个错误, 2 个警告" in page and "未通过" in page


def test_renderers_cope_with_several_packages() -> None:
    report = build_report([package(), PackageResult("other", documents=[filing()])])
    assert render_text(report).count("材料包 ") >= 2
    root = ET.fromstring(render_junit(report).encode("utf-8"))
    assert len(root.findall("testsuite")) == 2
    page = render_html(report)
    assert page.count('<section class="package') == 2
    assert 'href="#pkg-1"' in page and 'href="#pkg-2"' in page


# ----------------------------------------------------------------------------- rules doc


def test_rules_doc_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert committed == render_rules(), (
        "docs/rules.md is out of date: python -m annexkit.checker.rules_doc > docs/rules.md"
    )


def test_rules_doc_covers_every_code() -> None:
    doc = render_rules()
    for code in CATALOGUE.values():
        assert f"## `{code.name}`" in doc and code.title in doc and code.description in doc
        for message in code.messages.values():
            # rendered from the declaration, as a report shows it: masked
            example = message.example_text()
            assert example in doc and mask_text(example) == example
