"""The report's machine formats against their official schemas, on the sample packages.

SARIF is validated against OASIS's sarif-schema-2.1.0.json and GitHub code scanning's own
rules for an upload; JUnit against Jenkins' junit-10.xsd (both vendored in tests/schemas/,
see its README); the JSON report against the schema annexkit ships; the workbook is opened
with openpyxl. Each on every sample package alone and on the whole batch.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from click.testing import CliRunner
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from openpyxl import load_workbook

from annexkit import ANNEXES
from annexkit.checker import report_sarif
from annexkit.checker.engine import CheckOptions, check
from annexkit.checker.findings import CATALOGUE, Finding
from annexkit.checker.report import Report, build_report
from annexkit.checker.report_junit import render_junit
from annexkit.checker.report_sarif import render_sarif
from annexkit.checker.report_schema import (
    InvalidReportError,
    render_schema,
    report_problems,
    report_schema,
    validate_report,
)
from annexkit.checker.report_xlsx import (
    FINDINGS_SHEET,
    PACKAGES_SHEET,
    render_xlsx,
)
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.cli import cli as cli_main
from annexkit.contract.text import Text
from tests import test_report
from tests.conftest import ROOT

SAMPLES = ROOT / "samples" / "packages"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

# GitHub code scanning's limits for one upload (docs: "SARIF support for code scanning").
GITHUB_MAX_RUNS = 20
GITHUB_MAX_RESULTS = 25_000
GITHUB_MAX_RULES = 25_000
GITHUB_MAX_LOCATIONS = 1_000
GITHUB_MAX_TAGS = 20


@pytest.fixture(scope="module")
def results() -> list[PackageResult]:
    """The sample batch, checked once: by absolute path, so that SARIF has to make it
    relative to the repository (the working folder in CI)."""
    return list(check([SAMPLES], CheckOptions(progress=False)))


def _reports(results: list[PackageResult]) -> Iterator[tuple[str, Report]]:
    yield "batch", build_report(results)
    yield "batch revealed", build_report(results, reveal=True)
    for result in results:
        yield Path(result.path).name, build_report([result])
    yield "synthetic", build_report([test_report.package()])


@pytest.fixture(scope="module")
def reports(results: list[PackageResult]) -> dict[str, Report]:
    return dict(_reports(results))


def test_the_samples_are_a_batch_with_findings(results: list[PackageResult]) -> None:
    assert len(results) == 14
    report = build_report(results)
    assert report["summary"]["errors"] > 0 and report["summary"]["by_code"]


# ---------------------------------------------------------------------------- JSON Schema


def test_json_reports_satisfy_the_shipped_schema(reports: dict[str, Report]) -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    for name, report in reports.items():
        errors = [e.message for e in validator.iter_errors(report)]
        assert not errors, name
        assert report_problems(report) == [], name


def test_schema_is_2020_12_and_in_sync_with_the_catalogue() -> None:
    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$defs"]["code"]["enum"] == list(CATALOGUE)
    assert schema["$defs"]["annex"]["enum"] == [*ANNEXES, None]
    assert schema["$defs"]["severity"]["enum"] == ["error", "warning", "info"]
    assert set(schema["$defs"]["location"]["properties"]) == {
        "page", "table", "row", "column", "sheet", "cell"
    }  # fmt: skip
    committed = (ROOT / "schemas" / "report.schema.json").read_text("utf-8")
    assert committed == render_schema(), (
        "schemas/report.schema.json is out of date: "
        "python -m annexkit.checker.report_schema > schemas/report.schema.json"
    )


def test_schema_ships_with_the_package_and_annex_schema_prints_it() -> None:
    shipped = files("annexkit.schemas") / "report.schema.json"
    assert json.loads(shipped.read_text("utf-8")) == report_schema()
    printed = CliRunner().invoke(cli_main, ["schema", "report"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == report_schema()
    # the annex names still work beside it
    ledger = CliRunner().invoke(cli_main, ["schema", "ledger"])
    assert (
        ledger.exit_code == 0 and json.loads(ledger.output)["$id"] == "urn:annexkit:schema:ledger"
    )


def _broken(report: Report, path: str, value: Any) -> Report:
    """A copy of ``report`` with the value at a dotted path replaced."""
    copy: Report = json.loads(json.dumps(report))
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node: Any = copy
    for part in parents:
        node = node[part]
    node[last] = value
    return copy


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("packages.0.findings.0.code", "invalid-idnumber", "is not one of"),
        ("packages.0.findings.0.severity", "fatal", "is not one of"),
        ("packages.0.findings.0.location", {"page": 1, "paragraph": 2}, "paragraph"),
        ("packages.0.findings.0.location", {"row": 0}, "minimum"),
        ("packages.0.findings.0.path", "rows/1", "does not match"),
        ("packages.0.documents.0.extraction", {"engine": "tesseract", "confidence": 1}, "one of"),
        ("packages.0.documents.0.extraction", {"engine": None, "confidence": 0.5}, "0 was"),
        ("packages.0.documents.0.annex", "roster", "is not one of"),
        ("valid", True, "False was expected"),
        ("summary.errors", 0, "True was expected"),
        ("summary.warnings", 99, "/summary/warnings"),
        ("summary.by_code", {"age-mismatch": 1}, "/summary/by_code"),
        ("tool", {"name": "annexkit"}, "'version' is a required property"),
    ],
)
def test_schema_catches_real_mistakes(
    reports: dict[str, Report], path: str, value: Any, says: str
) -> None:
    report = reports["synthetic"]
    validate_report(report)
    broken = _broken(report, path, value)
    with pytest.raises(InvalidReportError, match=re.escape(says)):
        validate_report(broken)


def test_conftest_validates_every_built_report() -> None:
    # tests/conftest.py wraps build_report: a result that yields a bad report fails the test
    bad = Finding("missing-annex", {"title": "附件7 培训台账", "annex": "ledger"})
    bad.location = {"paragraph": 3}
    with pytest.raises(InvalidReportError, match="paragraph"):
        build_report([PackageResult("p", findings=[bad])])


# ---------------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def github_problems(sarif: dict[str, Any], root: Path) -> list[str]:
    """What GitHub code scanning would reject or mis-show in ``sarif``, checked out at
    ``root``: limits, rules without help, results without a rule, message, relative file,
    line or fingerprint."""
    problems: list[str] = []
    runs = sarif["runs"]
    if not 1 <= len(runs) <= GITHUB_MAX_RUNS:
        problems.append(f"{len(runs)} runs")
    for run in runs:
        driver = run["tool"]["driver"]
        rules = driver["rules"]
        if len(rules) > GITHUB_MAX_RULES or len(run["results"]) > GITHUB_MAX_RESULTS:
            problems.append("too many rules or results")
        for rule in rules:
            for key in ("shortDescription", "fullDescription"):
                if not rule.get(key, {}).get("text"):
                    problems.append(f"rule {rule['id']}: no {key}")
            if not rule.get("help", {}).get("text") or not rule["help"].get("markdown"):
                problems.append(f"rule {rule['id']}: no help text and markdown")
            if not rule.get("helpUri"):
                problems.append(f"rule {rule['id']}: no helpUri")
            if len(rule.get("properties", {}).get("tags", [])) > GITHUB_MAX_TAGS:
                problems.append(f"rule {rule['id']}: too many tags")
        ids = [r["id"] for r in rules]
        bases = run.get("originalUriBaseIds", {})
        for n, result in enumerate(run["results"]):
            where = f"result {n} ({result.get('ruleId')})"
            if result.get("ruleId") not in ids:
                problems.append(f"{where}: ruleId not among the rules")
            elif ids.index(result["ruleId"]) != result.get("ruleIndex"):
                problems.append(f"{where}: ruleIndex is not its rule's")
            if not result.get("message", {}).get("text"):
                problems.append(f"{where}: no message text")
            prints = result.get("partialFingerprints")
            if not prints or not all(isinstance(v, str) and v for v in prints.values()):
                problems.append(f"{where}: no partialFingerprints")
            locations = result.get("locations", [])
            if not 1 <= len(locations) <= GITHUB_MAX_LOCATIONS:
                problems.append(f"{where}: {len(locations)} locations")
            for location in locations:
                physical = location.get("physicalLocation", {})
                artifact = physical.get("artifactLocation", {})
                uri = artifact.get("uri", "")
                split = urlsplit(uri)
                if not uri or split.scheme or split.netloc or uri.startswith("/"):
                    problems.append(f"{where}: uri {uri!r} is not relative")
                if uri.endswith("/") or ".." in uri.split("/"):
                    problems.append(f"{where}: uri {uri!r} is a folder or leaves its base")
                if artifact.get("uriBaseId") not in bases:
                    problems.append(f"{where}: uriBaseId not in originalUriBaseIds")
                elif artifact["uriBaseId"] == report_sarif.SRCROOT:
                    on_disk = root / unquote(uri)
                    if not on_disk.is_file():
                        problems.append(f"{where}: {on_disk} is no file")
                line = physical.get("region", {}).get("startLine")
                if not isinstance(line, int) or line < 1:
                    problems.append(f"{where}: startLine {line!r}")
    return problems


def test_sarif_satisfies_the_official_schema_and_github(
    reports: dict[str, Report], sarif_validator: jsonschema.Draft4Validator
) -> None:
    for name, report in reports.items():
        sarif = json.loads(render_sarif(report, root=ROOT))
        errors = [f"{e.json_path}: {e.message}" for e in sarif_validator.iter_errors(sarif)]
        assert not errors, name
        if name == "synthetic":
            continue  # its documents exist only in memory
        assert github_problems(sarif, ROOT) == [], name
        (run,) = sarif["runs"]
        assert len(run["results"]) == sum(len(p["findings"]) for p in report["packages"])


def test_sarif_points_into_the_checked_folder(reports: dict[str, Report]) -> None:
    run = json.loads(render_sarif(reports["batch"], root=ROOT))["runs"][0]
    uris = {
        unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    }
    assert all(u.startswith("samples/packages/") for u in uris)
    missing = next(r for r in run["results"] if r["ruleId"] == "missing-annex")
    # package-level: the package's filing
    where = missing["locations"][0]["physicalLocation"]
    assert unquote(where["artifactLocation"]["uri"]).endswith("/附件5_企业职工培训备案表.docx")
    assert where["region"]["startLine"] == 1
    # a row finding of a DOCX: the table row
    roster = next(r for r in run["results"] if r["ruleId"] == "trainee-not-in-roster")
    assert roster["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


def _fingerprints(report: Report, root: Path = ROOT) -> Counter[tuple[str, str, str]]:
    run = json.loads(render_sarif(report, root=root))["runs"][0]
    return Counter(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["partialFingerprints"][report_sarif.FINGERPRINT],
        )
        for r in run["results"]
    )


def test_sarif_fingerprints_are_stable(results: list[PackageResult]) -> None:
    prints = _fingerprints(build_report(results))
    assert len(prints) == sum(prints.values())  # no two results alike
    # not the order of packages, nor --reveal, nor whether PATH was given absolute
    assert _fingerprints(build_report(results[::-1])) == prints
    assert _fingerprints(build_report(results, reveal=True)) == prints
    relative = [dataclasses.replace(r, path=os.path.relpath(r.path, ROOT)) for r in results]
    assert _fingerprints(build_report(relative)) == prints
    # and not where the repository is checked out
    assert _fingerprints(build_report(relative), root=Path("/elsewhere/checkout")) == prints


def test_sarif_keeps_to_githubs_result_limit(
    reports: dict[str, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = reports["batch"]
    monkeypatch.setattr(report_sarif, "MAX_RESULTS", 5)
    run = json.loads(render_sarif(report, root=ROOT))["runs"][0]
    assert len(run["results"]) == 5
    errors = report["summary"]["errors"]
    assert errors > 5 and all(r["level"] == "error" for r in run["results"])
    total = sum(len(p["findings"]) for p in report["packages"])
    assert run["properties"]["results_left_out"] == total - 5
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert f"5 of {total}" in note["message"]["text"]


def test_sarif_help_uri_is_configurable(
    reports: dict[str, Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(report_sarif.DOCS_URL_ENV, raising=False)
    rules = json.loads(render_sarif(reports["synthetic"]))["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"docs/rules.md#{rules[0]['id']}"
    monkeypatch.setenv(report_sarif.DOCS_URL_ENV, "https://example.org/annexkit/rules.html")
    rules = json.loads(render_sarif(reports["synthetic"]))["runs"][0]["tool"]["driver"]["rules"]
    assert {r["helpUri"] for r in rules} == {
        f"https://example.org/annexkit/rules.html#{code}" for code in CATALOGUE
    }
    # each anchor is a section of docs/rules.md
    doc = (ROOT / "docs" / "rules.md").read_text("utf-8")
    assert all(f"\n## `{code}`\n" in doc for code in CATALOGUE)


# ---------------------------------------------------------------------------------- JUnit


@pytest.fixture(scope="module")
def junit_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


def test_junit_satisfies_the_jenkins_schema(
    reports: dict[str, Report], junit_schema: etree.XMLSchema
) -> None:
    for name, report in reports.items():
        root = etree.fromstring(render_junit(report).encode("utf-8"))
        assert junit_schema.validate(root), (name, str(junit_schema.error_log))
        for suite, package in zip(root.iter("testsuite"), report["packages"], strict=True):
            cases = suite.findall("testcase")
            names = [c.get("name") for c in cases]
            assert len(names) == len(set(names)), name
            assert {c.get("classname") for c in cases} == {package["path"]}
            assert all(len(c.findall("failure")) <= 1 for c in cases)
            failing = {
                (f["document"], f["code"]) for f in package["findings"] if f["severity"] == "error"
            }
            assert (
                int(suite.get("failures") or 0)
                == len(failing)
                == sum(c.find("failure") is not None for c in cases)
            )
            assert int(suite.get("tests") or 0) == len(cases)


def test_junit_passes_clean_documents(reports: dict[str, Report]) -> None:
    report = reports["clean"]
    (package,) = report["packages"]
    root = etree.fromstring(render_junit(report).encode("utf-8"))
    cases = root.findall("testsuite/testcase")
    with_findings = {f["document"] for f in package["findings"]}
    clean = [d["path"] for d in package["documents"] if d["path"] not in with_findings]
    assert clean and all(c in [case.get("name") for case in cases] for c in clean)
    assert root.get("failures") == "0"


# ----------------------------------------------------------------------------------- XLSX


def _workbook(report: Report) -> Any:
    return load_workbook(io.BytesIO(render_xlsx(report)))


def test_xlsx_has_packages_and_filterable_findings(reports: dict[str, Report]) -> None:
    report = reports["batch"]
    book = _workbook(report)
    assert book.sheetnames == [PACKAGES_SHEET, FINDINGS_SHEET]
    packages, findings = book[PACKAGES_SHEET], book[FINDINGS_SHEET]
    for sheet in (packages, findings):
        assert sheet.freeze_panes == "A2"
        header = [c.value for c in sheet[1]]
        # Chinese and English in every header
        assert all(re.search(r"[\u4e00-\u9fff]", h) and re.search("[A-Za-z]", h) for h in header)
        for column in range(1, len(header) + 1):
            letter = chr(ord("A") + column - 1)
            assert (sheet.column_dimensions[letter].width or 0) > 8
    n_findings = sum(len(p["findings"]) for p in report["packages"])
    assert findings.max_row == n_findings + 1
    assert findings.auto_filter.ref == f"A1:I{n_findings + 1}"
    assert packages.max_row == len(report["packages"]) + 1
    rows = {r[0]: r for r in packages.iter_rows(min_row=2, values_only=True)}
    clean = next(r for p, r in rows.items() if p.endswith("/clean"))
    assert clean[1:4] == ("江门市新技职业培训学校", "第3期", 5)
    assert clean[4:] == (0, 0, "通过 passed")
    late = next(r for p, r in rows.items() if p.endswith("/filing-too-late"))
    assert late[4] >= 1 and late[6] == "未通过 failed"


def test_xlsx_values_are_masked_as_in_the_report(reports: dict[str, Report]) -> None:
    masked = [
        r
        for r in _workbook(reports["batch"])[FINDINGS_SHEET].iter_rows(min_row=2, values_only=True)
    ]
    revealed = [
        r
        for r in _workbook(reports["batch revealed"])[FINDINGS_SHEET].iter_rows(
            min_row=2, values_only=True
        )
    ]
    by_code = {r[3]: r for r in masked}
    assert re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", by_code["trainee-not-in-roster"][8])
    assert re.fullmatch(r"1\d\d\*{4}\d{4}", by_code["duplicate-phone"][8])
    secrets = {
        r[8] for r in revealed if r[3] in ("trainee-not-in-roster", "duplicate-phone") and r[8]
    }
    assert secrets and all("*" not in s for s in secrets)
    every_cell = {str(v) for row in masked for v in row}
    assert not any(secret in cell for secret in secrets for cell in every_cell)


def test_xlsx_writes_text_as_text() -> None:
    formula = '=HYPERLINK("http://x","点击")'
    finding = Finding(
        "invalid-value",
        {"label": "备注", "reason": Text("含控制字符\x1b", "control character\x1b")},
        annex="ledger",
        path="/rows/0/remark",
        value=formula,
    )
    document = DocumentResult("l.xlsx", "xlsx", annex="ledger", findings=[finding])
    report = build_report([PackageResult("p", documents=[document])])
    sheet = _workbook(report)[FINDINGS_SHEET]
    value = sheet.cell(row=2, column=9)
    assert value.value == formula and value.data_type == "s"
    assert "\\x1b" in sheet.cell(row=2, column=8).value
