"""Hypothesis strategies: valid, complete annex records (handwritten values filled in).

The text alphabet holds Han characters, digits, Latin letters and the XML-special ``&<>"'``
but no colon: a colon after a label-like word is how a printed form says "a value follows",
so free text with ``地址：`` inside it is ambiguous on paper too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from annexkit.contract.formats import credit_check_char, id_check_char
from annexkit.generator.text import rmb_upper
from tests.synthetic import JIANGMEN_AREAS

HAN = "江门市蓬江区新会台山开平鹤山恩平恒达五金制品有限公司职业培训学校电工焊工育婴员技能提升"
TEXT_ALPHABET = HAN + "0123456789ABCxyz&<>\"'（）-、"
NAME_CHARS = "陈李黄张梁林王吴刘何谭甄关伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞"

EDGE = HAN + "ABCxyz"
"""Values begin and end with a letter: real ones do not start with 、 or end with （."""
texts = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(EDGE),
    st.text(TEXT_ALPHABET, max_size=22),
    st.sampled_from(EDGE),
)
names = st.text(NAME_CHARS, min_size=2, max_size=4)
phones = st.integers(0, 10**8 - 1).map(lambda n: f"139{n:08d}")
cents = st.integers(0, 2_000_000)


def yuan(amount_in_cents: int) -> int | float:
    """Whole yuan as an int, others with two decimals: as a person would type them."""
    return amount_in_cents // 100 if amount_in_cents % 100 == 0 else amount_in_cents / 100


levels = st.sampled_from(["初级工", "中级工", "高级工", "技师", "高级技师"])
educations = st.sampled_from(["初中", "高中", "中专", "技工学校", "大专", "本科"])
assessments = st.sampled_from(
    ["职业资格及专项职业能力考评", "企业职业技能等级认定", "培训合格证考评"]
)


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "9144" + "".join(draw(st.sampled_from(alphabet)) for _ in range(13))
    return body + credit_check_char(body)


@st.composite
def people(draw: st.DrawFn, start: dt.date) -> dict[str, Any]:
    birth = start - dt.timedelta(days=draw(st.integers(18 * 366, 60 * 365)))
    sequence = draw(st.integers(0, 999))
    body = f"{draw(st.sampled_from(JIANGMEN_AREAS))}{birth:%Y%m%d}{sequence:03d}"
    id_number = body + id_check_char(body)
    return {
        "name": draw(names),
        "id_number": id_number,
        "gender": "男" if sequence % 2 else "女",
        "education": draw(educations),
        "phone": draw(phones),
    }


@st.composite
def classes(draw: st.DrawFn) -> dict[str, Any]:
    """A filing, an agreement, a ledger and a signed sign-in sheet of one class."""
    start = dt.date(2025, 3, 3) + dt.timedelta(days=draw(st.integers(0, 600)))
    end = start + dt.timedelta(days=draw(st.integers(0, 20)))
    roster = draw(
        st.lists(people(start), min_size=1, max_size=18, unique_by=lambda p: p["id_number"])
    )
    teachers = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    amounts = draw(st.lists(cents, min_size=1, max_size=5))
    project, occupation, institution = draw(texts), draw(texts), draw(texts)
    level, assessment = draw(levels), draw(assessments)
    hours = draw(st.integers(1, 8))
    enterprise, credit_a, credit_b = draw(texts), draw(credit_codes()), draw(credit_codes())
    filing: dict[str, Any] = {
        "enterprise": {
            "name": enterprise,
            "credit_code": credit_a,
            "address": draw(texts),
            "contact_person": draw(names),
            "contact_phone": draw(phones),
        },
        "institution": {
            "name": institution,
            "credit_code": credit_b,
            "contact_person": draw(names),
            "contact_phone": draw(phones),
        },
        "training": {
            "objective": draw(texts),
            "project": project,
            "occupation": occupation,
            "level": level,
            "syllabus": draw(texts),
            "target_scope": draw(texts),
            "headcount": len(roster),
            "teachers": [{"name": t} for t in teachers],
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "location": draw(texts),
            "total_hours": hours,
            "schedule": [
                {
                    "date": start.isoformat(),
                    "content": draw(texts),
                    "hours": hours,
                    "teacher": teachers[0],
                }
            ],
            "assessment_type": assessment,
            "budget": {
                "items": [{"item": draw(texts), "amount": yuan(a)} for a in amounts],
                "total": yuan(sum(amounts)),
            },
        },
        "roster": roster,
        "filing_date": (start - dt.timedelta(days=30)).isoformat(),
    }
    per_person = draw(st.integers(100, 3000))
    agreement = {
        "party_a": {"name": enterprise, "credit_code": credit_a},
        "party_b": {"name": institution, "credit_code": credit_b},
        "training": {
            "project": project,
            "occupation": occupation,
            "level": level,
            "headcount": len(roster),
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "assessment_type": assessment,
        },
        "fee": {
            "per_person": per_person,
            "total": per_person * len(roster),
            "total_in_words": rmb_upper(per_person * len(roster)),
        },
        "signed_date": (start - dt.timedelta(days=40)).isoformat(),
        "signed_a": True,
        "signed_b": True,
    }
    ledger = {
        "project": project,
        "rows": [
            {
                "seq": seq,
                "name": p["name"],
                "age": _age(p["id_number"], start),
                "gender": p["gender"],
                "id_number": p["id_number"],
                "education": p["education"],
                "occupation": occupation,
                "institution_class": institution,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "score": draw(st.integers(0, 100) | st.sampled_from(["合格", "不合格"])),
                "phone": p["phone"],
            }
            for seq, p in enumerate(roster, start=1)
        ],
    }
    signed = [draw(st.booleans()) for _ in roster]
    signin = {
        "project": project,
        "institution": institution,
        "date": start.isoformat(),
        "teacher": teachers[0],
        "expected_count": len(roster),
        "actual_count": sum(signed),
        "rows": [
            {
                "seq": seq,
                "name": p["name"],
                "id_number": p["id_number"],
                "signed_in": s,
                "signed_out": s,
            }
            for seq, (p, s) in enumerate(zip(roster, signed, strict=True), start=1)
        ],
        "confirmations": {
            "teacher_signed": True,
            "head_teacher_signed": True,
            "trainee_rep_signed": True,
        },
    }
    return {"filing": filing, "agreement": agreement, "ledger": ledger, "signin": signin}


def _age(id_number: str, day: dt.date) -> int:
    from annexkit.contract.formats import age_on

    return age_on(id_number, day)
