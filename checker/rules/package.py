"""Package rules: what one class's documents must agree on (先备案、再培训、后补贴).

A package can be complete field by field and still be a fake class: people signing in who
are not in the ledger, a filing made days before training, a sign-in sheet dated outside the
training. Each finding names the documents (and rows) on both sides. People are matched by
ID number; where a document has no ID numbers, by name, and the message says so.

Each rule is one function, declared (``@rule``: its code, message and example) and
registered (``@package_rule``) where it is written; :func:`package_findings` runs them all
in the order they are written here. A rule takes the :class:`Package` and reads the
profile's thresholds from it: a threshold the profile does not state turns its rule off
rather than borrowing another city's figure.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from annexkit.checker.findings import (
    Finding,
    Identifier,
    Join,
    Message,
    Person,
    on_read_evidence,
    rule,
)
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.contract.formats import MOBILE_RE, age_on, normalize_phone, validate_id_number
from annexkit.contract.text import Text
from annexkit.policy.profiles import Profile, Thresholds
from annexkit.policy.subsidy import estimate, yuan
from annexkit.policy.values import as_date


@dataclass
class Package:
    """What a package rule sees: the package's recognised documents by annex, the policy
    profile, the working-day calendar and the claim date."""

    result: PackageResult
    profile: Profile
    calendar: Any
    claim_date: dt.date | None
    filings: list[DocumentResult] = field(default_factory=list)
    agreements: list[DocumentResult] = field(default_factory=list)
    ledgers: list[DocumentResult] = field(default_factory=list)
    sheets: list[DocumentResult] = field(default_factory=list)
    provisional: set[int] = field(default_factory=set)
    """Years a working-day rule needed that the official calendar does not cover."""

    def __post_init__(self) -> None:
        for document in self.result.documents:
            if document.data is None:
                continue
            kind = {
                "filing": self.filings,
                "agreement": self.agreements,
                "ledger": self.ledgers,
                "signin": self.sheets,
            }.get(document.annex or "")
            if kind is not None:
                kind.append(document)

    @property
    def filing(self) -> DocumentResult | None:
        return self.filings[0] if self.filings else None

    @property
    def ledger(self) -> DocumentResult | None:
        return self.ledgers[0] if self.ledgers else None

    @property
    def limits(self) -> Thresholds:
        return self.profile.thresholds


PackageRule = Callable[[Package], Iterable[Finding]]

PACKAGE_RULES: list[PackageRule] = []
"""Every package rule, in the order they run."""


def package_rule(function: PackageRule) -> PackageRule:
    """Decorator: run ``function`` as a package rule."""
    PACKAGE_RULES.append(function)
    return function


def package_findings(
    package: PackageResult, profile: Profile, calendar: Any, claim_date: dt.date | None
) -> list[Finding]:
    """Every package-level finding of ``package`` under ``profile``."""
    context = Package(package, profile, calendar, claim_date)
    findings = on_read_evidence(
        [f for check in PACKAGE_RULES for f in check(context)], package.read_by_ocr()
    )
    if context.provisional:
        years = Join(tuple(sorted(context.provisional)), "、", ", ")
        findings.append(Finding("calendar-provisional", {"years": years}))
    return findings


# ------------------------------------------------------------------------------ helpers


def _get(data: Any, *path: str) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


def _rows(document: DocumentResult, key: str) -> list[dict[str, Any]]:
    rows = (document.data or {}).get(key)
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _where(document: DocumentResult, pointer: str) -> dict[str, Any]:
    return dict(document.locations.get(pointer, {}))


def _who(row: dict[str, Any]) -> Person:
    id_number = row.get("id_number")
    return Person(row.get("name") or None, id_number if isinstance(id_number, str) else None)


def _fold(text: Any) -> str:
    """Names and codes as compared across documents: NFKC, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(text or "")).upper()
    return re.sub(r"[\s\W_]+", "", text)


def _finding(
    code: str,
    params: dict[str, Any],
    document: DocumentResult | None = None,
    path: str | None = None,
    value: Any = None,
    variant: str = "",
) -> Finding:
    return Finding(
        code,
        params,
        annex=document.annex if document else None,
        document=document.path if document else None,
        path=path,
        location=_where(document, path) if document and path else {},
        value=value,
        variant=variant,
    )


_FILING = "附件5_企业职工培训备案表.docx"
_AGREEMENT = "附件6_合作培训协议.docx"
_LEDGER = "附件7_培训台账.docx"
_SHEET = "附件8_签到表_02_2025-11-04.docx"
_LI_SI = Person("李四", "440703199001011239")


# -------------------------------------------------------------------------------- rules


@package_rule
@rule(
    "missing-annex",
    "error",
    "package",
    "缺少附件",
    "A required annex is absent: the filing, the ledger, at least one sign-in sheet, and the "
    "agreement when the filing names an institution.",
    Text("缺少{title}", "the package has no {annex} document"),
    {"title": "附件7 培训台账", "annex": "ledger"},
)
def _missing_annexes(package: Package) -> Iterator[Finding]:
    wanted = [
        ("filing", package.filings, "附件5 企业职工培训备案表"),
        ("ledger", package.ledgers, "附件7 培训台账"),
        ("signin", package.sheets, "附件8 参训出勤签到表（至少一份）"),
    ]
    if package.filing and _get(package.filing.data, "institution", "name"):
        wanted.insert(
            1, ("agreement", package.agreements, "附件6 合作培训协议（备案表填写了培训机构）")
        )
    for annex, found, title in wanted:
        if not found:
            yield Finding("missing-annex", {"title": title, "annex": annex}, annex=annex)


@package_rule
@rule(
    "filing-too-late",
    "error",
    "package",
    "备案时间不足",
    "Filed fewer than the profile's working days before training start, by the official PRC "
    "working-day calendar (statutory holidays off, 调休 make-up days on).",
    Text(
        "报备日期{filed}晚于最迟报备日{last}（培训开始{start}前{days}个工作日，{profile}）",
        "filed on {filed}, after the last allowed day {last} ({days} working days before the "
        "start {start})",
    ),
    {
        "filed": "2025-10-14",
        "last": "2025-10-13",
        "start": "2025-11-03",
        "days": 15,
        "profile": "jiangmen-2019",
    },
)
def _filing_too_late(package: Package) -> Iterator[Finding]:
    filing, days = package.filing, package.limits.filing_lead_workdays
    if filing is None or days is None:
        return
    filed = as_date(_get(filing.data, "filing_date"))
    start = as_date(_get(filing.data, "training", "start_date"))
    if filed is None or start is None:
        return
    reading = package.limits.filing_lead_reading or "nth-before"
    result = package.calendar.workday_before(start, days, reading)
    if result.provisional:
        package.provisional.update(result.missing_years)
    if filed > result.date:
        params = {
            "filed": filed.isoformat(),
            "last": result.date.isoformat(),
            "start": start.isoformat(),
            "days": days,
            "profile": package.profile.name,
        }
        yield _finding("filing-too-late", params, filing, "/filing_date", filed.isoformat())


@package_rule
def _agreement_after_filing(package: Package) -> Iterator[Finding]:
    """``date-order`` (declared with the document rules): signed after the filing date."""
    filing = package.filing
    filed = as_date(_get(filing.data, "filing_date")) if filing else None
    if filing is None or filed is None:
        return
    for agreement in package.agreements:
        signed = as_date(_get(agreement.data, "signed_date"))
        if signed and signed > filed:
            params = {
                "agreement": agreement.path,
                "signed": signed.isoformat(),
                "filing": filing.path,
                "filed": filed.isoformat(),
            }
            yield _finding(
                "date-order", params, agreement, "/signed_date", signed.isoformat(), "agreement"
            )


@package_rule
@rule(
    "party-mismatch",
    "error",
    "package",
    "单位信息不一致",
    "Agreement parties, filing enterprise/institution and ledger institution disagree.",
    Text(
        "{side}{what}不一致：备案表 {filing} 为“{ours}”，协议 {agreement} 为“{theirs}”",
        "{side} {what} differs: filing {filing} says {ours!r}, agreement {agreement} says "
        "{theirs!r}",
    ),
    {
        "side": Text("培训机构/乙方", "institution/party B"),
        "what": Text("名称", "name"),
        "filing": _FILING,
        "ours": "江门市新技职业培训学校",
        "agreement": _AGREEMENT,
        "theirs": "江门市另一家职业培训学校",
    },
    variants={
        "ledger": Message(
            Text(
                "台账 {ledger} 第{row}行的培训机构“{written}”不是备案表 {filing} 的“{institution}”",
                "ledger {ledger} row {row} names institution {written!r}, not the filing's "
                "{institution!r}",
            ),
            {
                "ledger": _LEDGER,
                "row": 1,
                "written": "江门市另一家职业培训学校 第3期",
                "filing": _FILING,
                "institution": "江门市新技职业培训学校",
            },
        )
    },
)
def _parties(package: Package) -> Iterator[Finding]:
    filing = package.filing
    if filing is None:
        return
    pairs = [
        ("enterprise", "party_a", Text("企业/甲方", "enterprise/party A")),
        ("institution", "party_b", Text("培训机构/乙方", "institution/party B")),
    ]
    keys = (
        ("name", Text("名称", "name")),
        ("credit_code", Text("统一社会信用代码", "credit code")),
    )
    for agreement in package.agreements:
        for side, party, who in pairs:
            for key, what in keys:
                ours = _get(filing.data, side, key)
                theirs = _get(agreement.data, party, key)
                if ours and theirs and _fold(ours) != _fold(theirs):
                    params = {
                        "side": who,
                        "what": what,
                        "filing": filing.path,
                        "ours": ours,
                        "agreement": agreement.path,
                        "theirs": theirs,
                    }
                    yield _finding("party-mismatch", params, agreement, f"/{party}/{key}", theirs)
    institution = _get(filing.data, "institution", "name") or _get(
        filing.data, "enterprise", "name"
    )
    if not institution:
        return
    for ledger in package.ledgers:
        for index, row in enumerate(_rows(ledger, "rows")):
            written = row.get("institution_class")
            if written and _fold(institution) not in _fold(written):
                params = {
                    "ledger": ledger.path,
                    "row": index + 1,
                    "written": written,
                    "filing": filing.path,
                    "institution": institution,
                }
                path = f"/rows/{index}/institution_class"
                yield _finding("party-mismatch", params, ledger, path, written, "ledger")
                break  # one finding per ledger: the rest are the same symptom


@package_rule
@rule(
    "outside-training-period",
    "error",
    "package",
    "日期超出培训期",
    "A ledger or sign-in date outside the filed training period; a sign-in sheet dated on a "
    "day the filing's schedule does not name is a warning.",
    Text(
        "台账 {ledger} 第{row}行 {person} 的日期{day}不在备案的培训期{start}至{end}内",
        "ledger {ledger} row {row}: {day} is outside the filed training period {start}–{end}",
    ),
    {
        "ledger": _LEDGER,
        "row": 2,
        "person": _LI_SI,
        "day": "2025-11-08",
        "start": "2025-11-03",
        "end": "2025-11-04",
    },
    variants={
        "sheet": Message(
            Text(
                "签到表 {sheet} 的日期{day}不在备案的培训期{start}至{end}内",
                "sign-in sheet {sheet} is dated {day}, outside the filed training period "
                "{start}–{end}",
            ),
            {"sheet": _SHEET, "day": "2025-11-08", "start": "2025-11-03", "end": "2025-11-04"},
        ),
        "unscheduled": Message(
            Text(
                "签到表 {sheet} 的日期{day}不是备案表学时日程中的培训日",
                "sign-in sheet {sheet} is dated {day}, not a scheduled day",
            ),
            {"sheet": _SHEET, "day": "2025-11-05"},
            severity="warning",
        ),
    },
)
def _period(package: Package) -> Iterator[Finding]:
    filing = package.filing
    if filing is None:
        return
    start = as_date(_get(filing.data, "training", "start_date"))
    end = as_date(_get(filing.data, "training", "end_date"))
    if start is None or end is None:
        return
    period = {"start": start.isoformat(), "end": end.isoformat()}
    for ledger in package.ledgers:
        for index, row in enumerate(_rows(ledger, "rows")):
            for key in ("start_date", "end_date"):
                day = as_date(row.get(key))
                if day and not start <= day <= end:
                    params = {
                        "ledger": ledger.path,
                        "row": index + 1,
                        "person": _who(row),
                        "day": day.isoformat(),
                        **period,
                    }
                    path = f"/rows/{index}/{key}"
                    yield _finding("outside-training-period", params, ledger, path, day.isoformat())
    scheduled = {
        e.get("date")
        for e in _get(filing.data, "training", "schedule") or []
        if isinstance(e, dict)
    }
    for sheet in package.sheets:
        day = as_date(_get(sheet.data, "date"))
        if day is None:
            continue
        here = {"sheet": sheet.path, "day": day.isoformat()}
        if not start <= day <= end:
            yield _finding(
                "outside-training-period",
                {**here, **period},
                sheet,
                "/date",
                day.isoformat(),
                "sheet",
            )
        elif scheduled and day.isoformat() not in scheduled:
            yield _finding(
                "outside-training-period", here, sheet, "/date", day.isoformat(), "unscheduled"
            )


@package_rule
@rule(
    "unknown-teacher",
    "warning",
    "package",
    "授课老师不在师资名单中",
    "A sign-in sheet's teacher is not among the filing's teachers.",
    Text(
        "签到表 {sheet} 的授课老师“{teacher}”不在备案表 {filing} 的师资名单中",
        "sign-in sheet {sheet}: teacher {teacher!r} is not among the filing's teachers",
    ),
    {"sheet": _SHEET, "teacher": "张老师", "filing": _FILING},
)
def _teachers(package: Package) -> Iterator[Finding]:
    filing = package.filing
    if filing is None:
        return
    teachers = {
        _fold(t.get("name"))
        for t in _get(filing.data, "training", "teachers") or []
        if isinstance(t, dict)
    }
    if not teachers:
        return
    for sheet in package.sheets:
        teacher = _get(sheet.data, "teacher")
        if teacher and _fold(teacher) not in teachers:
            params = {"sheet": sheet.path, "teacher": teacher, "filing": filing.path}
            yield _finding("unknown-teacher", params, sheet, "/teacher", teacher)


@package_rule
def _counts(package: Package) -> Iterator[Finding]:
    """``count-mismatch`` (declared with the document rules) across documents."""
    filing, ledger = package.filing, package.ledger
    if filing is None:
        return
    roster = len(_rows(filing, "roster"))
    headcount = _get(filing.data, "training", "headcount")
    if ledger is not None:
        rows = len(_rows(ledger, "rows"))
        both = {"filing": filing.path, "ledger": ledger.path, "rows": rows}
        if isinstance(headcount, int) and headcount != rows:
            params = {**both, "headcount": headcount}
            yield _finding("count-mismatch", params, ledger, "/rows", rows, "ledger-headcount")
        elif roster and roster != rows:
            params = {**both, "roster": roster}
            yield _finding("count-mismatch", params, ledger, "/rows", rows, "ledger-roster")
    for sheet in package.sheets:
        expected = _get(sheet.data, "expected_count")
        if expected != len(_rows(sheet, "rows")):
            continue  # the sheet disagrees with itself: reported on the sheet already
        if roster and isinstance(expected, int) and expected != roster:
            params = {
                "sheet": sheet.path,
                "expected": expected,
                "filing": filing.path,
                "roster": roster,
            }
            path = "/expected_count"
            yield _finding("count-mismatch", params, sheet, path, expected, "sheet-roster")


def _key(row: dict[str, Any], by_id: bool) -> str | None:
    if by_id:
        id_number = row.get("id_number")
        return (
            id_number if isinstance(id_number, str) and not validate_id_number(id_number) else None
        )
    return _fold(row.get("name")) or None


_BY_NAME = Text("（无身份证号码，按姓名比对）", " (no ID numbers: matched by name)")


def _people_in(
    document: DocumentResult, other: DocumentResult, key: str, code: str
) -> Iterator[Finding]:
    """Rows of ``document`` whose person is not among ``other``'s rows under ``key``."""
    rows = _rows(document, "rows")
    others = _rows(other, key)
    by_id = any(r.get("id_number") for r in rows) and any(r.get("id_number") for r in others)
    known = {_key(r, by_id) for r in others}
    for index, row in enumerate(rows):
        person = _key(row, by_id)
        if person is None or person in known:
            continue
        params = {
            "document": document.path,
            "row": index + 1,
            "person": _who(row),
            "other": other.path,
        }
        value = row.get("id_number") or row.get("name")
        variant = "" if by_id else "by-name"
        yield _finding(code, params, document, f"/rows/{index}", value, variant)


def _matching(template: Text, example: dict[str, Any]) -> dict[str, Message]:
    return {
        "by-name": Message(
            Text(template.zh + _BY_NAME.zh, template.en + _BY_NAME.en),
            {**example, "person": Person("李四")},
        )
    }


_NOT_IN_ROSTER = Text(
    "台账 {document} 第{row}行 {person} 不在名册 {other} 中",
    "ledger {document} row {row}: {person} is not in the roster of {other}",
)
_NOT_IN_ROSTER_EXAMPLE = {"document": _LEDGER, "row": 6, "person": _LI_SI, "other": _FILING}


@package_rule
@rule(
    "trainee-not-in-roster",
    "error",
    "package",
    "台账人员不在备案名册中",
    "A ledger row whose person is not in the filing roster.",
    _NOT_IN_ROSTER,
    _NOT_IN_ROSTER_EXAMPLE,
    variants=_matching(_NOT_IN_ROSTER, _NOT_IN_ROSTER_EXAMPLE),
)
def _not_in_roster(package: Package) -> Iterator[Finding]:
    if package.filing is not None and package.ledger is not None:
        yield from _people_in(package.ledger, package.filing, "roster", "trainee-not-in-roster")


_NOT_IN_LEDGER = Text(
    "签到表 {document} 第{row}行 {person} 不在台账 {other} 中",
    "signin {document} row {row}: {person} is not in the ledger {other}",
)
_NOT_IN_LEDGER_EXAMPLE = {"document": _SHEET, "row": 6, "person": _LI_SI, "other": _LEDGER}


@package_rule
@rule(
    "trainee-not-in-ledger",
    "error",
    "package",
    "签到人员不在台账中",
    "A sign-in row whose person is not in the ledger.",
    _NOT_IN_LEDGER,
    _NOT_IN_LEDGER_EXAMPLE,
    variants=_matching(_NOT_IN_LEDGER, _NOT_IN_LEDGER_EXAMPLE),
)
def _not_in_ledger(package: Package) -> Iterator[Finding]:
    if package.ledger is not None:
        for sheet in package.sheets:
            yield from _people_in(sheet, package.ledger, "rows", "trainee-not-in-ledger")


@package_rule
@rule(
    "age-out-of-range",
    "error",
    "package",
    "年龄超出范围",
    "A trainee's age at the training start is outside the profile's range.",
    Text(
        "台账 {ledger} 第{row}行 {person} 培训开始时{age}周岁，超出{profile}的年龄范围"
        "{low}–{high}岁",
        "ledger {ledger} row {row}: aged {age} at the start, outside {profile}'s range "
        "{low}–{high}",
    ),
    {
        "ledger": _LEDGER,
        "row": 1,
        "person": _LI_SI,
        "age": 45,
        "profile": "jiangmen-youth-2020",
        "low": 16,
        "high": 35,
    },
)
def _ages(package: Package) -> Iterator[Finding]:
    ledger, limits = package.ledger, package.limits
    if ledger is None or (limits.age_min is None and limits.age_max is None):
        return
    low = limits.age_min if limits.age_min is not None else 0
    high = limits.age_max if limits.age_max is not None else 200
    for index, row in enumerate(_rows(ledger, "rows")):
        id_number, start = row.get("id_number"), as_date(row.get("start_date"))
        if not isinstance(id_number, str) or validate_id_number(id_number) or start is None:
            continue
        age = age_on(id_number, start)
        if not low <= age <= high:
            params = {
                "ledger": ledger.path,
                "row": index + 1,
                "person": _who(row),
                "age": age,
                "profile": package.profile.name,
                "low": low,
                "high": high,
            }
            yield _finding("age-out-of-range", params, ledger, f"/rows/{index}/age", age)


@package_rule
@rule(
    "claim-window-expired",
    "error",
    "package",
    "超过申领期限",
    "The claim date is more than the profile's months after training end (the last day "
    "moves past weekends and holidays).",
    Text(
        "申领日期{claim}晚于期限{last}（培训结束{end}后{months}个月）",
        "claimed {claim}, after {last} ({months} months after the end {end})",
    ),
    {"claim": "2026-05-07", "last": "2026-05-06", "end": "2025-11-04", "months": 6},
)
def _claim_window(package: Package) -> Iterator[Finding]:
    ledger, months, claim = package.ledger, package.limits.claim_window_months, package.claim_date
    if ledger is None or claim is None or months is None:
        return
    ends = [d for d in (as_date(r.get("end_date")) for r in _rows(ledger, "rows")) if d]
    filing = package.filing
    end = (
        max(ends) if ends else as_date(_get(filing.data if filing else {}, "training", "end_date"))
    )
    if end is None:
        return
    result = package.calendar.add_months(end, months)
    if result.provisional:
        package.provisional.update(result.missing_years)
    if claim > result.date:
        params = {
            "claim": claim.isoformat(),
            "last": result.date.isoformat(),
            "end": end.isoformat(),
            "months": months,
        }
        yield _finding("claim-window-expired", params, value=claim.isoformat())


@package_rule
@rule(
    "low-attendance",
    "error",
    "package",
    "出勤不足",
    "A trainee signed fewer sessions than the profile's threshold.",
    Text(
        "{person} 签到{count}次，共{sessions}次课，低于{profile}要求的{threshold:.0%}",
        "{person} signed in for {count} of {sessions} sessions, below {profile}'s {threshold:.0%}",
    ),
    {"person": _LI_SI, "count": 8, "sessions": 12, "profile": "jiangmen-2019", "threshold": 0.8},
)
def _attendance(package: Package) -> Iterator[Finding]:
    filing, ledger, sheets = package.filing, package.ledger, package.sheets
    threshold = package.limits.attendance_threshold
    if filing is None or not sheets or threshold is None:
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
    needed = threshold * sessions
    document = ledger if ledger is not None else filing
    for index, row in enumerate(people):
        person = _key(row, by_id)
        if person is None:
            continue
        count = signed.get(person, 0)
        if count < needed:
            params = {
                "person": _who(row),
                "count": count,
                "sessions": sessions,
                "profile": package.profile.name,
                "threshold": threshold,
            }
            path = f"/{'rows' if ledger is not None else 'roster'}/{index}"
            yield _finding("low-attendance", params, document, path, count)


@package_rule
@rule(
    "duplicate-phone",
    "warning",
    "package",
    "多名学员手机号码相同",
    "The same mobile number for two or more trainees of one package (filing roster, ledger "
    "rows; numbers compared normalised). Landlines are not compared: a shared office line "
    "is normal.",
    Text(
        "{count}名学员的手机号码都是{phone}：{people}",
        "{count} trainees give the same mobile number {phone}: {people}",
    ),
    {
        "count": 2,
        "phone": Identifier("13912345678", "phone"),
        "people": Join(
            (
                Person(
                    "张三",
                    "440703199001011239",
                    Text("名册第2行、台账第2行", "roster row 2, ledger row 2"),
                ),
                Person(
                    "李四",
                    "44078119851224002X",
                    Text("名册第4行、台账第4行", "roster row 4, ledger row 4"),
                ),
            )
        ),
    },
)
def _duplicate_phones(package: Package) -> Iterator[Finding]:
    """Two people giving one mobile number in the same document (roster or ledger); each is
    named with every row where they give it. A ledger row whose person the roster does not
    have is ``trainee-not-in-roster``'s, even if the number is a roster person's."""
    places = [(package.filing, "roster", Text("名册", "roster"))]
    places += [(ledger, "rows", Text("台账", "ledger")) for ledger in package.ledgers[:1]]
    holders: dict[str, dict[str, _Holder]] = {}
    # a shared number → where its second holder first appears in one document
    shared: dict[str, tuple[DocumentResult, str]] = {}
    for document, key, where in places:
        if document is None:
            continue
        rows = _rows(document, key)
        by_id = any(r.get("id_number") for r in rows)
        here: dict[str, set[str]] = {}
        for index, row in enumerate(rows):
            raw = row.get("phone")
            phone = normalize_phone(raw) if isinstance(raw, str) else ""
            person = _key(row, by_id) or _key(row, False)
            if not MOBILE_RE.fullmatch(phone) or person is None:
                continue
            holder = holders.setdefault(phone, {}).setdefault(person, _Holder(row))
            row_text = Text(f"{where.zh}第{index + 1}行", f"{where.en} row {index + 1}")
            holder.rows.append(row_text)
            here.setdefault(phone, set()).add(person)
            if len(here[phone]) == 2 and phone not in shared:
                shared[phone] = (document, f"/{key}/{index}/phone")
    for phone, (document, path) in shared.items():
        people = tuple(
            Person(h.row.get("name") or None, h.id_number, Join(tuple(h.rows)))
            for h in holders[phone].values()
        )
        params = {
            "count": len(people),
            "phone": Identifier(phone, "phone"),
            "people": Join(people),
        }
        yield _finding("duplicate-phone", params, document, path, phone)


@dataclass
class _Holder:
    """A trainee giving a mobile number, and the rows where they give it."""

    row: dict[str, Any]
    rows: list[Text] = field(default_factory=list)

    @property
    def id_number(self) -> str | None:
        value = self.row.get("id_number")
        return value if isinstance(value, str) else None


@package_rule
@rule(
    "subsidy-estimate",
    "info",
    "package",
    "补贴估算",
    "The subsidy the policy profile gives for the trainees who passed, and how it was "
    "computed (level × amount, days × allowance). An estimate, not an approved amount.",
    Text(
        "补贴估算（非核定金额）{total}元：{how}",
        "subsidy estimate (not an approved amount) {total} yuan: {how}",
    ),
    {
        "total": "6500",
        "how": Join(
            (
                Text("中级工 1500元 × 3人 = 4500元", "中级工 (level 4) 1500 yuan × 3 = 4500 yuan"),
                Text("高级工 2000元 × 1人 = 2000元", "高级工 (level 3) 2000 yuan × 1 = 2000 yuan"),
            ),
            "；",
            "; ",
        ),
    },
    variants={
        "partial": Message(
            Text(
                "补贴估算（非核定金额）{total}元（部分人员无标准，未计入）：{how}",
                "subsidy estimate (not an approved amount) {total} yuan (some trainees have no "
                "stated amount and are left out): {how}",
            ),
            {
                "total": "4500",
                "how": Text(
                    "中级工 1500元 × 3人 = 4500元；另有1人缺少补贴标准",
                    "中级工 (level 4) 1500 yuan × 3 = 4500 yuan; 1 more has no stated amount",
                ),
            },
        ),
        "unavailable": Message(
            Text(
                "补贴估算不可用（{profile}）：{missing}",
                "subsidy estimate unavailable ({profile}): {missing}",
            ),
            {
                "profile": "dongning-2019",
                "missing": Text("中级工补贴标准未规定", "no amount stated for 中级工"),
            },
        ),
    },
)
def _estimate(package: Package) -> Iterator[Finding]:
    ledger, filing = package.ledger, package.filing
    if ledger is None or ledger.data is None:
        return
    found = estimate(package.profile, ledger.data, filing.data if filing else None)
    params: dict[str, Any]
    if found.total is None:
        missing = Join(tuple(Text(n.zh, n.en) for n in found.missing), "；", "; ")
        params, variant, value = (
            {"profile": package.profile.name, "missing": missing},
            "unavailable",
            None,
        )
    else:
        how = Join(tuple(Text(n.zh, n.en) for n in found.explanation), "；", "; ")
        params = {
            "total": yuan(found.total),
            "how": how if found.explanation else Text("无", "none"),
        }
        variant, value = ("partial" if found.partial else ""), str(found.total)
    yield Finding(
        "subsidy-estimate",
        params,
        annex="ledger",
        document=ledger.path,
        value=value,
        severity="info",
        variant=variant,
    )
