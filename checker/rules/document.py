"""Document-level checks: the schema, then the rules one document can break by itself.

One finding per problem, not one per symptom: a row whose ID number is invalid gets
``invalid-id-number`` and no age or gender finding derived from that number; a missing
field is not also reported as a count that does not add up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, TypeGuard

from annexkit.checker.extract import Extracted
from annexkit.checker.findings import Finding
from annexkit.checker.labels import Path_
from annexkit.contract.formats import age_on, id_gender, validate_id_number
from annexkit.contract.schema import label_at, pointer, validate
from annexkit.generator.text import rmb_upper


def check_record(extracted: Extracted) -> list[Finding]:
    annex = extracted.annex
    findings = [_from_problem(extracted, p) for p in validate(annex, extracted.data)]
    bad = {f.path for f in findings}
    for rule in RULES.get(annex, ()):
        findings += [f for f in rule(extracted, bad) if f.path not in bad or f.path is None]
    return findings


def _from_problem(extracted: Extracted, problem: Any) -> Finding:
    return Finding(
        code=problem.code,
        message=f"{problem.label}：{problem.zh} / {problem.en}",
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
    extracted: Extracted, code: str, path: Path_, zh: str, en: str, value: Any = None
) -> Finding:
    label = label_at(extracted.annex, path)
    return Finding(
        code=code,
        message=f"{label}：{zh} / {en}",
        annex=extracted.annex,
        path=pointer(path),
        location=_where(extracted, path),
        value=value,
    )


Rule = Callable[[Extracted, set[str | None]], Iterator[Finding]]


def _valid_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and validate_id_number(value) is None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(str(value))


# ----------------------------------------------------------------------------- rows


def _people(rows_path: Path_) -> Rule:
    """ID numbers: each once per document; stated gender (and age) agree with the number."""

    def rule(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
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
                    f"与第{seen[id_number] + 1}行是同一身份证号码",
                    f"same ID number as row {seen[id_number] + 1}",
                    id_number,
                )
            seen.setdefault(id_number, index)
            gender = row.get("gender")
            if gender in ("男", "女") and gender != id_gender(id_number):
                yield _finding(
                    extracted,
                    "gender-mismatch",
                    (*here, "gender"),
                    f"填写为{gender}，身份证号码第17位表示{id_gender(id_number)}",
                    f"stated {gender}, the ID number's 17th digit says {id_gender(id_number)}",
                    gender,
                )
            start = _date(row.get("start_date"))
            age = row.get("age")
            if start and isinstance(age, int) and not isinstance(age, bool):
                actual = age_on(id_number, start)
                if actual != age:
                    yield _finding(
                        extracted,
                        "age-mismatch",
                        (*here, "age"),
                        f"填写为{age}岁，按身份证号码于培训开始日{start.isoformat()}为{actual}周岁",
                        f"stated {age}, the ID number gives {actual} on the training start "
                        f"{start.isoformat()}",
                        age,
                    )

    return rule


def _date_order(start_path: Path_, end_path: Path_) -> Rule:
    def rule(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
        start, end = _date(extracted.value(start_path)), _date(extracted.value(end_path))
        if start and end and start > end:
            yield _finding(
                extracted,
                "date-order",
                start_path,
                f"开始日期{start.isoformat()}晚于结束日期{end.isoformat()}",
                f"start {start.isoformat()} is after end {end.isoformat()}",
                start.isoformat(),
            )

    return rule


def _row_date_order(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    for index, row in enumerate(extracted.data.get("rows") or []):
        if isinstance(row, dict):
            rule = _date_order(("rows", index, "start_date"), ("rows", index, "end_date"))
            yield from rule(extracted, bad)


# --------------------------------------------------------------------------- counts


def _count(
    path: Path_, rows_path: Path_, zh: str, en: str, counted: Callable[[list[Any]], int] = len
) -> Rule:
    def rule(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
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
                f"填写为{stated}，{zh}为{actual}",
                f"stated {stated}, {en} {actual}",
                stated,
            )

    return rule


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
            f"填写为{stated}学时，学时日程合计{total}学时",
            f"stated {stated} hours, the schedule adds up to {total}",
            float(stated),
        )


# --------------------------------------------------------------------------- money


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
            f"合计{total}元，各项之和为{summed}元",
            f"total {total} yuan, the items add up to {summed}",
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
            f"培训费总额{total}元，不等于每人{per_person}元×{headcount}人",
            f"total {total} yuan is not {per_person} per person × {headcount}",
            float(total),
        )
    words = fee.get("total_in_words")
    if total is not None and isinstance(words, str) and words.strip():
        written = re.sub(r"^人民币|[\s:：]", "", words).rstrip("整正")
        if written != rmb_upper(total).rstrip("整"):
            yield _finding(
                extracted,
                "amount-mismatch",
                ("fee", "total_in_words"),
                f"大写“{words}”与小写{total}元不符（应为{rmb_upper(total)}）",
                f"the amount in words does not equal {total} yuan",
                words,
            )


# ------------------------------------------------------------------------ signatures

SIGNATURES = {
    "signin": (
        (("confirmations", "teacher_signed"), "授课老师", "teacher"),
        (("confirmations", "head_teacher_signed"), "班主任", "head teacher"),
        (("confirmations", "trainee_rep_signed"), "培训对象代表", "trainee representative"),
    ),
    "agreement": (
        (("signed_a",), "甲方", "party A"),
        (("signed_b",), "乙方", "party B"),
    ),
}


def _signatures(extracted: Extracted, bad: set[str | None]) -> Iterator[Finding]:
    for path, who_zh, who_en in SIGNATURES[extracted.annex]:
        if extracted.value(path) is not True:
            yield _finding(
                extracted,
                "missing-signature",
                path,
                f"{who_zh}未签名或盖章",
                f"no {who_en} signature or stamp",
            )


RULES: dict[str, tuple[Rule, ...]] = {
    "filing": (
        _people(("roster",)),
        _date_order(("training", "start_date"), ("training", "end_date")),
        _count(("training", "headcount"), ("roster",), "培训人员名册人数", "the roster has"),
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
        _count(("expected_count",), ("rows",), "签到表人数", "the sheet lists"),
        _count(("actual_count",), ("rows",), "已签到人数", "signed in:", _signed),
        _signatures,
    ),
}
