"""Notation writers: every way a real form prints a value, one registry entry per notation.

``NOTATIONS[kind]`` lists ``(name, writer)``; a writer turns the canonical value into the
text a form shows. A document picks one notation per kind (:class:`Style`), as a person
filling one form does. A notation seen on a real form becomes one more entry here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Writer = Callable[[Any, random.Random], str]

CN_DIGITS = "〇一二三四五六七八九"
UPPER = "零壹贰叁肆伍陆柒捌玖"
FULLWIDTH = str.maketrans("0123456789Xx-", "０１２３４５６７８９Ｘｘ－")


def rmb_upper(amount: Decimal, *, yuan: str = "元", wan: str = "万", tail: str = "整") -> str:
    """Money in capitals (壹万贰仟元整); ``yuan``/``wan`` take the 圆/萬 variants, ``tail``
    ``零角零分`` instead of 整."""
    fen_total = int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    whole, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    units = ("", "拾", "佰", "仟")
    groups: list[int] = []
    while whole:
        groups.append(whole % 10000)
        whole //= 10000
    words = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        if words and (pending_zero or group < 1000):
            words += "零"
        text = ""
        zero = False
        for position in range(3, -1, -1):
            digit = group // 10**position % 10
            if digit == 0:
                zero = bool(text)
                continue
            if zero:
                text += "零"
                zero = False
            text += UPPER[digit] + units[position]
        words += text + ("", wan, "亿", wan + "亿")[index]
        pending_zero = False
    words = (words or "零") + yuan
    if not jiao and not fen:
        return words + tail
    words += (UPPER[jiao] + "角") if jiao else "零"
    return words + (UPPER[fen] + "分" if fen else "")


def _d(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def cn_numeral_date(day: dt.date) -> str:
    """二〇二五年十一月三日."""

    def small(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    year = "".join(CN_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


DATE: list[tuple[str, Writer]] = [
    ("iso", lambda v, r: _d(v).isoformat()),
    ("cn", lambda v, r: f"{_d(v).year}年{_d(v).month}月{_d(v).day}日"),
    ("cn-padded", lambda v, r: f"{_d(v):%Y}年{_d(v):%m}月{_d(v):%d}日"),
    ("dots", lambda v, r: f"{_d(v).year}.{_d(v).month}.{_d(v).day}"),
    ("dots-padded", lambda v, r: f"{_d(v):%Y.%m.%d}"),
    ("slashes", lambda v, r: f"{_d(v).year}/{_d(v).month}/{_d(v).day}"),
    ("cn-numerals", lambda v, r: cn_numeral_date(_d(v))),
    ("fullwidth", lambda v, r: f"{_d(v).year}年{_d(v).month}月{_d(v).day}日".translate(FULLWIDTH)),
]


def _range(a: Any, b: Any, kind: str) -> str:
    s, e = _d(a), _d(b)
    same_year = s.year == e.year
    if kind == "dots-zhi":
        return f"{s:%Y.%m.%d} 至 {e:%Y.%m.%d}"
    if kind == "cn-short" and same_year:
        return f"{s:%Y}年{s:%m}月{s:%d}日至{e:%m}月{e:%d}日"
    if kind == "slash-short" and same_year:
        return f"{s.year}/{s.month}/{s.day}-{e.month}/{e.day}"
    if kind == "cn-dash":
        return f"{s.year}年{s.month}月{s.day}日—{e.year}年{e.month}月{e.day}日"
    if kind == "tilde":
        return f"{s:%Y.%m.%d}~{e:%Y.%m.%d}"
    if kind == "iso-zhi":
        return f"{s.isoformat()}至{e.isoformat()}"
    return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"


DATE_RANGE: list[tuple[str, Writer]] = [
    (kind, lambda v, r, kind=kind: _range(v[0], v[1], kind))  # type: ignore[misc]
    for kind in ("dots-zhi", "cn-short", "slash-short", "cn-dash", "tilde", "iso-zhi", "cn-full")
]

LEVEL_NUMBERS = {
    "初级工": "五级",
    "中级工": "四级",
    "高级工": "三级",
    "技师": "二级",
    "高级技师": "一级",
}

LEVEL: list[tuple[str, Writer]] = [
    ("canonical", lambda v, r: str(v)),
    ("number/name", lambda v, r: f"{LEVEL_NUMBERS[v]}/{v}"),
    ("name(number)", lambda v, r: f"{str(v).removesuffix('工')}（{LEVEL_NUMBERS[v]}）"),
    ("number", lambda v, r: LEVEL_NUMBERS[v]),
    ("name（number）", lambda v, r: f"{v}（{LEVEL_NUMBERS[v]}）"),
]


def _money(v: Any) -> Decimal:
    return Decimal(str(v))


MONEY: list[tuple[str, Writer]] = [
    ("plain", lambda v, r: f"{_money(v):.0f}"),
    ("grouped-yuan", lambda v, r: f"{_money(v):,.2f} 元"),
    ("yuan", lambda v, r: f"{_money(v):.0f}元"),
    ("yen-sign", lambda v, r: f"¥{_money(v):,.2f}"),
    (
        "wan",
        lambda v, r: f"{_money(v) / 10000:g}万元" if _money(v) % 100 == 0 else f"{_money(v):.0f}元",
    ),
    ("decimal", lambda v, r: f"{_money(v):.2f}"),
]

PER_PERSON: list[tuple[str, Writer]] = [
    ("plain", lambda v, r: f"{_money(v):.0f}"),
    ("grouped-yuan", lambda v, r: f"{_money(v):,.2f} 元"),
    ("per-person", lambda v, r: f"{_money(v):,.0f}元/人"),
    ("yuan-per-person", lambda v, r: f"{_money(v):.2f}元/人"),
    ("yuan", lambda v, r: f"{_money(v):.0f}元"),
]

MONEY_WORDS: list[tuple[str, Writer]] = [
    ("canonical", lambda v, r: rmb_upper(_money(v))),
    ("yuan-圆", lambda v, r: rmb_upper(_money(v), yuan="圆")),
    ("wan-萬", lambda v, r: rmb_upper(_money(v), wan="萬")),
    ("jiao-fen", lambda v, r: rmb_upper(_money(v), tail="零角零分")),
    ("prefixed", lambda v, r: "人民币" + rmb_upper(_money(v))),
]

COUNT: list[tuple[str, Writer]] = [
    ("plain", lambda v, r: str(v)),
    ("unit-spaced", lambda v, r: f"{v} 人"),
    ("unit", lambda v, r: f"{v}人"),
    ("fullwidth", lambda v, r: str(v).translate(FULLWIDTH)),
]

HOURS: list[tuple[str, Writer]] = [
    ("plain", lambda v, r: str(v)),
    ("unit-spaced", lambda v, r: f"{v} 学时"),
    ("unit", lambda v, r: f"{v}学时"),
    ("keshi", lambda v, r: f"{v}课时"),
]


def _spaced_id(v: str) -> str:
    return f"{v[:6]} {v[6:14]} {v[14:]}"


ID_NUMBER: list[tuple[str, Writer]] = [
    ("canonical", lambda v, r: str(v)),
    ("lower-x", lambda v, r: str(v).replace("X", "x")),
    ("fullwidth", lambda v, r: str(v).translate(FULLWIDTH)),
    ("spaced", lambda v, r: _spaced_id(str(v))),
]


def _phone(v: str, kind: str) -> str:
    if v.startswith("0"):  # a landline: 0750-3861234
        area, number = v.split("-")
        return {"spaced": f"{area} {number}", "paren": f"（{area}）{number}"}.get(kind, v)
    return {
        "spaced": f"{v[:3]} {v[3:7]} {v[7:]}",
        "hyphens": f"{v[:3]}-{v[3:7]}-{v[7:]}",
        "plus86": f"+86 {v}",
    }.get(kind, v)


PHONE: list[tuple[str, Writer]] = [
    (kind, lambda v, r, kind=kind: _phone(str(v), kind))  # type: ignore[misc]
    for kind in ("canonical", "spaced", "hyphens", "plus86")
]

GENDER: list[tuple[str, Writer]] = [
    ("canonical", lambda v, r: str(v)),
    ("xing", lambda v, r: f"{v}性"),
]

EDUCATION_ALIASES = {"中专": "中职", "技工学校": "技校", "大专": "专科", "本科": "大学本科"}
EDUCATION: list[tuple[str, Writer]] = [
    ("canonical", lambda v, r: str(v)),
    ("alias", lambda v, r: EDUCATION_ALIASES.get(str(v), str(v))),
]

ASSESSMENT_SHORT = {
    "职业资格及专项职业能力考评": "职业资格",
    "企业职业技能等级认定": "等级认定",
}
ASSESSMENT: list[tuple[str, Writer]] = [
    ("canonical", lambda v, r: str(v)),
    ("short", lambda v, r: ASSESSMENT_SHORT.get(str(v), str(v))),
]

SCORE: list[tuple[str, Writer]] = [
    ("plain", lambda v, r: str(v)),
    ("fen", lambda v, r: f"{v}分" if isinstance(v, int) else str(v)),
]

SESSION: list[tuple[str, Writer]] = [
    ("as-filed", lambda v, r: str(v)),
    ("dash", lambda v, r: str(v).replace("-", "—")),
]

NAME: list[tuple[str, Writer]] = [
    ("plain", lambda v, r: str(v)),
    ("letter-spaced", lambda v, r: "  ".join(str(v)) if len(str(v)) == 2 else str(v)),
]

SIGNATURE_CELL = ("tick", "check", "name", "image")
"""How a signed 签到/签退 cell is filled: ✓, √, the person's name, a scribble image."""

NOTATIONS: dict[str, list[tuple[str, Writer]]] = {
    "date": DATE,
    "date_range": DATE_RANGE,
    "level": LEVEL,
    "money": MONEY,
    "per_person": PER_PERSON,
    "money_words": MONEY_WORDS,
    "count": COUNT,
    "hours": HOURS,
    "id_number": ID_NUMBER,
    "phone": PHONE,
    "gender": GENDER,
    "education": EDUCATION,
    "assessment_type": ASSESSMENT,
    "score": SCORE,
    "session": SESSION,
    "name": NAME,
}


class Style:
    """One document's notations: a notation per kind, chosen once, used for every value of
    that kind (with ``mixed`` kinds re-chosen per value, as hand-typed cells vary)."""

    def __init__(self, rng: random.Random, mixed: tuple[str, ...] = ("id_number", "phone")) -> None:
        self.rng = rng
        self.mixed = mixed
        self.chosen: dict[str, tuple[str, Writer]] = {}
        self.used: dict[str, set[str]] = {}
        self.signature = rng.choice(SIGNATURE_CELL)

    def __call__(self, kind: str, value: Any) -> str:
        options = NOTATIONS[kind]
        if kind in self.mixed:
            # mostly canonical, sometimes another notation
            name, writer = options[0] if self.rng.random() < 0.6 else self.rng.choice(options)
        else:
            if kind not in self.chosen:
                self.chosen[kind] = self.rng.choice(options)
            name, writer = self.chosen[kind]
        self.used.setdefault(kind, set()).add(name)
        return writer(value, self.rng)

    def notations(self) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in sorted(self.used.items())}
