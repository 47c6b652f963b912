"""Package rules at their boundaries: working-day deadlines across 调休 weekends, the
Civil Code claim window, the top of the youth age range, matching by name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest

from annexkit.checker.findings import Finding
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.checker.rules.package import package_findings
from annexkit.policy.profiles import Profile, load_profile
from annexkit.policy.workdays import WorkCalendar
from tests.synthetic import make_id_number

# Official data only: a developer's own calendar files must not change these answers.
CALENDAR = WorkCalendar.load(user_dir=Path(tempfile.mkdtemp()))
DEFAULT = load_profile("jiangmen-2019")


def profile(name: str = DEFAULT.name, **thresholds: Any) -> Profile:
    """The default profile with some thresholds changed."""
    changed = dataclasses.replace(DEFAULT.thresholds, **thresholds)
    return dataclasses.replace(DEFAULT, name=name, thresholds=changed)


def findings(
    result: PackageResult, policy: Profile = DEFAULT, claim: dt.date | None = None
) -> list[Finding]:
    """The package's findings but the subsidy estimate (an info, computed for any ledger)."""
    found = package_findings(result, policy, CALENDAR, claim)
    return [f for f in found if f.code != "subsidy-estimate"]


def package(
    filing: dict[str, Any] | None = None,
    ledger_rows: list[dict[str, Any]] | None = None,
    sheets: list[dict[str, Any]] | None = None,
) -> PackageResult:
    documents = []
    if filing is not None:
        documents.append(DocumentResult("f.docx", "docx", "filing", data=filing))
    if ledger_rows is not None:
        documents.append(DocumentResult("l.docx", "docx", "ledger", data={"rows": ledger_rows}))
    for index, sheet in enumerate(sheets or [], start=1):
        documents.append(DocumentResult(f"s{index}.docx", "docx", "signin", data=sheet))
    return PackageResult("p", documents=documents)


def codes(
    result: PackageResult,
    policy: Profile = DEFAULT,
    claim: dt.date | None = None,
) -> list[tuple[str, str | None]]:
    return [(f.code, f.path) for f in findings(result, policy, claim) if f.code != "missing-annex"]


def filing(start: str, filed: str, end: str | None = None) -> dict[str, Any]:
    return {"filing_date": filed, "training": {"start_date": start, "end_date": end or start}}


@pytest.mark.parametrize(
    ("start", "last_day", "reading"),
    [
        # National Day 2025: 10-01…10-08 off, 09-28 (Sun) and 10-11 (Sat) are working days
        ("2025-10-20", "2025-09-23", "nth-before"),
        ("2025-10-20", "2025-09-22", "strictly-between"),
        # Spring Festival 2026: 02-15…02-23 off; 02-14 (Sat) and 02-28 (Sat) are working days
        ("2026-03-13", "2026-02-14", "nth-before"),
        ("2026-03-20", "2026-02-28", "nth-before"),
    ],
)
def test_filing_on_the_last_day_and_one_day_late(start: str, last_day: str, reading: Any) -> None:
    policy = profile(filing_lead_reading=reading)
    on_time = package(filing(start, last_day))
    assert codes(on_time, policy) == []
    late = (dt.date.fromisoformat(last_day) + dt.timedelta(days=1)).isoformat()
    assert codes(package(filing(start, late)), policy) == [("filing-too-late", "/filing_date")]


def test_filing_in_an_unannounced_year_is_provisional() -> None:
    found = findings(package(filing("2027-03-01", "2027-01-04")))
    assert "calendar-provisional" in {f.code for f in found}


def ledger_row(birth: dt.date, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "陈伟",
        "id_number": make_id_number("440703", birth, 11),
        "start_date": start,
        "end_date": end,
        **extra,
    }


@pytest.mark.parametrize(
    ("end", "claim", "expired"),
    [
        ("2025-03-14", "2025-09-15", False),  # 09-14 is a Sunday: the last day moves to 09-15
        ("2025-03-14", "2025-09-16", True),
        ("2025-05-06", "2025-11-06", False),  # exactly six months
        ("2025-05-06", "2025-11-07", True),
        ("2025-08-15", "2026-02-24", False),  # 02-15 falls in the Spring Festival break
        ("2025-08-15", "2026-02-25", True),
    ],
)
def test_claim_window(end: str, claim: str, expired: bool) -> None:
    rows = [ledger_row(dt.date(1990, 1, 1), end, end)]
    found = codes(package(ledger_rows=rows), claim=dt.date.fromisoformat(claim))
    assert (("claim-window-expired", None) in found) is expired


def test_top_of_the_youth_age_range_on_the_start_date() -> None:
    policy = profile("jiangmen-youth-2020", age_max=35)
    start = "2025-11-03"
    turns_36 = ledger_row(dt.date(1989, 11, 3), start, start)  # 36th birthday on the start
    still_35 = ledger_row(dt.date(1989, 11, 4), start, start)  # turns 36 the next day
    assert codes(package(ledger_rows=[still_35]), policy) == []
    assert codes(package(ledger_rows=[turns_36]), policy) == [("age-out-of-range", "/rows/0/age")]


def test_people_matched_by_name_when_a_sheet_has_no_ids() -> None:
    rows = [ledger_row(dt.date(1990, 1, 1), "2025-11-03", "2025-11-03")]
    sheet = {
        "date": "2025-11-03",
        "rows": [{"name": "陈伟", "signed_in": True}, {"name": "李四", "signed_in": True}],
    }
    found = findings(package(ledger_rows=rows, sheets=[sheet]))
    stranger = [f for f in found if f.code == "trainee-not-in-ledger"]
    assert [f.path for f in stranger] == ["/rows/1"]
    assert "按姓名比对" in stranger[0].message and "matched by name" in stranger[0].message
    assert stranger[0].document == "s1.docx" and "l.docx" in stranger[0].message


def test_names_are_compared_after_normalisation() -> None:
    base: dict[str, Any] = {
        "filing_date": "2025-10-01",
        "training": {"start_date": "2025-11-03", "end_date": "2025-11-03"},
        "enterprise": {"name": "江门市恒达五金制品有限公司", "credit_code": "9144070384R3QGEYEB"},
    }
    agreement: dict[str, Any] = {
        "party_a": {"name": "江门市 恒达五金制品 有限公司", "credit_code": "9144070384r3qgeyeb"},
        "signed_date": "2025-09-01",
    }
    result = package(base)
    result.documents.append(DocumentResult("a.docx", "docx", "agreement", data=agreement))
    assert codes(result) == []
    agreement["party_a"]["name"] = "江门市恒达五金有限公司"
    assert codes(result) == [("party-mismatch", "/party_a/name")]
