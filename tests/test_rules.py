"""Each finding code declared once: the catalogue, the messages rendered from params (masked
when shown), ``annex rules``, and the rule added to prove it: ``duplicate-phone``."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from annexkit.checker.findings import CATALOGUE, Finding, Identifier, Join, Person, fields
from annexkit.checker.report import build_report
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.checker.rules.package import package_findings
from annexkit.checker.rules_doc import SCOPE_LABELS
from annexkit.cli import cli
from annexkit.contract.masking import mask_text
from annexkit.contract.text import Text
from annexkit.policy.profiles import load_profile
from annexkit.policy.workdays import WorkCalendar
from tests.conftest import ROOT

CONTRACT = ROOT.parent / "shared" / "spec" / "data-contract.md"
ID_A = "440703199001011239"
ID_B = "44078119851224002X"
MOBILE = "13812345678"

# ------------------------------------------------------------------------- declarations


def test_the_contract_codes_are_declared() -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"no {CONTRACT}")
    listed = re.findall(r"^\| `([a-z-]+)` \|", CONTRACT.read_text("utf-8"), re.MULTILINE)
    assert len(listed) > 25
    assert set(listed) == set(CATALOGUE)


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_each_declaration_is_complete(name: str) -> None:
    code = CATALOGUE[name]
    assert code.severity in ("error", "warning", "info")
    assert all(part in SCOPE_LABELS for part in code.scope.split("/"))
    assert code.title and code.description and "" in code.messages
    assert code.module.startswith("annexkit.checker.rules.")
    for message in code.messages.values():
        assert fields(message.template) == set(message.example)
        shown = message.example_text()
        zh, en = shown.split(" / ", 1) if " / " in shown else (shown, "")
        assert re.search("[\u4e00-\u9fff]", zh) and en, shown  # said in both languages
        assert mask_text(shown) == shown  # examples are shown masked, as a report shows them


def test_the_new_codes_are_declared() -> None:
    assert (CATALOGUE["duplicate-phone"].severity, CATALOGUE["duplicate-phone"].scope) == (
        "warning",
        "package",
    )
    assert (CATALOGUE["unreadable-value"].severity, CATALOGUE["unreadable-value"].scope) == (
        "warning",
        "field",
    )


def test_a_finding_needs_exactly_its_template_params() -> None:
    with pytest.raises(ValueError, match="unknown finding code"):
        Finding("no-such-code")
    with pytest.raises(ValueError, match="params"):
        Finding("missing-annex", {"title": "附件7 培训台账"})
    with pytest.raises(ValueError, match="params"):
        Finding("missing-annex", {"title": "附件7", "annex": "ledger", "extra": 1})
    with pytest.raises(ValueError, match="no message"):
        Finding("missing-annex", {"title": "附件7", "annex": "ledger"}, variant="nope")
    with pytest.raises(TypeError, match="mapping"):
        Finding("missing-annex", "缺少附件7 / no ledger")  # type: ignore[arg-type]


def test_a_variant_may_carry_its_own_severity() -> None:
    here = {"sheet": "s.docx", "day": "2025-11-05"}
    assert Finding("outside-training-period", here, variant="unscheduled").severity == "warning"
    both = {**here, "start": "2025-11-03", "end": "2025-11-04"}
    assert Finding("outside-training-period", both, variant="sheet").severity == "error"


# ------------------------------------------------------------------------------ masking


def test_messages_are_masked_when_shown_and_only_then() -> None:
    finding = Finding(
        "trainee-not-in-roster",
        {
            "document": f"台账-{ID_B}.docx",
            "row": 2,
            "person": Person("李四", ID_A, Text(f"电话{MOBILE}", f"phone {MOBILE}")),
            "other": "f.docx",
        },
        value=ID_A,
    )
    shown = finding.render()
    assert ID_A not in shown and ID_B not in shown and MOBILE not in shown
    assert "李四（4407**********1239，电话138****5678）" in shown
    assert "李四 (4407**********1239, phone 138****5678)" in shown
    assert finding.message == finding.render(reveal=True)
    assert ID_A in finding.message and MOBILE in finding.message and ID_B in finding.message
    assert finding.params["person"].id_number == ID_A  # stored as found
    masked = build_report([PackageResult("p", findings=[finding])])["packages"][0]["findings"]
    revealed = build_report([PackageResult("p", findings=[finding])], reveal=True)
    assert masked[0]["message"] == shown
    assert revealed["packages"][0]["findings"][0]["message"] == finding.message


def test_identifier_params_are_masked_whole() -> None:
    # a number too short for free-text masking is still an ID number when the param says so
    finding = Finding(
        "duplicate-phone",
        {
            "count": 2,
            "phone": Identifier("1381234567", "phone"),
            "people": Join((Person(None, "44070319900"), Person("张三"))),
        },
    )
    assert "1381234567" not in finding.render() and "44070319900" not in finding.render()
    assert "（无姓名）" not in finding.render() and "张三" in finding.render()


# ---------------------------------------------------------------------- duplicate-phone

CALENDAR = WorkCalendar.load(user_dir=Path(tempfile.mkdtemp()))
PROFILE = load_profile("jiangmen-2019")


def person(name: str, id_number: str, phone: str) -> dict[str, Any]:
    return {"name": name, "id_number": id_number, "phone": phone}


def phones(
    roster: list[dict[str, Any]], ledger: list[dict[str, Any]] | None = None
) -> list[Finding]:
    documents = [DocumentResult("f.docx", "docx", "filing", data={"roster": roster})]
    if ledger is not None:
        documents.append(DocumentResult("l.docx", "docx", "ledger", data={"rows": ledger}))
    found = package_findings(PackageResult("p", documents=documents), PROFILE, CALENDAR, None)
    return [f for f in found if f.code == "duplicate-phone"]


def test_two_trainees_with_one_mobile_number() -> None:
    roster = [
        person("张三", ID_A, MOBILE),
        person("王五", "440703198506150012", "13900001111"),
        person("李四", ID_B, "+86 138 1234 5678"),  # the same number, written otherwise
    ]
    (found,) = phones(roster, [dict(r) for r in roster])
    assert (found.document, found.path, found.value) == ("f.docx", "/roster/2/phone", MOBILE)
    assert found.severity == "warning" and found.params["count"] == 2
    shown = found.render()
    assert "张三（4407**********1239，名册第1行、台账第1行）" in shown
    assert "李四（4407**********002X，名册第3行、台账第3行）" in shown
    assert "138****5678" in shown and MOBILE not in shown and "王五" not in shown
    report = build_report([PackageResult("p", findings=[found])])
    assert report["packages"][0]["findings"][0]["value"] == "138****5678"


def test_one_person_twice_or_a_shared_landline_is_no_finding() -> None:
    same = [person("张三", ID_A, MOBILE)]
    assert phones(same, [dict(same[0])]) == []  # roster and ledger: one person
    office = [person("张三", ID_A, "0750-3861234"), person("李四", ID_B, "0750-3861234")]
    assert phones(office) == []


def test_people_are_compared_within_a_document() -> None:
    # a ledger row of someone the roster does not have is trainee-not-in-roster's finding
    roster = [person("张三", ID_A, MOBILE)]
    ledger = [person("赵六", ID_B, MOBILE)]
    assert phones(roster, ledger) == []
    by_name = [{"name": "张三", "phone": MOBILE}, {"name": "李 四", "phone": MOBILE}]
    assert [f.path for f in phones(by_name)] == ["/roster/1/phone"]


# ----------------------------------------------------------------------------- annex rules


def test_annex_rules_lists_every_code() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0, result.output
    for code in CATALOGUE.values():
        assert code.name in result.output and code.message.example_text() in result.output


def test_annex_rules_one_code_as_json() -> None:
    result = CliRunner().invoke(cli, ["rules", "count-mismatch", "--format", "json"])
    assert result.exit_code == 0, result.output
    entry = json.loads(result.output)
    code = CATALOGUE["count-mismatch"]
    assert (entry["code"], entry["severity"], entry["scope"]) == (
        code.name,
        code.severity,
        code.scope,
    )
    assert [m["example"] for m in entry["messages"]] == [
        m.example_text() for m in code.messages.values()
    ]
    assert entry["messages"][0]["template"] == {"zh": code.template().zh, "en": code.template().en}


def test_annex_rules_prefix_and_unknown_code() -> None:
    result = CliRunner().invoke(cli, ["rules", "invalid-", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {e["code"] for e in json.loads(result.output)} == {
        c for c in CATALOGUE if c.startswith("invalid-")
    }
    unknown = CliRunner().invoke(cli, ["rules", "no-such-code"])
    assert unknown.exit_code == 2 and "no-such-code" in unknown.output
