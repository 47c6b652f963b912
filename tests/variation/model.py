"""The class data of one package, in the contract's canonical form, and its consistency check.

A class is ``{"filing": …, "agreement": …, "ledger": …, "signin": [...], "settings": …}``,
every value canonical (dates ``YYYY-MM-DD``, 18-character ID numbers, ``男``/``女``, levels
such as ``中级工``, money in yuan). Layouts decide how it is printed; faults change it.
People and organisations are synthetic (:mod:`tests.synthetic`).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from annexkit.contract.formats import age_on, id_gender, validate_id_number
from annexkit.policy.workdays import default_calendar
from tests.synthetic import GIVEN, SURNAMES, make_credit_code, make_roster

Class = dict[str, Any]

DISTRICTS = ("蓬江区", "江海区", "新会区", "台山市", "开平市", "鹤山市", "恩平市")
FIRM_WORDS = ("恒达", "华盛", "利通", "金宏", "永安", "嘉信", "粤兴", "力创", "丰源", "宏图")
FIRM_TRADES = ("五金制品", "电子科技", "机械制造", "食品", "纺织服装", "精密模具", "家具", "塑胶")
SCHOOL_WORDS = ("新技", "育才", "启航", "匠心", "侨乡", "明德", "五邑", "卓越")
STREETS = ("建设路", "白沙大道", "江华路", "冈州大道", "迎宾大道", "胜利路", "港口路")
TRACKS = (
    # occupation, level, syllabus, contents
    (
        "电工",
        "中级工",
        "安全用电；低压电器；控制线路安装与调试",
        ("安全用电", "低压电器", "控制线路"),
    ),
    ("焊工", "初级工", "焊接安全；手工电弧焊；气体保护焊", ("焊接安全", "手工电弧焊", "气保焊")),
    ("车工", "中级工", "车床操作；零件测量；工艺编制", ("车床操作", "零件测量", "工艺编制")),
    ("钳工", "高级工", "划线与锯削；装配与调试；设备维护", ("划线锯削", "装配调试", "设备维护")),
    ("中式烹调师", "初级工", "烹饪原料；刀工；粤菜制作", ("烹饪原料", "刀工训练", "粤菜制作")),
    ("电子商务师", "中级工", "网店运营；直播营销；客户服务", ("网店运营", "直播营销", "客户服务")),
    (
        "育婴员",
        "初级工",
        "婴儿生活照料；保健与护理；早期教育",
        ("生活照料", "保健护理", "早期教育"),
    ),
    (
        "工业机器人系统操作员",
        "中级工",
        "机器人安全；示教编程；系统维护",
        ("机器人安全", "示教编程", "系统维护"),
    ),
)
ASSESSMENTS = ("职业资格及专项职业能力考评", "企业职业技能等级认定")
TYPES = ("岗位技能提升培训", "岗前培训", "转岗转业培训")
SESSIONS = (("上午", "08:30-11:30"), ("下午", "14:00-17:00"))
TEACHER_TITLES = ("高级讲师", "讲师", "技师", "高级技师", "工程师")
FEES = (1200, 1500, 1800, 2000, 2400, 3000)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def other_name(rng: random.Random, taken: set[str]) -> str:
    """A name nobody in ``taken`` has."""
    while True:
        name = person_name(rng)
        if name not in taken:
            return name


def _working_days_from(start: dt.date, count: int) -> list[dt.date]:
    calendar = default_calendar()
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if calendar.is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def latest_filing_day(start: dt.date) -> dt.date:
    """The last day a filing for ``start`` is in time (15th working day before)."""
    return default_calendar().workday_before(start, 15, "nth-before").date


def previous_workday(day: dt.date) -> dt.date:
    calendar = default_calendar()
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def make_class(rng: random.Random) -> Class:
    """A clean, consistent class."""
    calendar = default_calendar()
    first = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(0, 600))
    start = _working_days_from(first, 1)[0]
    session_count = rng.choice((2, 2, 3, 3, 4))
    spread = rng.choice((1, 1, 2))  # a session every working day, or every other
    days = _working_days_from(start, session_count * spread)[::spread]
    end = days[-1]
    headcount = rng.randint(6, 14)
    roster = make_roster(rng, headcount, start)
    names_seen: set[str] = set()
    phones: set[str] = set()
    for person in roster:  # distinct names and phones: people are told apart by both
        if person["name"] in names_seen:
            person["name"] = other_name(rng, names_seen)
        names_seen.add(person["name"])
        while person["phone"] in phones:
            person["phone"] = f"13{rng.randint(5, 9)}{rng.randrange(10**8):08d}"
        phones.add(person["phone"])
    occupation, level, syllabus, contents = rng.choice(TRACKS)
    district = rng.choice(DISTRICTS)
    enterprise = {
        "name": f"江门市{district}{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_TRADES)}有限公司",
        "credit_code": make_credit_code(rng, "914407"),
        "address": f"江门市{district}{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        "legal_representative": other_name(rng, names_seen),
        "contact_person": other_name(rng, names_seen),
        "contact_phone": rng.choice(
            (
                f"0750-{rng.randint(3000000, 6999999)}",
                f"13{rng.randint(5, 9)}{rng.randrange(10**8):08d}",
            )
        ),
        "employee_count": rng.randint(60, 900),
    }
    institution = {
        "name": f"江门市{rng.choice(SCHOOL_WORDS)}职业培训学校",
        "credit_code": make_credit_code(rng, "524407"),
        "license_no": f"教民1440700{rng.randint(10000000, 99999999)}号",
        "address": f"江门市蓬江区{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        "contact_person": other_name(rng, names_seen),
        "contact_phone": f"13{rng.randint(5, 9)}{rng.randrange(10**8):08d}",
    }
    teacher_names: list[str] = []
    for _ in range(rng.choice((2, 3))):
        name = other_name(rng, names_seen | set(teacher_names))
        teacher_names.append(name)
    teachers = [
        {
            "name": name,
            "title": rng.choice(TEACHER_TITLES),
            "certificate_no": f"{rng.randrange(10**15, 10**16)}",
        }
        for name in teacher_names
    ]
    session_name, session_time = rng.choice(SESSIONS)
    hours = rng.choice((3, 4))
    schedule = [
        {
            "date": day.isoformat(),
            "session": rng.choice((session_name, session_time)),
            "content": contents[index % len(contents)],
            "hours": hours,
            "teacher": teacher_names[index % len(teacher_names)],
        }
        for index, day in enumerate(days)
    ]
    per_person = rng.choice(FEES)
    total = per_person * headcount
    teaching = total * rng.choice((50, 60, 70)) // 100
    materials = (total - teaching) // 2
    budget = {
        "items": [
            {"item": "师资费", "amount": teaching},
            {"item": "教材资料费", "amount": materials},
            {"item": "场地及耗材费", "amount": total - teaching - materials},
        ],
        "total": total,
    }
    year = start.year
    project = f"{year}年{occupation}（{level}）{rng.choice(TYPES)}"
    latest = latest_filing_day(start)
    filing_date = previous_workday(latest - dt.timedelta(days=rng.randint(0, 12)))
    signed_date = previous_workday(filing_date - dt.timedelta(days=rng.randint(1, 14)))
    assessment = rng.choice(ASSESSMENTS)
    filing: dict[str, Any] = {
        "enterprise": enterprise,
        "institution": institution,
        "training": {
            "objective": f"提升本企业职工{occupation}岗位技能水平",
            "project": project,
            "occupation": occupation,
            "level": level,
            "syllabus": syllabus,
            "target_scope": f"本企业在岗{occupation}相关岗位职工",
            "type": project[len(f"{year}年{occupation}（{level}）") :],
            "headcount": headcount,
            "teachers": teachers,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "location": f"江门市蓬江区{rng.choice(STREETS)}{rng.randint(1, 300)}号实训楼",
            "total_hours": hours * len(days),
            "schedule": schedule,
            "assessment_type": assessment,
            "budget": budget,
        },
        "roster": roster,
        "filing_date": filing_date.isoformat(),
    }
    agreement: dict[str, Any] = {
        "party_a": {
            k: enterprise[k]
            for k in (
                "name",
                "credit_code",
                "address",
                "legal_representative",
                "contact_person",
                "contact_phone",
            )
        },
        "party_b": {
            "name": institution["name"],
            "credit_code": institution["credit_code"],
            "license_no": institution["license_no"],
            "address": institution["address"],
            "legal_representative": other_name(rng, names_seen),
            "contact_person": institution["contact_person"],
            "contact_phone": institution["contact_phone"],
        },
        "training": {
            "project": project,
            "occupation": occupation,
            "level": level,
            "headcount": headcount,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "location": filing["training"]["location"],
            "total_hours": hours * len(days),
            "assessment_type": assessment,
        },
        "fee": {
            "per_person": per_person,
            "total": total,
            "total_in_words": None,  # filled below: the canonical capitals
            "payment_terms": "培训结束并考核后15个工作日内一次性支付",
        },
        "signed_date": signed_date.isoformat(),
        "signed_a": True,
        "signed_b": True,
    }
    from tests.variation.notations import rmb_upper

    agreement["fee"]["total_in_words"] = rmb_upper(Decimal(total))
    class_name = rng.choice(
        ("第1期", "第2期", "第3期", "A班", "一班", f"{year}-{rng.randint(1, 9)}班")
    )
    ledger = {
        "project": project,
        "rows": [
            {
                "seq": index + 1,
                "name": person["name"],
                "age": age_on(person["id_number"], start),
                "gender": person["gender"],
                "id_number": person["id_number"],
                "education": person["education"],
                "occupation": occupation,
                "institution_class": f"{institution['name']}{class_name}",
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "score": rng.randint(62, 98) if rng.random() < 0.85 else "合格",
                "skill_level": level,
                "phone": person["phone"],
            }
            for index, person in enumerate(roster)
        ],
    }
    head_teacher = other_name(rng, names_seen | set(teacher_names))
    sheets = []
    for entry in schedule:
        rows = []
        for index, person in enumerate(roster):
            signed_in = rng.random() < 0.9
            rows.append(
                {
                    "seq": index + 1,
                    "name": person["name"],
                    "id_number": person["id_number"],
                    "signed_in": signed_in,
                    "signed_out": signed_in and rng.random() < 0.95,
                }
            )
        sheets.append(
            {
                "project": project,
                "institution": institution["name"],
                "class_name": class_name,
                "date": entry["date"],
                "session": entry["session"],
                "teacher": entry["teacher"],
                "head_teacher": head_teacher,
                "expected_count": headcount,
                "actual_count": sum(1 for r in rows if r["signed_in"]),
                "rows": rows,
                "confirmations": {
                    "teacher_signed": True,
                    "head_teacher_signed": True,
                    "trainee_rep_signed": True,
                },
            }
        )
    claim = end + dt.timedelta(days=rng.randint(10, 150))
    assert calendar.is_workday(start)
    return {
        "filing": filing,
        "agreement": agreement,
        "ledger": ledger,
        "signin": sheets,
        "settings": {"profile": "jiangmen-2019", "claim_date": claim.isoformat()},
    }


def consistency_problems(c: Class) -> list[str]:
    """What makes a class not clean: every rule a clean package must satisfy, on the data."""
    problems: list[str] = []
    filing, agreement, ledger = c["filing"], c["agreement"], c["ledger"]
    training = filing["training"]
    start = dt.date.fromisoformat(training["start_date"])
    end = dt.date.fromisoformat(training["end_date"])
    roster = filing["roster"]
    people = {p["id_number"]: p for p in roster}
    for where, rows in [("roster", roster), ("ledger", ledger["rows"])] + [
        (f"signin {i}", s["rows"]) for i, s in enumerate(c["signin"])
    ]:
        ids = [r["id_number"] for r in rows if r.get("id_number")]
        if len(ids) != len(set(ids)):
            problems.append(f"{where}: duplicate ID number")
        for r in rows:
            if r.get("id_number") and validate_id_number(r["id_number"]) is not None:
                problems.append(f"{where}: invalid ID {r['id_number']}")
            if r.get("gender") and r["gender"] != id_gender(r["id_number"]):
                problems.append(f"{where}: gender of {r['name']}")
    if start > end:
        problems.append("start after end")
    if training["headcount"] != len(roster) or len(ledger["rows"]) != len(roster):
        problems.append("headcount, roster and ledger differ")
    if sum(e["hours"] for e in training["schedule"]) != training["total_hours"]:
        problems.append("total hours")
    budget = training["budget"]
    if sum(i["amount"] for i in budget["items"]) != budget["total"]:
        problems.append("budget items")
    fee = agreement["fee"]
    if fee["per_person"] * agreement["training"]["headcount"] != fee["total"]:
        problems.append("fee total")
    from tests.variation.notations import rmb_upper

    if fee["total_in_words"] != rmb_upper(Decimal(fee["total"])):
        problems.append("fee in words")
    if dt.date.fromisoformat(filing["filing_date"]) > latest_filing_day(start):
        problems.append("filing too late")
    if agreement["signed_date"] > filing["filing_date"]:
        problems.append("agreement signed after the filing")
    if not (agreement["signed_a"] and agreement["signed_b"]):
        problems.append("agreement unsigned")
    for party, side in (("party_a", "enterprise"), ("party_b", "institution")):
        for key in ("name", "credit_code"):
            if agreement[party][key] != filing[side][key]:
                problems.append(f"{party} {key}")
    for row in ledger["rows"]:
        person = people.get(row["id_number"])
        if person is None or person["name"] != row["name"]:
            problems.append(f"ledger row {row['seq']} not in roster")
        if row["age"] != age_on(row["id_number"], start):
            problems.append(f"ledger row {row['seq']} age")
        if (
            not training["start_date"]
            <= row["start_date"]
            <= row["end_date"]
            <= training["end_date"]
        ):
            problems.append(f"ledger row {row['seq']} dates")
        if filing["institution"]["name"] not in row["institution_class"]:
            problems.append(f"ledger row {row['seq']} institution")
    in_ledger = {(r["name"], r["id_number"]) for r in ledger["rows"]}
    scheduled = {e["date"] for e in training["schedule"]}
    teachers = {t["name"] for t in training["teachers"]}
    for index, sheet in enumerate(c["signin"]):
        if sheet["date"] not in scheduled:
            problems.append(f"signin {index} not on a scheduled day")
        if sheet["teacher"] not in teachers:
            problems.append(f"signin {index} teacher")
        if sheet["expected_count"] != len(sheet["rows"]) or len(sheet["rows"]) != len(roster):
            problems.append(f"signin {index} 应到")
        if sheet["actual_count"] != sum(1 for r in sheet["rows"] if r["signed_in"]):
            problems.append(f"signin {index} 实到")
        if not all(sheet["confirmations"].values()):
            problems.append(f"signin {index} confirmations")
        for row in sheet["rows"]:
            if (row["name"], row["id_number"]) not in in_ledger:
                problems.append(f"signin {index} row {row['seq']} not in ledger")
    claim = dt.date.fromisoformat(c["settings"]["claim_date"])
    if not end < claim <= default_calendar().add_months(end, 6).date:
        problems.append("claim date")
    phones = [r["phone"] for r in roster]
    if len(phones) != len(set(phones)):
        problems.append("duplicate phone")
    return problems
