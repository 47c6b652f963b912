"""Package rules: what one class's documents must agree on (先备案、再培训、后补贴).

A package can be complete field by field and still be a fake class: people signing in who
are not in the ledger, a filing made days before training, a sign-in sheet dated outside the
training. Each finding names the documents (and rows) on both sides. People are matched by
ID number; where a document has no ID numbers, by name, and the message says so.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from annexkit.checker.findings import Finding
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.contract.formats import age_on, mask_id, validate_id_number

Reading = Literal["nth-before", "strictly-between"]


@dataclass(frozen=True)
class Policy:
    """The thresholds the package rules need, taken from a policy profile."""

    name: str = "jiangmen-2019"
    filing_lead_workdays: int | None = 15
    filing_lead_reading: Reading = "nth-before"
    claim_window_months: int | None = 6
    age_min: int | None = None
    age_max: int | None = None
    attendance_threshold: float | None = None
    """Share of the scheduled sessions a trainee must sign in for (0–1); None: not checked."""


@dataclass
class _Docs:
    filing: list[DocumentResult]
    agreement: list[DocumentResult]
    ledger: list[DocumentResult]
    signin: list[DocumentResult]


def package_findings(
    package: PackageResult, policy: Policy, calendar: Any, claim_date: dt.date | None
) -> list[Finding]:
    """Every package-level finding of ``package``."""
    docs = _Docs(
        *[
            [d for d in package.documents if d.annex == a and d.data is not None]
            for a in ("filing", "agreement", "ledger", "signin")
        ]
    )
    findings: list[Finding] = list(_missing_annexes(docs))
    filing = docs.filing[0] if docs.filing else None
    ledger = docs.ledger[0] if docs.ledger else None
    provisional: set[int] = set()
    if filing is not None:
        findings += _filing_too_late(filing, policy, calendar, provisional)
        findings += _agreement_after_filing(filing, docs.agreement)
        findings += _parties(filing, docs.agreement, docs.ledger)
        findings += _period(filing, docs.ledger, docs.signin)
        findings += _teachers(filing, docs.signin)
        findings += _counts(filing, ledger, docs.signin)
        if ledger is not None:
            findings += _people_in(ledger, "ledger", filing, "roster", "trainee-not-in-roster")
    if ledger is not None:
        for sheet in docs.signin:
            findings += _people_in(sheet, "signin", ledger, "rows", "trainee-not-in-ledger")
        findings += _ages(ledger, policy)
        findings += _claim_window(ledger, filing, policy, calendar, claim_date, provisional)
    if filing is not None and docs.signin:
        findings += _attendance(filing, docs.signin, ledger, policy)
    if provisional:
        years = "、".join(map(str, sorted(provisional)))
        findings.append(
            Finding(
                "calendar-provisional",
                f"{years}年的法定节假日安排尚无官方数据，工作日仅按周末推算（可用 annex calendar "
                f"add-year 补充） / no official holiday data for {years}: working days were "
                "counted by weekends only (add the year with `annex calendar add-year`)",
            )
        )
    return findings


# ------------------------------------------------------------------------------ helpers


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _get(data: Any, *path: str) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


def _rows(document: DocumentResult, key: str) -> list[dict[str, Any]]:
    rows = (document.data or {}).get(key)
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _where(document: DocumentResult, pointer: str) -> dict[str, Any]:
    return dict(document.locations.get(pointer, {}))


def _who(row: dict[str, Any]) -> str:
    name = row.get("name") or "（无姓名）"
    id_number = row.get("id_number")
    return f"{name}（{mask_id(id_number)}）" if isinstance(id_number, str) else str(name)


def _fold(text: Any) -> str:
    """Names and codes as compared across documents: NFKC, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(text or "")).upper()
    return re.sub(r"[\s\W_]+", "", text)


def _package_finding(
    code: str,
    zh: str,
    en: str,
    document: DocumentResult | None = None,
    path: str | None = None,
    value: Any = None,
) -> Finding:
    return Finding(
        code,
        f"{zh} / {en}",
        annex=document.annex if document else None,
        document=document.path if document else None,
        path=path,
        location=_where(document, path) if document and path else {},
        value=value,
    )


# -------------------------------------------------------------------------------- rules


def _missing_annexes(docs: _Docs) -> Iterator[Finding]:
    wanted = [
        ("filing", docs.filing, "附件5 企业职工培训备案表"),
        ("ledger", docs.ledger, "附件7 培训台账"),
        ("signin", docs.signin, "附件8 参训出勤签到表（至少一份）"),
    ]
    named = docs.filing and _get(docs.filing[0].data, "institution", "name")
    if named:
        wanted.insert(
            1, ("agreement", docs.agreement, "附件6 合作培训协议（备案表填写了培训机构）")
        )
    for annex, found, title in wanted:
        if not found:
            yield Finding(
                "missing-annex", f"缺少{title} / the package has no {annex} document", annex=annex
            )


def _filing_too_late(
    filing: DocumentResult, policy: Policy, calendar: Any, provisional: set[int]
) -> Iterator[Finding]:
    filed = _date(_get(filing.data, "filing_date"))
    start = _date(_get(filing.data, "training", "start_date"))
    if filed is None or start is None or policy.filing_lead_workdays is None:
        return
    result = calendar.workday_before(start, policy.filing_lead_workdays, policy.filing_lead_reading)
    if result.provisional:
        provisional.update(result.missing_years)
    if filed > result.date:
        yield _package_finding(
            "filing-too-late",
            f"报备日期{filed.isoformat()}晚于最迟报备日{result.date.isoformat()}（培训开始"
            f"{start.isoformat()}前{policy.filing_lead_workdays}个工作日，{policy.name}）",
            f"filed on {filed.isoformat()}, after the last allowed day {result.date.isoformat()} "
            f"({policy.filing_lead_workdays} working days before the start {start.isoformat()})",
            filing,
            "/filing_date",
            filed.isoformat(),
        )


def _agreement_after_filing(
    filing: DocumentResult, agreements: Sequence[DocumentResult]
) -> Iterator[Finding]:
    filed = _date(_get(filing.data, "filing_date"))
    for agreement in agreements:
        signed = _date(_get(agreement.data, "signed_date"))
        if filed and signed and signed > filed:
            yield _package_finding(
                "date-order",
                f"协议 {agreement.path} 签订于{signed.isoformat()}，晚于备案表 {filing.path} 的报备"
                f"日期{filed.isoformat()}",
                f"agreement {agreement.path} signed {signed.isoformat()}, after the filing "
                f"{filing.path} of {filed.isoformat()}",
                agreement,
                "/signed_date",
                signed.isoformat(),
            )


def _parties(
    filing: DocumentResult, agreements: Sequence[DocumentResult], ledgers: Sequence[DocumentResult]
) -> Iterator[Finding]:
    pairs = [
        ("enterprise", "party_a", "企业/甲方", "enterprise/party A"),
        ("institution", "party_b", "培训机构/乙方", "institution/party B"),
    ]
    for agreement in agreements:
        for side, party, zh, en in pairs:
            for key, label in (("name", "名称"), ("credit_code", "统一社会信用代码")):
                ours = _get(filing.data, side, key)
                theirs = _get(agreement.data, party, key)
                if ours and theirs and _fold(ours) != _fold(theirs):
                    yield _package_finding(
                        "party-mismatch",
                        f"{zh}{label}不一致：备案表 {filing.path} 为“{ours}”，协议 "
                        f"{agreement.path} 为“{theirs}”",
                        f"{en} {key} differs: filing {filing.path} says {ours!r}, agreement "
                        f"{agreement.path} says {theirs!r}",
                        agreement,
                        f"/{party}/{key}",
                        theirs,
                    )
    institution = _get(filing.data, "institution", "name") or _get(
        filing.data, "enterprise", "name"
    )
    if not institution:
        return
    for ledger in ledgers:
        for index, row in enumerate(_rows(ledger, "rows")):
            written = row.get("institution_class")
            if written and _fold(institution) not in _fold(written):
                yield _package_finding(
                    "party-mismatch",
                    f"台账 {ledger.path} 第{index + 1}行的培训机构“{written}”不是备案表 "
                    f"{filing.path} 的“{institution}”",
                    f"ledger {ledger.path} row {index + 1} names institution {written!r}, not "
                    f"the filing's {institution!r}",
                    ledger,
                    f"/rows/{index}/institution_class",
                    written,
                )
                break  # one finding per ledger: the rest are the same symptom


def _period(
    filing: DocumentResult, ledgers: Sequence[DocumentResult], sheets: Sequence[DocumentResult]
) -> Iterator[Finding]:
    start = _date(_get(filing.data, "training", "start_date"))
    end = _date(_get(filing.data, "training", "end_date"))
    if start is None or end is None:
        return
    period = f"{start.isoformat()}至{end.isoformat()}"
    for ledger in ledgers:
        for index, row in enumerate(_rows(ledger, "rows")):
            for key in ("start_date", "end_date"):
                day = _date(row.get(key))
                if day and not start <= day <= end:
                    yield _package_finding(
                        "outside-training-period",
                        f"台账 {ledger.path} 第{index + 1}行 {_who(row)} 的日期{day.isoformat()}"
                        f"不在备案的培训期{period}内",
                        f"ledger {ledger.path} row {index + 1}: {day.isoformat()} is outside "
                        f"the filed training period {start.isoformat()}–{end.isoformat()}",
                        ledger,
                        f"/rows/{index}/{key}",
                        day.isoformat(),
                    )
    scheduled = {
        e.get("date")
        for e in _get(filing.data, "training", "schedule") or []
        if isinstance(e, dict)
    }
    for sheet in sheets:
        day = _date(_get(sheet.data, "date"))
        if day is None:
            continue
        if not start <= day <= end:
            yield _package_finding(
                "outside-training-period",
                f"签到表 {sheet.path} 的日期{day.isoformat()}不在备案的培训期{period}内",
                f"sign-in sheet {sheet.path} is dated {day.isoformat()}, outside the filed "
                f"training period",
                sheet,
                "/date",
                day.isoformat(),
            )
        elif scheduled and day.isoformat() not in scheduled:
            finding = _package_finding(
                "outside-training-period",
                f"签到表 {sheet.path} 的日期{day.isoformat()}不是备案表学时日程中的培训日",
                f"sign-in sheet {sheet.path} is dated {day.isoformat()}, not a scheduled day",
                sheet,
                "/date",
                day.isoformat(),
            )
            finding.severity = "warning"
            yield finding


def _teachers(filing: DocumentResult, sheets: Sequence[DocumentResult]) -> Iterator[Finding]:
    teachers = {
        _fold(t.get("name"))
        for t in _get(filing.data, "training", "teachers") or []
        if isinstance(t, dict)
    }
    if not teachers:
        return
    for sheet in sheets:
        teacher = _get(sheet.data, "teacher")
        if teacher and _fold(teacher) not in teachers:
            yield _package_finding(
                "unknown-teacher",
                f"签到表 {sheet.path} 的授课老师“{teacher}”不在备案表 {filing.path} 的师资名单中",
                f"sign-in sheet {sheet.path}: teacher {teacher!r} is not among the filing's "
                "teachers",
                sheet,
                "/teacher",
                teacher,
            )


def _counts(
    filing: DocumentResult, ledger: DocumentResult | None, sheets: Sequence[DocumentResult]
) -> Iterator[Finding]:
    roster = len(_rows(filing, "roster"))
    headcount = _get(filing.data, "training", "headcount")
    if ledger is not None:
        rows = len(_rows(ledger, "rows"))
        if isinstance(headcount, int) and headcount != rows:
            yield _package_finding(
                "count-mismatch",
                f"备案表 {filing.path} 培训人数{headcount}人，台账 {ledger.path} 有{rows}行",
                f"filing {filing.path} states {headcount} trainees, ledger {ledger.path} has "
                f"{rows} rows",
                ledger,
                "/rows",
                rows,
            )
        elif roster and roster != rows:
            yield _package_finding(
                "count-mismatch",
                f"备案表 {filing.path} 名册{roster}人，台账 {ledger.path} 有{rows}行",
                f"filing roster has {roster} people, ledger {ledger.path} has {rows} rows",
                ledger,
                "/rows",
                rows,
            )
    for sheet in sheets:
        expected = _get(sheet.data, "expected_count")
        if expected != len(_rows(sheet, "rows")):
            continue  # the sheet disagrees with itself: reported on the sheet already
        if roster and isinstance(expected, int) and expected != roster:
            yield _package_finding(
                "count-mismatch",
                f"签到表 {sheet.path} 应到{expected}人，备案表 {filing.path} 名册{roster}人",
                f"sign-in sheet {sheet.path} expects {expected}, the filing roster has {roster}",
                sheet,
                "/expected_count",
                expected,
            )


def _key(row: dict[str, Any], by_id: bool) -> str | None:
    if by_id:
        id_number = row.get("id_number")
        return (
            id_number if isinstance(id_number, str) and not validate_id_number(id_number) else None
        )
    return _fold(row.get("name")) or None


def _people_in(
    document: DocumentResult, annex: str, other: DocumentResult, key: str, code: str
) -> Iterator[Finding]:
    """Rows of ``document`` whose person is not among ``other``'s rows under ``key``."""
    rows = _rows(document, "rows")
    others = _rows(other, key)
    by_id = any(r.get("id_number") for r in rows) and any(r.get("id_number") for r in others)
    known = {_key(r, by_id) for r in others}
    what = {"ledger": "台账", "signin": "签到表"}[annex]
    where = "名册" if key == "roster" else "台账"
    how_zh = "" if by_id else "（无身份证号码，按姓名比对）"
    how_en = "" if by_id else " (no ID numbers: matched by name)"
    for index, row in enumerate(rows):
        person = _key(row, by_id)
        if person is None or person in known:
            continue
        yield _package_finding(
            code,
            f"{what} {document.path} 第{index + 1}行 {_who(row)} "
            f"不在{where} {other.path} 中{how_zh}",
            f"{annex} {document.path} row {index + 1}: {_who(row)} is not in "
            f"{'the roster of' if key == 'roster' else 'the ledger'} {other.path}{how_en}",
            document,
            f"/rows/{index}",
            row.get("id_number") or row.get("name"),
        )


def _ages(ledger: DocumentResult, policy: Policy) -> Iterator[Finding]:
    if policy.age_min is None and policy.age_max is None:
        return
    for index, row in enumerate(_rows(ledger, "rows")):
        id_number, start = row.get("id_number"), _date(row.get("start_date"))
        if not isinstance(id_number, str) or validate_id_number(id_number) or start is None:
            continue
        age = age_on(id_number, start)
        low = policy.age_min if policy.age_min is not None else 0
        high = policy.age_max if policy.age_max is not None else 200
        if not low <= age <= high:
            yield _package_finding(
                "age-out-of-range",
                f"台账 {ledger.path} 第{index + 1}行 {_who(row)} 培训开始时{age}周岁，超出"
                f"{policy.name}的年龄范围{low}–{high}岁",
                f"ledger {ledger.path} row {index + 1}: aged {age} at the start, outside "
                f"{policy.name}'s range {low}–{high}",
                ledger,
                f"/rows/{index}/age",
                age,
            )


def _claim_window(
    ledger: DocumentResult,
    filing: DocumentResult | None,
    policy: Policy,
    calendar: Any,
    claim_date: dt.date | None,
    provisional: set[int],
) -> Iterator[Finding]:
    if claim_date is None or policy.claim_window_months is None:
        return
    ends = [d for d in (_date(r.get("end_date")) for r in _rows(ledger, "rows")) if d]
    end = max(ends) if ends else _date(_get(filing.data if filing else {}, "training", "end_date"))
    if end is None:
        return
    result = calendar.add_months(end, policy.claim_window_months)
    if result.provisional:
        provisional.update(result.missing_years)
    if claim_date > result.date:
        yield _package_finding(
            "claim-window-expired",
            f"申领日期{claim_date.isoformat()}晚于期限{result.date.isoformat()}（培训结束"
            f"{end.isoformat()}后{policy.claim_window_months}个月）",
            f"claimed {claim_date.isoformat()}, after {result.date.isoformat()} "
            f"({policy.claim_window_months} months after the end {end.isoformat()})",
            value=claim_date.isoformat(),
        )


def _attendance(
    filing: DocumentResult,
    sheets: Sequence[DocumentResult],
    ledger: DocumentResult | None,
    policy: Policy,
) -> Iterator[Finding]:
    if policy.attendance_threshold is None:
        return
    schedule = _get(filing.data, "training", "schedule") or []
    sessions = max(len(schedule), len(sheets))
    people = _rows(ledger, "rows") if ledger is not None else _rows(filing, "roster")
    by_id = all(any(r.get("id_number") for r in _rows(s, "rows")) for s in sheets)
    signed: dict[str, int] = {}
    for sheet in sheets:
        for row in _rows(sheet, "rows"):
            person = _key(row, by_id)
            if person and row.get("signed_in") is True:
                signed[person] = signed.get(person, 0) + 1
    needed = policy.attendance_threshold * sessions
    for index, row in enumerate(people):
        person = _key(row, by_id)
        if person is None:
            continue
        count = signed.get(person, 0)
        if count < needed:
            document = ledger if ledger is not None else filing
            yield _package_finding(
                "low-attendance",
                f"{_who(row)} 签到{count}次，共{sessions}次课，低于{policy.name}要求的"
                f"{policy.attendance_threshold:.0%}",
                f"{_who(row)} signed in for {count} of {sessions} sessions, below "
                f"{policy.name}'s {policy.attendance_threshold:.0%}",
                document,
                f"/{'rows' if ledger is not None else 'roster'}/{index}",
                count,
            )
