"""Synthetic people and organisations for samples, tests and benchmarks.

Every identifier is made here with a valid check character, from a seeded generator, so the
same seed gives the same data. None of it belongs to a real person or company.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from annexkit.contract.formats import CREDIT_ALPHABET, age_on, credit_check_char, id_check_char

JIANGMEN_AREAS = ("440703", "440704", "440705", "440781", "440783", "440784", "440785")
"""蓬江, 江海, 新会, 台山, 开平, 鹤山, 恩平: several were created after older holders' births."""

SURNAMES = "陈李黄张梁林王吴刘何谭区甄关余邓冯赵周伍"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红建国文辉燕俊峰"
EDUCATION = ("初中", "高中", "中专", "技工学校", "大专", "本科")
POSITIONS = ("装配工", "维修电工", "质检员", "仓管员", "机修工", "班组长")


def make_id_number(area: str, birth: dt.date, sequence: int) -> str:
    """An 18-character ID number; ``sequence`` (0–999) odd for 男, even for 女."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def make_credit_code(rng: random.Random, prefix: str = "91440703") -> str:
    body = prefix + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(17 - len(prefix)))
    return body + credit_check_char(body)


def make_person(rng: random.Random, training_start: dt.date) -> dict[str, Any]:
    """A trainee aged 18–58 at ``training_start``, with a Jiangmen ID number."""
    gender = rng.choice("男女")
    birth = training_start - dt.timedelta(days=rng.randint(18 * 366, 58 * 365))
    sequence = rng.randrange(0, 999, 2) + (1 if gender == "男" else 0)
    id_number = make_id_number(rng.choice(JIANGMEN_AREAS), birth, sequence)
    assert age_on(id_number, training_start) >= 18
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return {
        "name": name,
        "id_number": id_number,
        "gender": gender,
        "education": rng.choice(EDUCATION),
        "phone": f"139{rng.randrange(10**8):08d}",
        "position": rng.choice(POSITIONS),
    }


def make_roster(rng: random.Random, size: int, training_start: dt.date) -> list[dict[str, Any]]:
    """``size`` people with distinct ID numbers."""
    roster: dict[str, dict[str, Any]] = {}
    while len(roster) < size:
        person = make_person(rng, training_start)
        roster.setdefault(person["id_number"], person)
    return list(roster.values())
