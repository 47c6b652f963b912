"""Faults: one known fault per faulty package, and the findings each must give.

``FAULTS[name](class, rng)`` changes the class data in place and returns an
:class:`Injected`: the expected findings as ``(code, document, JSON pointer)`` where the
document is a key (``filing``, ``agreement``, ``ledger``, ``signin:N``) the builder turns into
the file's path, plus what the fault needs from the layouts (a sign-in sheet with an ID
column, for a fault in an ID number). Findings are the ones the checker's rules give for the
data as shown, one finding per problem (``docs/rules.md``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from annexkit.contract.formats import age_on
from annexkit.policy.workdays import default_calendar
from tests.synthetic import JIANGMEN_AREAS, make_credit_code, make_id_number
from tests.variation.model import SCHOOL_WORDS, Class, other_name
from tests.variation.notations import rmb_upper

Expected = tuple[str, str | None, str | None]


@dataclass
class Injected:
    why: str
    expected: list[Expected]
    requires: dict[str, set[str]] = field(default_factory=dict)
    """Document key → layout features it needs."""
    leave_out: tuple[str, ...] = ()


Fault = Callable[[Class, random.Random], Injected]
FAULTS: dict[str, Fault] = {}


def fault(name: str) -> Callable[[Fault], Fault]:
    def register(function: Fault) -> Fault:
        FAULTS[name] = function
        return function

    return register


def _names(c: Class) -> set[str]:
    names = {p["name"] for p in c["filing"]["roster"]}
    names |= {t["name"] for t in c["filing"]["training"]["teachers"]}
    return names | {c["signin"][0]["head_teacher"]}


def _stranger(c: Class, rng: random.Random) -> dict[str, str | int]:
    start = dt.date.fromisoformat(c["filing"]["training"]["start_date"])
    taken = {p["id_number"] for p in c["filing"]["roster"]}
    while True:
        birth = start - dt.timedelta(days=rng.randint(20 * 366, 50 * 365))
        gender = rng.choice("男女")
        sequence = rng.randrange(0, 998, 2) + (1 if gender == "男" else 0)
        id_number = make_id_number(rng.choice(JIANGMEN_AREAS), birth, sequence)
        if id_number not in taken:
            break
    return {
        "name": other_name(rng, _names(c)),
        "id_number": id_number,
        "gender": gender,
        "age": age_on(id_number, start),
    }


def _bad_check_digit(id_number: str) -> str:
    digits = "0123456789X"
    return id_number[:17] + digits[(digits.index(id_number[17]) + 3) % 11]


@fault("filing-too-late")
def _filing_too_late(c: Class, rng: random.Random) -> Injected:
    start = dt.date.fromisoformat(c["filing"]["training"]["start_date"])
    n = rng.randint(3, 14)
    c["filing"]["filing_date"] = default_calendar().workday_before(start, n).date.isoformat()
    return Injected(
        f"在培训开始前第{n}个工作日才报备 / filed {n} working days before the start",
        [("filing-too-late", "filing", "/filing_date")],
    )


@fault("trainee-not-in-ledger")
def _not_in_ledger(c: Class, rng: random.Random) -> Injected:
    sheet = rng.randrange(len(c["signin"]))
    row = rng.randrange(len(c["signin"][sheet]["rows"]))
    person = _stranger(c, rng)
    c["signin"][sheet]["rows"][row].update(name=person["name"], id_number=person["id_number"])
    return Injected(
        "签到表上有台账中没有的人 / someone signs in who is not in the ledger",
        [("trainee-not-in-ledger", f"signin:{sheet}", f"/rows/{row}")],
    )


@fault("trainee-not-in-roster")
def _not_in_roster(c: Class, rng: random.Random) -> Injected:
    row = rng.randrange(len(c["ledger"]["rows"]))
    person = _stranger(c, rng)
    c["ledger"]["rows"][row].update(person)
    for sheet in c["signin"]:
        sheet["rows"][row].update(name=person["name"], id_number=person["id_number"])
    return Injected(
        "台账（及签到表）中有名册里没有的人 / a ledger row not in the filing roster",
        [("trainee-not-in-roster", "ledger", f"/rows/{row}")],
    )


@fault("count-mismatch")
def _count_mismatch(c: Class, rng: random.Random) -> Injected:
    kind = rng.choice(("actual", "expected", "headcount"))
    sheet = rng.randrange(len(c["signin"]))
    s = c["signin"][sheet]
    if kind == "actual":
        s["actual_count"] += 1 if s["actual_count"] < len(s["rows"]) else -1
        return Injected(
            "实到人数与签到行数不符 / 实到 differs from the signed rows",
            [("count-mismatch", f"signin:{sheet}", "/actual_count")],
        )
    if kind == "expected":
        s["expected_count"] += rng.choice((1, 2, -1))
        return Injected(
            "应到人数与签到表行数不符 / 应到 differs from the rows",
            [("count-mismatch", f"signin:{sheet}", "/expected_count")],
        )
    c["filing"]["training"]["headcount"] += rng.choice((1, 2))
    return Injected(
        "备案表培训人数与名册不符 / the filing's headcount differs from its roster",
        [
            ("count-mismatch", "filing", "/training/headcount"),
            ("count-mismatch", "ledger", "/rows"),
        ],
    )


@fault("amount-mismatch")
def _amount_mismatch(c: Class, rng: random.Random) -> Injected:
    kind = rng.choice(("total", "words", "budget"))
    fee = c["agreement"]["fee"]
    if kind == "total":
        fee["total"] += rng.choice((-1, 1, 2)) * fee["per_person"] // 2
        fee["total_in_words"] = rmb_upper(Decimal(fee["total"]))
        return Injected(
            "培训费总额不等于每人费用×人数 / fee total is not per person × headcount",
            [("amount-mismatch", "agreement", "/fee/total")],
        )
    if kind == "words":
        fee["total_in_words"] = rmb_upper(Decimal(fee["total"] + rng.choice((1000, -1000, 100))))
        return Injected(
            "大写金额与小写不符 / the amount in words differs from the figure",
            [("amount-mismatch", "agreement", "/fee/total_in_words")],
        )
    budget = c["filing"]["training"]["budget"]
    budget["items"][0]["amount"] += rng.choice((500, -500, 1000))
    return Injected(
        "培训成本预算各项之和与合计不符 / budget items do not add up to the total",
        [("amount-mismatch", "filing", "/training/budget/total")],
    )


@fault("missing-signature")
def _missing_signature(c: Class, rng: random.Random) -> Injected:
    if rng.random() < 0.5:
        key = rng.choice(("signed_a", "signed_b"))
        c["agreement"][key] = False
        return Injected(
            "协议一方未盖章签字 / a party's seal and signature block is empty",
            [("missing-signature", "agreement", f"/{key}")],
        )
    sheet = rng.randrange(len(c["signin"]))
    c["signin"][sheet]["confirmations"]["teacher_signed"] = False
    return Injected(
        "签到表授课老师未签名 / the teacher did not sign the sheet",
        [("missing-signature", f"signin:{sheet}", "/confirmations/teacher_signed")],
    )


@fault("invalid-id-number")
def _invalid_id(c: Class, rng: random.Random) -> Injected:
    if rng.random() < 0.6:
        sheet = rng.randrange(len(c["signin"]))
        row = rng.randrange(len(c["signin"][sheet]["rows"]))
        entry = c["signin"][sheet]["rows"][row]
        entry["id_number"] = _bad_check_digit(entry["id_number"])
        return Injected(
            "签到表上一个身份证号码校验位错误 / a wrong check digit on a sign-in sheet",
            [("invalid-id-number", f"signin:{sheet}", f"/rows/{row}/id_number")],
            requires={f"signin:{sheet}": {"id_number"}},
        )
    row = rng.randrange(len(c["filing"]["roster"]))
    person = c["filing"]["roster"][row]
    person["id_number"] = _bad_check_digit(person["id_number"])
    return Injected(
        "名册上一个身份证号码校验位错误（台账该行因此不在名册中）/ a wrong check digit in the "
        "roster (so that ledger row is not in the roster)",
        [
            ("invalid-id-number", "filing", f"/roster/{row}/id_number"),
            ("trainee-not-in-roster", "ledger", f"/rows/{row}"),
        ],
    )


@fault("gender-mismatch")
def _gender(c: Class, rng: random.Random) -> Injected:
    flip = {"男": "女", "女": "男"}
    if rng.random() < 0.6:
        row = rng.randrange(len(c["ledger"]["rows"]))
        entry = c["ledger"]["rows"][row]
        entry["gender"] = flip[entry["gender"]]
        return Injected(
            "台账性别与身份证号码不符 / ledger gender differs from the ID number",
            [("gender-mismatch", "ledger", f"/rows/{row}/gender")],
        )
    row = rng.randrange(len(c["filing"]["roster"]))
    entry = c["filing"]["roster"][row]
    entry["gender"] = flip[entry["gender"]]
    return Injected(
        "名册性别与身份证号码不符 / roster gender differs from the ID number",
        [("gender-mismatch", "filing", f"/roster/{row}/gender")],
    )


@fault("age-mismatch")
def _age(c: Class, rng: random.Random) -> Injected:
    row = rng.randrange(len(c["ledger"]["rows"]))
    c["ledger"]["rows"][row]["age"] += rng.choice((-2, -1, 1, 2))
    return Injected(
        "台账年龄与身份证号码不符 / ledger age differs from the ID number",
        [("age-mismatch", "ledger", f"/rows/{row}/age")],
    )


@fault("date-order")
def _date_order(c: Class, rng: random.Random) -> Injected:
    kind = rng.choice(("signed", "agreement", "ledger"))
    if kind == "signed":
        filed = dt.date.fromisoformat(c["filing"]["filing_date"])
        c["agreement"]["signed_date"] = (filed + dt.timedelta(days=rng.randint(1, 6))).isoformat()
        return Injected(
            "协议签订晚于报备日期 / agreement signed after the filing",
            [("date-order", "agreement", "/signed_date")],
        )
    if kind == "agreement":
        t = c["agreement"]["training"]
        t["start_date"], t["end_date"] = t["end_date"], t["start_date"]
        return Injected(
            "协议培训开始日期晚于结束日期 / the agreement's start is after its end",
            [("date-order", "agreement", "/training/start_date")],
        )
    rows = c["ledger"]["rows"]
    # A row whose birthday falls within the training would be a year older at the swapped
    # start, and its age wrong too: only the one fault is wanted.
    row = rng.choice([i for i, r in enumerate(rows) if not _birthday_within(r)] or [0])
    entry = rows[row]
    entry["start_date"], entry["end_date"] = entry["end_date"], entry["start_date"]
    return Injected(
        "台账一行培训开始日期晚于结束日期 / a ledger row's start is after its end",
        [("date-order", "ledger", f"/rows/{row}/start_date")],
    )


def _birthday_within(row: dict[str, Any]) -> bool:
    """Does the row's birthday (month and day, from its ID number) fall after its training
    start and on or before its end?"""
    birthday = str(row["id_number"])[10:14]
    start = str(row["start_date"])[5:].replace("-", "")
    end = str(row["end_date"])[5:].replace("-", "")
    if start <= end:
        return start < birthday <= end
    return birthday > start or birthday <= end  # across New Year


@fault("outside-training-period")
def _outside(c: Class, rng: random.Random) -> Injected:
    t = c["filing"]["training"]
    sheet = rng.randrange(len(c["signin"]))
    if rng.random() < 0.6:
        day = dt.date.fromisoformat(t["end_date"]) + dt.timedelta(days=rng.randint(1, 6))
    else:
        day = dt.date.fromisoformat(t["start_date"]) - dt.timedelta(days=rng.randint(1, 6))
    c["signin"][sheet]["date"] = day.isoformat()
    return Injected(
        "签到表日期在培训期之外 / a sign-in sheet dated outside the training",
        [("outside-training-period", f"signin:{sheet}", "/date")],
    )


@fault("missing-annex")
def _missing_annex(c: Class, rng: random.Random) -> Injected:
    return Injected(
        "没有台账 / the ledger is missing", [("missing-annex", None, None)], leave_out=("ledger",)
    )


@fault("missing-field")
def _missing_field(c: Class, rng: random.Random) -> Injected:
    c["filing"]["enterprise"]["contact_person"] = ""
    return Injected(
        "备案表企业联系人空白 / the enterprise's 联系人 is blank",
        [("missing-field", "filing", "/enterprise/contact_person")],
    )


@fault("party-mismatch")
def _party(c: Class, rng: random.Random) -> Injected:
    kind = rng.choice(("name", "code", "ledger"))
    current = c["filing"]["institution"]["name"]
    other = next(
        f"江门市{w}职业培训学校"
        for w in rng.sample(SCHOOL_WORDS, len(SCHOOL_WORDS))
        if f"江门市{w}职业培训学校" != current
    )
    if kind == "name":
        c["agreement"]["party_b"]["name"] = other
        return Injected(
            "协议乙方与备案的培训机构不同 / the agreement names another institution",
            [("party-mismatch", "agreement", "/party_b/name")],
        )
    if kind == "code":
        c["agreement"]["party_a"]["credit_code"] = make_credit_code(rng, "914407")
        return Injected(
            "协议甲方统一社会信用代码与备案表不同 / party A's credit code differs from the filing",
            [("party-mismatch", "agreement", "/party_a/credit_code")],
        )
    for row in c["ledger"]["rows"]:
        row["institution_class"] = row["institution_class"].replace(current, other)
    return Injected(
        "台账的培训机构与备案表不同 / the ledger names another institution",
        [("party-mismatch", "ledger", "/rows/0/institution_class")],
    )


@fault("duplicate-trainee")
def _duplicate(c: Class, rng: random.Random) -> Injected:
    sheet = rng.randrange(len(c["signin"]))
    rows = c["signin"][sheet]["rows"]
    first, second = sorted(rng.sample(range(len(rows)), 2))
    rows[second].update(name=rows[first]["name"], id_number=rows[first]["id_number"])
    return Injected(
        "同一人在一张签到表上出现两次 / the same person twice on one sheet",
        [("duplicate-trainee", f"signin:{sheet}", f"/rows/{second}/id_number")],
        requires={f"signin:{sheet}": {"id_number"}},
    )


@fault("unknown-teacher")
def _unknown_teacher(c: Class, rng: random.Random) -> Injected:
    sheet = rng.randrange(len(c["signin"]))
    c["signin"][sheet]["teacher"] = other_name(rng, _names(c))
    return Injected(
        "签到表的授课老师不在师资名单中（警告）/ the teacher is not a filed teacher (warning)",
        [("unknown-teacher", f"signin:{sheet}", "/teacher")],
    )
