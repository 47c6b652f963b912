"""Document-level checks: the schema, then the rules one document can break by itself.

One finding per problem, not one per symptom: a row whose ID number is invalid gets
``invalid-id-number`` and no age or gender finding derived from that number; a missing
field is not also reported as a count that does not add up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeGuard

from annexkit.checker.extract import Extracted
from annexkit.checker.findings import Finding, Message, rule
from annexkit.checker.labels import Path_
from annexkit.contract.amounts import parse_money
from annexkit.contract.formats import age_on, id_gender, validate_id_number
from annexkit.contract.numerals import amount_in_words
from annexkit.contract.parsed import certain
from annexkit.contract.schema import label_at, pointer, validate
from annexkit.contract.text import Text
from annexkit.policy.values import as_date


def check_record(extracted: Extracted) -> list[Finding]:
    annex = extracted.annex
    unread = {pointer(path): (path, text) for path, text in extracted.unread.items()}
    # A field holding text that could not be read with certainty is neither missing nor
    # invalid: it gets one warning quoting the text (unreadable-value), and no error.
    findings = [
        _from_problem(extracted, p)
        for p in validate(annex, extracted.data)
        if p.pointer not in unread
    ]
    findings += [
        Finding(
            "unreadable-value",
            {"label": label_at(annex, path), "text": text},
            annex=annex,
            path=at,
            location=_where(extracted, path),
            value=text,
        )
        for at, (path, text) in unread.items()
    ]
    bad = {f.path for f in findings}
    for check in RULES.get(annex, ()):
        findings += [f for f in check(extracted, bad) if f.path not in bad or f.path is None]
    return findings


def _from_problem(extracted: Extracted, problem: Any) -> Finding:
    return Finding(
        problem.code,
        {"label": problem.label, "reason": Text(problem.zh, problem.en)},
        annex=extracted.annex,
        path=problem.pointer,
        location=_where(extracted, problem.path),
        value=problem.value,
    )


def _where(extracted: Extracted, path: Path_) -> dict[str, Any]:
    """The location of a path, or of the nearest enclosing thing that was read."""
    for end in range(len(path), 0, -1):
        if path[:end] in extracted.sources:
            return extracted.sources[path[:end]].as_dict()
    return {}


def _finding(
    extracted: Extracted,
    code: str,
    path: Path_,
    params: Mapping[str, Any],
    value: Any = None,
    variant: str = "",
) -> Finding:
    """A finding at ``path``; its message starts with the field's label (``label``)."""
    return Finding(
        code,
        {"label": label_at(extracted.annex, path), **params},
        annex=extracted.annex,
        path=pointer(path),
        location=_where(extracted, path),
        value=value,
        variant=variant,
    )


Rule = Callable[[Extracted, set[str | None]], Iterator[Finding]]


def _valid_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and validate_id_number(value) is None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(str(value))


# ----------------------------------------------------------------------------- rows


@rule(
    "duplicate-trainee",
    "error",
    "row",
    "学员重复",
    "The same ID number appears twice in one document.",
    Text("{label}：与第{row}行是同一身份证号码", "same ID number as row {row}"),
    {"label": "台账明细 第5行 › 身份证号码", "row": 3},
)
@rule(
    "gender-mismatch",
    "error",
    "row",
    "性别与身份证号码不符",
    "The stated gender differs from the ID number's 17th digit.",
    Text(
        "{label}：填写为{stated}，身份证号码第17位表示{actual}",
        "stated {stated}, the ID number's 17th digit says {actual}",
    ),
    {"label": "台账明细 第2行 › 性别", "stated": "女", "actual": "男"},
)
@rule(
    "age-mismatch",
    "error",
    "row",
    "年龄与身份证号码不符",
    "The stated age differs from the age the ID number gives at the training start.",
    Text(
        "{label}：填写为{stated}岁，按身份证号码于培训开始日{start}为{actual}周岁",
        "stated {stated}, the ID number gives {actual} on the training start {start}",
    ),
    {"label": "台账明细 第2行 › 年龄", "stated": 30, "actual": 35, "start": "2025-06-10"},
)
def _people(rows_path: Path_) -> Rule:
    """ID numbers: each once per document; stated gender (and age) agree with the number."""

    def check(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
        rows = extracted.value(rows_path) or []
        seen: dict[str, int] = {}
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                continue
            here = (*rows_path, index)
            id_number = row.get("id_number")
            if not _valid_id(id_number):
                continue
            if pointer((*here, "id_number")) in bad:
                continue
            if id_number in seen:
                yield _finding(
                    extracted,
                    "duplicate-trainee",
                    (*here, "id_number"),
                    {"row": seen[id_number] + 1},
                    id_number,
                )
            seen.setdefault(id_number, index)
            gender = row.get("gender")
            if gender in ("男", "女") and gender != id_gender(id_number):
                yield _finding(
                    extracted,
                    "gender-mismatch",
                    (*here, "gender"),
                    {"stated": gender, "actual": id_gender(id_number)},
                    gender,
                )
            start = as_date(row.get("start_date"))
            age = row.get("age")
            if start and isinstance(age, int) and not isinstance(age, bool):
                actual = age_on(id_number, start)
                if actual != age:
                    yield _finding(
                        extracted,
                        "age-mismatch",
                        (*here, "age"),
                        {"stated": age, "actual": actual, "start": start.isoformat()},
                        age,
                    )

    return check


@rule(
    "date-order",
    "error",
    "field/package",
    "日期先后顺序错误",
    "A start date after its end date, or an agreement signed after the filing date.",
    Text("{label}：开始日期{start}晚于结束日期{end}", "start {start} is after end {end}"),
    {"label": "培训计划 › 培训开始日期", "start": "2025-06-20", "end": "2025-06-10"},
    variants={
        "agreement": Message(
            Text(
                "协议 {agreement} 签订于{signed}，晚于备案表 {filing} 的报备日期{filed}",
                "agreement {agreement} signed {signed}, after the filing {filing} of {filed}",
            ),
            {
                "agreement": "附件6_合作培训协议.docx",
                "signed": "2025-10-12",
                "filing": "附件5_企业职工培训备案表.docx",
                "filed": "2025-10-10",
            },
        )
    },
)
def _date_order(start_path: Path_, end_path: Path_) -> Rule:
    def check(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
        start, end = as_date(extracted.value(start_path)), as_date(extracted.value(end_path))
        if start and end and start > end:
            yield _finding(
                extracted,
                "date-order",
                start_path,
                {"start": start.isoformat(), "end": end.isoformat()},
                start.isoformat(),
            )

    return check


def _row_date_order(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    for index, row in enumerate(extracted.data.get("rows") or []):
        if isinstance(row, dict):
            check = _date_order(("rows", index, "start_date"), ("rows", index, "end_date"))
            yield from check(extracted, bad)


# --------------------------------------------------------------------------- counts

_FILING = "附件5_企业职工培训备案表.docx"
_LEDGER = "附件7_培训台账.docx"
_SHEET = "附件8_签到表_01_2025-11-03.docx"


@rule(
    "count-mismatch",
    "error",
    "document/package",
    "人数或学时不一致",
    "Stated counts disagree with the rows: headcount vs roster vs ledger, 实到 vs signed rows, "
    "应到 vs roster, total hours vs schedule.",
    Text(
        "{label}：填写为{stated}，培训人员名册人数为{actual}",
        "stated {stated}, the roster has {actual}",
    ),
    {"label": "培训计划 › 培训人数", "stated": 30, "actual": 28},
    variants={
        "sheet": Message(
            Text(
                "{label}：填写为{stated}，签到表人数为{actual}",
                "stated {stated}, the sheet lists {actual}",
            ),
            {"label": "应到人数", "stated": 30, "actual": 28},
        ),
        "signed": Message(
            Text(
                "{label}：填写为{stated}，已签到人数为{actual}",
                "stated {stated}, signed in: {actual}",
            ),
            {"label": "实到人数", "stated": 30, "actual": 28},
        ),
        "hours": Message(
            Text(
                "{label}：填写为{stated}学时，学时日程合计{total}学时",
                "stated {stated} hours, the schedule adds up to {total}",
            ),
            {"label": "培训计划 › 总学时", "stated": 40, "total": 36},
        ),
        "ledger-headcount": Message(
            Text(
                "备案表 {filing} 培训人数{headcount}人，台账 {ledger} 有{rows}行",
                "filing {filing} states {headcount} trainees, ledger {ledger} has {rows} rows",
            ),
            {"filing": _FILING, "headcount": 30, "ledger": _LEDGER, "rows": 28},
        ),
        "ledger-roster": Message(
            Text(
                "备案表 {filing} 名册{roster}人，台账 {ledger} 有{rows}行",
                "filing roster has {roster} people, ledger {ledger} has {rows} rows",
            ),
            {"filing": _FILING, "roster": 30, "ledger": _LEDGER, "rows": 28},
        ),
        "sheet-roster": Message(
            Text(
                "签到表 {sheet} 应到{expected}人，备案表 {filing} 名册{roster}人",
                "sign-in sheet {sheet} expects {expected}, the filing roster has {roster}",
            ),
            {"sheet": _SHEET, "expected": 8, "filing": _FILING, "roster": 6},
        ),
    },
)
def _count(
    path: Path_, rows_path: Path_, variant: str, counted: Callable[[list[Any]], int] = len
) -> Rule:
    def check(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
        stated = extracted.value(path)
        rows = extracted.value(rows_path)
        if isinstance(stated, bool) or not isinstance(stated, int) or not isinstance(rows, list):
            return
        actual = counted(rows)
        if stated != actual:
            yield _finding(
                extracted,
                "count-mismatch",
                path,
                {"stated": stated, "actual": actual},
                stated,
                variant,
            )

    return check


def _sum_of(values: Iterable[Any]) -> Decimal | None:
    """The sum of figures, or None when one is missing or no number: a total cannot be
    checked against rows that do not all state theirs (that is a finding of its own)."""
    numbers = [_number(v) for v in values]
    if any(n is None for n in numbers):
        return None
    return sum((n for n in numbers if n is not None), Decimal(0))


def _signed(rows: list[Any]) -> int:
    return sum(1 for r in rows if isinstance(r, dict) and r.get("signed_in") is True)


def _total_hours(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    training = extracted.data.get("training") or {}
    stated = _number(training.get("total_hours"))
    schedule = training.get("schedule")
    if stated is None or not isinstance(schedule, list):
        return
    total = _sum_of(e.get("hours") for e in schedule if isinstance(e, dict))
    if total is not None and total != stated:
        yield _finding(
            extracted,
            "count-mismatch",
            ("training", "total_hours"),
            {"stated": stated, "total": total},
            float(stated),
            "hours",
        )


# --------------------------------------------------------------------------- money


@rule(
    "amount-mismatch",
    "error",
    "document/package",
    "金额不一致",
    "Budget items vs total, fee total vs per person × headcount, capitals vs figures.",
    Text(
        "{label}：合计{total}元，各项之和为{summed}元",
        "total {total} yuan, the items add up to {summed}",
    ),
    {"label": "培训计划 › 培训成本预算 › 合计", "total": 15000, "summed": 12000},
    variants={
        "fee": Message(
            Text(
                "{label}：培训费总额{total}元，不等于每人{per_person}元×{headcount}人",
                "total {total} yuan is not {per_person} per person × {headcount}",
            ),
            {"label": "培训费用 › 总额", "total": 9000, "per_person": 1600, "headcount": 6},
        ),
        "words": Message(
            Text(
                "{label}：大写“{words}”与小写{total}元不符（应为{expected}）",
                "the amount in words does not equal {total} yuan",
            ),
            {
                "label": "培训费用 › 人民币（大写）",
                "words": "捌仟元整",
                "total": 9000,
                "expected": "玖仟元整",
            },
        ),
    },
)
def _budget(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    budget = (extracted.data.get("training") or {}).get("budget") or {}
    total = _number(budget.get("total"))
    items = budget.get("items")
    if total is None or not isinstance(items, list):
        return
    summed = _sum_of(i.get("amount") for i in items if isinstance(i, dict))
    if summed is not None and summed != total:
        yield _finding(
            extracted,
            "amount-mismatch",
            ("training", "budget", "total"),
            {"total": total, "summed": summed},
            float(total),
        )


def _fee(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    fee = extracted.data.get("fee") or {}
    total = _number(fee.get("total"))
    per_person = _number(fee.get("per_person"))
    headcount = (extracted.data.get("training") or {}).get("headcount")
    if (
        total is not None
        and per_person is not None
        and isinstance(headcount, int)
        and per_person * headcount != total
    ):
        yield _finding(
            extracted,
            "amount-mismatch",
            ("fee", "total"),
            {"total": total, "per_person": per_person, "headcount": headcount},
            float(total),
            "fee",
        )
    words = fee.get("total_in_words")
    if total is not None and isinstance(words, str) and words.strip():
        # Compared by meaning: 贰萬肆仟圆整 and 贰万肆仟元零角零分 both say 24000.
        meant = certain(parse_money(words))
        if meant is not None and meant != total:
            yield _finding(
                extracted,
                "amount-mismatch",
                ("fee", "total_in_words"),
                {"words": words, "total": total, "expected": amount_in_words(total)},
                words,
                "words",
            )


# ------------------------------------------------------------------------ signatures

SIGNATURES = {
    "signin": (
        (("confirmations", "teacher_signed"), Text("授课老师", "teacher")),
        (("confirmations", "head_teacher_signed"), Text("班主任", "head teacher")),
        (("confirmations", "trainee_rep_signed"), Text("培训对象代表", "trainee representative")),
    ),
    "agreement": (
        (("signed_a",), Text("甲方", "party A")),
        (("signed_b",), Text("乙方", "party B")),
    ),
}


@rule(
    "missing-signature",
    "error",
    "document",
    "缺少签名或盖章",
    "A teacher, head-teacher, trainee-representative or party signature/stamp block is empty.",
    Text("{label}：{who}未签名或盖章", "no {who} signature or stamp"),
    {"label": "签字确认 › 授课老师签名", "who": Text("授课老师", "teacher")},
)
def _signatures(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    for path, who in SIGNATURES[extracted.annex]:
        if extracted.value(path) is not True:
            yield _finding(extracted, "missing-signature", path, {"who": who})


RULES: dict[str, tuple[Rule, ...]] = {
    "filing": (
        _people(("roster",)),
        _date_order(("training", "start_date"), ("training", "end_date")),
        _count(("training", "headcount"), ("roster",), ""),
        _total_hours,
        _budget,
    ),
    "agreement": (
        _date_order(("training", "start_date"), ("training", "end_date")),
        _fee,
        _signatures,
    ),
    "ledger": (_people(("rows",)), _row_date_order),
    "signin": (
        _people(("rows",)),
        _count(("expected_count",), ("rows",), "sheet"),
        _count(("actual_count",), ("rows",), "signed", _signed),
        _signatures,
    ),
}
