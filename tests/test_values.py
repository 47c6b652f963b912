"""Normalisation by meaning (``annexkit.contract.values``): one table per value type of the
contract, each notation with the value it means and whether it is read with certainty.

A row's expectation is ``(value, True)`` for a certain reading, ``(value, False)`` for a
likely reading that rests on something the text does not state, and ``None`` where the
text cannot be read as the type at all. Amounts in words are also checked against cn2an,
an independent implementation, on a few hundred random amounts.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from annexkit.contract.formats import validate_date
from annexkit.contract.schema import node_at
from annexkit.contract.values import (
    Parsed,
    amount_in_words,
    canonical_record,
    clean_name,
    fold_name,
    parse_assessment_type,
    parse_cn_integer,
    parse_count,
    parse_credit_code,
    parse_date,
    parse_date_range,
    parse_education,
    parse_gender,
    parse_id_number,
    parse_money,
    parse_phone,
    parse_quantity,
    parse_skill_level,
    parse_training_type,
    read,
)
from annexkit.generator.text import rmb_upper

Expected = tuple[Any, bool] | None


def outcome(parsed: Parsed[Any] | None) -> Expected:
    return None if parsed is None else (parsed.value, parsed.certain)


# -------------------------------------------------------------------------------- dates

DATES: list[tuple[object, Expected]] = [
    ("2025-11-03", ("2025-11-03", True)),
    ("2025.11.3", ("2025-11-03", True)),
    ("2025/11/03", ("2025-11-03", True)),
    ("2025/11/3", ("2025-11-03", True)),
    ("2025-11-3", ("2025-11-03", True)),
    ("2025.11.03", ("2025-11-03", True)),
    ("2025年11月3日", ("2025-11-03", True)),
    ("2025年11月03日", ("2025-11-03", True)),
    ("2025 年 11 月 3 日", ("2025-11-03", True)),
    ("2025年 11月 3日", ("2025-11-03", True)),
    ("２０２５年１１月３日", ("2025-11-03", True)),
    ("２０２５．１１．０３", ("2025-11-03", True)),
    ("２０２５－１１－０３", ("2025-11-03", True)),
    ("二〇二五年十一月三日", ("2025-11-03", True)),
    ("二零二五年十一月三日", ("2025-11-03", True)),
    ("二〇二五年十二月三十一日", ("2025-12-31", True)),
    ("二〇二六年一月二十日", ("2026-01-20", True)),
    ("二〇二六年元月廿日", ("2026-01-20", True)),
    ("2025年11月3号", ("2025-11-03", True)),
    ("2025年元月3日", ("2025-01-03", True)),
    ("  2025年11月3日  ", ("2025-11-03", True)),
    ("2025年11月3日起", ("2025-11-03", True)),
    ("2025年11月3日止", ("2025-11-03", True)),
    ("2025年11月3日前", ("2025-11-03", True)),
    ("于2025年11月3日", ("2025-11-03", True)),
    ("2025-11-03 00:00:00", ("2025-11-03", True)),
    ("2025-11-03 08:30", ("2025-11-03", True)),
    ("2025-11-03T08:30:00", ("2025-11-03", True)),
    ("20251103", ("2025-11-03", True)),
    # a sign-in sheet's 日期 cell: the session, part of the day or weekday after the date
    ("2025.11.03 08:30—11:30", ("2025-11-03", True)),
    ("2025年11月03日14:00-\n17:00", ("2025-11-03", True)),
    ("2025.11.3上午", ("2025-11-03", True)),
    ("2025/11/3 下午", ("2025-11-03", True)),
    ("二〇二五年十一月三日\n下午", ("2025-11-03", True)),
    ("2025年11月3日（星期一）", ("2025-11-03", True)),
    ("2025年11月3日周一 上午 08:30-11:30", ("2025-11-03", True)),
    ("2025年11月3日（星期二）", ("2025-11-03", False)),  # 3 November 2025 is a Monday
    ("2025年11月\n3日", ("2025-11-03", True)),  # a line wrapped in a narrow cell
    (dt.date(2025, 11, 3), ("2025-11-03", True)),
    (dt.datetime(2025, 11, 3, 0, 0), ("2025-11-03", True)),
    (45964, ("2025-11-03", True)),  # an Excel serial day from a spreadsheet cell
    (45964.5, ("2025-11-03", True)),  # noon of that day
    (45658, ("2025-01-01", True)),
    # kept although no such day: validation says invalid-date
    ("2025年2月30日", ("2025-02-30", True)),
    ("2025年13月1日", ("2025-13-01", True)),
    ("2025.11.31", ("2025-11-31", True)),
    # a two-digit year: 1925 or 2025? and 25 may be a day: not certain
    ("25.11.3", ("2025-11-03", False)),
    ("25年11月3日", ("2025-11-03", False)),
    # not read
    ("明年三月", None),
    ("11月3日", None),
    ("2025年11月", None),
    ("2025.11-3", None),
    ("45964", None),  # a number in a text document is no date
    (123, None),  # a serial outside 1950–2099
    ("", None),
    ("待定", None),
    ("2025年11月3日至2025年11月5日", None),  # a range is not a date
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[str(r) for r, _ in DATES])
def test_dates(raw: object, expected: Expected) -> None:
    assert outcome(parse_date(raw)) == expected


def test_dates_from_a_spreadsheet_cell() -> None:
    """Text from a spreadsheet cell: a bare number is the cell's serial day."""
    assert outcome(parse_date("45964", spreadsheet=True)) == ("2025-11-03", True)
    assert parse_date("12", spreadsheet=True) is None


def test_an_impossible_date_is_reported_by_validation() -> None:
    parsed = parse_date("2025年13月1日")
    assert parsed is not None and validate_date(parsed.value) is not None


# -------------------------------------------------------------------------- date ranges

RANGE = ("2025-03-03", "2025-03-14")
RANGES: list[tuple[str, tuple[Expected, Expected] | None]] = [
    ("2022.05.23 至 2022.06.02", (("2022-05-23", True), ("2022-06-02", True))),
    ("2022.05.23至2022.06.02", (("2022-05-23", True), ("2022-06-02", True))),
    ("2021年08月02日至08月09日", (("2021-08-02", True), ("2021-08-09", True))),
    ("2021年8月2日至8月9日", (("2021-08-02", True), ("2021-08-09", True))),
    ("2021年8月2日到8月9日", (("2021-08-02", True), ("2021-08-09", True))),
    ("2025/3/3-3/14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025/3/3-2025/3/14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025年3月3日-14日", ((RANGE[0], True), (RANGE[1], True))),
    ("2025年3月3日至14日", ((RANGE[0], True), (RANGE[1], True))),
    ("2025年3月3日—14日", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3～2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3~2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3〜2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3-2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3 - 2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3—2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3——2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3–2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3－2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3−2025.3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025.3.3-3.14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025-03-03-2025-03-14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025-03-03至2025-03-14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025-03-03 ~ 2025-03-14", ((RANGE[0], True), (RANGE[1], True))),
    ("2025年3月3日-2025年3月14日", ((RANGE[0], True), (RANGE[1], True))),
    ("2025年3月3日～3月14日", ((RANGE[0], True), (RANGE[1], True))),
    ("自2025年3月3日起至2025年3月14日止", ((RANGE[0], True), (RANGE[1], True))),
    ("自2025年3月3日至3月14日", ((RANGE[0], True), (RANGE[1], True))),
    ("2025年3月3日起到3月14日止", ((RANGE[0], True), (RANGE[1], True))),
    ("２０２５年３月３日至３月１４日", ((RANGE[0], True), (RANGE[1], True))),
    ("二〇二五年三月三日至三月十四日", ((RANGE[0], True), (RANGE[1], True))),
    ("2025 年 3 月 3 日 至 2025 年 3 月 14 日", ((RANGE[0], True), (RANGE[1], True))),
    ("20250303-20250314", ((RANGE[0], True), (RANGE[1], True))),
    # the year written out where it changes
    ("2025.12.29-2026.1.9", (("2025-12-29", True), ("2026-01-09", True))),
    ("2025年12月29日至2026年1月9日", (("2025-12-29", True), ("2026-01-09", True))),
    # an end month before the start month: the next year
    ("2025年12月29日至1月9日", (("2025-12-29", True), ("2026-01-09", True))),
    ("2025.12.29-1.9", (("2025-12-29", True), ("2026-01-09", True))),
    # but a range of most of a year is no such thing: an end before the start, as written
    ("2025/7/1-6/30", (("2025-07-01", True), ("2025-06-30", True))),
    ("2025年11月28日至2月3日", (("2025-11-28", True), ("2026-02-03", True))),
    # an end day before the start day: most likely the next month, not certain
    ("2025年3月28日-4日", ((("2025-03-28"), True), ("2025-04-04", False))),
    # a two-digit year carries its doubt to the end
    ("25.3.3-25.3.14", (("2025-03-03", False), ("2025-03-14", False))),
    ("25.3.3-3.14", (("2025-03-03", False), ("2025-03-14", False))),
    # kept though no such day (validation: invalid-date)
    ("2025年2月27日至2月30日", (("2025-02-27", True), ("2025-02-30", True))),
    # OCR reads a dash as 一; only between two whole dates is it taken for one
    ("2025年6月 30 日一2025年7月2日", (("2025-06-30", True), ("2025-07-02", True))),
    ("2025.7.21一2025.7.24", (("2025-07-21", True), ("2025-07-24", True))),
    ("2025年6月30日一7月2日", None),
    # not a range
    ("2025年3月3日", None),
    ("2025-03-03", None),
    ("2025.3.3-14", None),  # 14 after a hyphen: a day, or the start of a number cut off?
    ("2025.3.3-3/14", None),  # separators that disagree
    ("三月初至三月中旬", None),
    ("另行通知", None),
]


@pytest.mark.parametrize(("raw", "expected"), RANGES, ids=[r for r, _ in RANGES])
def test_date_ranges(raw: str, expected: tuple[Expected, Expected] | None) -> None:
    pair = parse_date_range(raw)
    assert (None if pair is None else (outcome(pair[0]), outcome(pair[1]))) == expected


# -------------------------------------------------------------------------------- money

MONEY: list[tuple[object, Expected, str | None]] = [
    ("24,000.00 元", (Decimal(24000), True), "元"),
    ("24,000.00元", (Decimal(24000), True), "元"),
    ("24000", (Decimal(24000), True), "元"),
    ("24000.00", (Decimal(24000), True), "元"),
    ("24000元", (Decimal(24000), True), "元"),
    ("24000元整", (Decimal(24000), True), "元"),
    ("¥24,000", (Decimal(24000), True), "元"),
    ("￥24000.00", (Decimal(24000), True), "元"),
    ("¥ 24,000.00 元", (Decimal(24000), True), "元"),
    ("RMB 24,000", (Decimal(24000), True), "元"),
    ("人民币24000元", (Decimal(24000), True), "元"),
    ("２４，０００．００元", (Decimal(24000), True), "元"),
    ("2.4万元", (Decimal(24000), True), "元"),
    ("2.4 万", (Decimal(24000), True), "元"),
    ("2.4万", (Decimal(24000), True), "元"),
    ("1.25万元", (Decimal(12500), True), "元"),
    ("2万4千元", (Decimal(24000), True), "元"),
    ("3,000元/人", (Decimal(3000), True), "元/人"),
    ("3000元/人", (Decimal(3000), True), "元/人"),
    ("每人3000元", (Decimal(3000), True), "元/人"),
    ("1,234.56", (Decimal("1234.56"), True), "元"),
    ("0.5", (Decimal("0.5"), True), "元"),
    (24000, (Decimal(24000), True), "元"),
    (1234.56, (Decimal("1234.56"), True), "元"),
    ("人民币贰万肆仟元整", (Decimal(24000), True), "元"),
    ("贰万肆仟圆整", (Decimal(24000), True), "元"),
    ("贰万肆仟圆正", (Decimal(24000), True), "元"),
    ("贰萬肆仟元", (Decimal(24000), True), "元"),
    ("貳萬肆仟圓整", (Decimal(24000), True), "元"),
    ("贰万肆仟元零角零分", (Decimal(24000), True), "元"),
    ("贰万肆仟元", (Decimal(24000), True), "元"),
    ("贰万肆仟", (Decimal(24000), True), "元"),
    ("壹仟贰佰叁拾肆元伍角陆分", (Decimal("1234.56"), True), "元"),
    ("壹仟零伍元叁角", (Decimal("1005.3"), True), "元"),
    ("壹仟元零伍分", (Decimal("1000.05"), True), "元"),
    ("伍角", (Decimal("0.5"), True), "元"),
    ("零元整", (Decimal(0), True), "元"),
    ("壹拾万元整", (Decimal(100000), True), "元"),
    ("拾万元整", (Decimal(100000), True), "元"),
    ("人民币（大写）：贰万肆仟元整", (Decimal(24000), True), "元"),
    ("人民币(大写):贰万肆仟元整", (Decimal(24000), True), "元"),
    ("（大写）贰万肆仟元整", (Decimal(24000), True), "元"),
    ("大写：壹万捌仟元整", (Decimal(18000), True), "元"),
    ("两万四千元", (Decimal(24000), True), "元"),
    ("二万四千元", (Decimal(24000), True), "元"),
    # the colloquial short form: likely 24000, not certain
    ("两万四", (Decimal(24000), False), "元"),
    ("贰万肆元", (Decimal(24000), False), "元"),
    # not read
    ("24,00", None, None),
    ("2,4000", None, None),
    ("24.000", None, None),
    ("24.000,00", None, None),
    ("贰万万元", None, None),
    ("约2万元", None, None),
    ("面议", None, None),
    ("", None, None),
    ("元", None, None),
]


@pytest.mark.parametrize(("raw", "expected", "unit"), MONEY, ids=[str(r) for r, _, _ in MONEY])
def test_money(raw: object, expected: Expected, unit: str | None) -> None:
    parsed = parse_money(raw)
    assert outcome(parsed) == expected
    assert (parsed.unit if parsed else None) == unit


def test_amounts_compare_as_numbers() -> None:
    spellings = ["24,000.00 元", "¥24,000", "2.4万元", "人民币贰万肆仟元整", "贰萬肆仟元"]
    values = {p.value for s in spellings if (p := parse_money(s)) is not None}
    assert values == {Decimal(24000)}


def _random_amounts(count: int, seed: int) -> list[Decimal]:
    """Amounts of every size below 10¹², many with inner zeros (壹万零贰拾)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        digits = list(str(rng.randint(1, 10 ** rng.randint(1, 12) - 1)))
        digits = [d if rng.random() > 0.35 else "0" for d in digits]
        out.append(Decimal(int("".join(digits)) or 1) + Decimal(rng.randint(0, 99)) / 100)
    return out


def test_amounts_in_words_agree_with_cn2an() -> None:
    """Our reading of cn2an's capitals, and cn2an's reading of ours, on 400 amounts."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cn2an  # type: ignore[import-untyped]

    for amount in _random_amounts(400, seed=613):
        theirs = cn2an.an2cn(str(amount), "rmb")
        assert outcome(parse_money(theirs)) == (amount, True), theirs
        whole = int(amount)
        for mode in ("up", "low"):
            words = cn2an.an2cn(whole, mode)
            assert outcome(parse_cn_integer(words)) == (whole, True), words
        ours = amount_in_words(whole)
        assert cn2an.cn2an(ours.removesuffix("元整"), "strict") == whole, ours


def test_amount_in_words_is_the_generators_spelling() -> None:
    for amount in _random_amounts(300, seed=2019):
        assert amount_in_words(amount) == rmb_upper(amount)
        assert outcome(parse_money(rmb_upper(amount))) == (amount, True)


# ------------------------------------------------------------------------------ counts

COUNTS: list[tuple[object, Expected, str | None]] = [
    ("12", (12, True), None),
    ("12 人", (12, True), "人"),
    ("12人", (12, True), "人"),
    ("１２人", (12, True), "人"),
    ("共12人", (12, True), "人"),
    ("共 12 人", (12, True), "人"),
    ("合计12人", (12, True), "人"),
    ("共计12人", (12, True), "人"),
    ("总计12人", (12, True), "人"),
    ("10名", (10, True), "人"),
    ("10位", (10, True), "人"),
    ("十二人", (12, True), "人"),
    ("十人", (10, True), "人"),
    ("二十人", (20, True), "人"),
    ("一百零八人", (108, True), "人"),
    ("贰拾人", (20, True), "人"),
    ("共二十五名", (25, True), "人"),
    ("72 学时", (72, True), "学时"),
    ("72学时", (72, True), "学时"),
    ("72课时", (72, True), "学时"),
    ("72小时", (72, True), "小时"),
    ("七十二学时", (72, True), "学时"),
    ("共72学时", (72, True), "学时"),
    ("5天", (5, True), "天"),
    ("3节", (3, True), "节"),
    ("35岁", (35, True), "岁"),
    ("35周岁", (35, True), "岁"),
    ("85分", (85, True), "分"),
    ("30人次", (30, True), "人次"),
    ("0人", (0, True), "人"),
    (12, (12, True), None),
    (12.0, (12, True), None),
    ("1,200人", (1200, True), "人"),
    # approximate: likely, not certain
    ("约12人", (12, False), "人"),
    ("12人左右", (12, False), "人"),
    ("大约30人", (30, False), "人"),
    ("一百二人", (120, False), "人"),
    # not read
    ("12人以上", None, None),
    ("人", None, None),
    ("若干人", None, None),
    ("12.5人", None, None),  # not a whole count
    ("", None, None),
    ("十几人", None, None),
    ("详见名册", None, None),
]


@pytest.mark.parametrize(("raw", "expected", "unit"), COUNTS, ids=[str(r) for r, _, _ in COUNTS])
def test_counts(raw: object, expected: Expected, unit: str | None) -> None:
    parsed = parse_count(raw)
    assert outcome(parsed) == expected
    assert (parsed.unit if parsed else None) == unit


def test_quantities_keep_fractions() -> None:
    assert outcome(parse_quantity("1.5学时")) == (Decimal("1.5"), True)
    assert outcome(parse_quantity("85.5分")) == (Decimal("85.5"), True)


# ------------------------------------------------------------------------ skill levels

SKILL_LEVELS: list[tuple[str, str | None]] = [
    ("初级工", "初级工"),
    ("中级工", "中级工"),
    ("高级工", "高级工"),
    ("技师", "技师"),
    ("高级技师", "高级技师"),
    ("特级技师", "特级技师"),
    ("首席技师", "首席技师"),
    ("专项职业能力", "专项职业能力"),
    ("培训合格", "培训合格"),
    ("五级", "初级工"),
    ("四级", "中级工"),
    ("三级", "高级工"),
    ("二级", "技师"),
    ("一级", "高级技师"),
    ("4级", "中级工"),
    ("四级/中级工", "中级工"),
    ("五级/初级工", "初级工"),
    ("三级/高级工", "高级工"),
    ("二级/技师", "技师"),
    ("一级/高级技师", "高级技师"),
    ("中级（四级）", "中级工"),
    ("中级(四级)", "中级工"),
    ("中级", "中级工"),
    ("初级", "初级工"),
    ("高级", "高级工"),
    ("国家职业资格四级", "中级工"),
    ("国家职业资格五级（初级工）", "初级工"),
    ("职业技能等级四级", "中级工"),
    ("四级（中级工）", "中级工"),
    ("高级工（三级）", "高级工"),
    ("技师（二级）", "技师"),
    ("中级工 四级", "中级工"),
    ("四级、中级工", "中级工"),
    ("中 级 工", "中级工"),
    ("专项能力", "专项职业能力"),
    ("专项职业能力证书", "专项职业能力"),
    ("合格", "培训合格"),
    # disagreeing or unknown: not read
    ("四级（高级工）", None),
    ("中级/高级", None),
    ("不合格", None),
    ("六级", None),
    ("见证书", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), SKILL_LEVELS, ids=[r for r, _ in SKILL_LEVELS])
def test_skill_levels(raw: str, expected: str | None) -> None:
    assert outcome(parse_skill_level(raw)) == (None if expected is None else (expected, True))


# --------------------------------------------------------------------------- education

EDUCATION: list[tuple[str, str | None]] = [
    ("小学", "小学"),
    ("初中", "初中"),
    ("高中", "高中"),
    ("中专", "中专"),
    ("技工学校", "技工学校"),
    ("大专", "大专"),
    ("本科", "本科"),
    ("硕士研究生", "硕士研究生"),
    ("博士研究生", "博士研究生"),
    ("中职", "中专"),
    ("职高", "中专"),
    ("职业高中", "中专"),
    ("中等专业学校", "中专"),
    ("中等职业学校", "中专"),
    ("技校", "技工学校"),
    ("技工", "技工学校"),
    ("高级技工学校", "技工学校"),
    ("专科", "大专"),
    ("大学专科", "大专"),
    ("高职", "大专"),
    ("高职高专", "大专"),
    ("大学本科", "本科"),
    ("学士", "本科"),
    ("本科学历", "本科"),
    ("全日制本科", "本科"),
    ("研究生", "硕士研究生"),
    ("硕士", "硕士研究生"),
    ("博士", "博士研究生"),
    ("研究生（硕士）", "硕士研究生"),
    ("普通高中", "高中"),
    ("高中毕业", "高中"),
    ("初级中学", "初中"),
    ("初中 ", "初中"),
    ("大 专", "大专"),
    ("大专/高职", "大专"),
    ("中专（中职）", "中专"),
    # not read
    ("高中及以上", None),
    ("研究生（博士）", None),
    ("大学", None),
    ("中学", None),
    ("文盲", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), EDUCATION, ids=[r for r, _ in EDUCATION])
def test_education(raw: str, expected: str | None) -> None:
    assert outcome(parse_education(raw)) == (None if expected is None else (expected, True))


# ------------------------------------------------------------------------------ gender

GENDERS: list[tuple[str, str | None]] = [
    ("男", "男"),
    ("女", "女"),
    ("男性", "男"),
    ("女性", "女"),
    ("男士", "男"),
    ("女士", "女"),
    ("M", "男"),
    ("F", "女"),
    ("m", "男"),
    ("f", "女"),
    ("Ｍ", "男"),
    ("Ｆ", "女"),
    ("male", "男"),
    ("female", "女"),
    ("Male", "男"),
    ("Female", "女"),
    ("MALE", "男"),
    ("FEMALE", "女"),
    (" 男 ", "男"),
    ("男 性", "男"),
    ("男/M", "男"),
    ("女/F", "女"),
    ("男（M）", "男"),
    ("女(F)", "女"),
    ("男性/male", "男"),
    ("女性 female", "女"),
    ("男.", "男"),
    ("女。", None),
    ("男女", None),
    ("男/女", None),
    ("M/F", None),
    ("未知", None),
    ("1", None),
    ("2", None),
    ("X", None),
    ("男孩", None),
    ("", None),
    ("-", None),
    ("/", None),
    ("boy", None),
]


@pytest.mark.parametrize(("raw", "expected"), GENDERS, ids=[r for r, _ in GENDERS])
def test_gender(raw: str, expected: str | None) -> None:
    assert outcome(parse_gender(raw)) == (None if expected is None else (expected, True))


# -------------------------------------------------------------------- assessment types

QUALIFICATION = "职业资格及专项职业能力考评"
RECOGNITION = "企业职业技能等级认定"
ACCESS = "行业准入资格考评"
CERTIFICATE = "培训合格证考评"
ASSESSMENT_TYPES: list[tuple[str, str | None]] = [
    (QUALIFICATION, QUALIFICATION),
    (RECOGNITION, RECOGNITION),
    (ACCESS, ACCESS),
    (CERTIFICATE, CERTIFICATE),
    ("职业资格", QUALIFICATION),
    ("职业资格考评", QUALIFICATION),
    ("职业资格考核", QUALIFICATION),
    ("职业资格鉴定", QUALIFICATION),
    ("专项职业能力", QUALIFICATION),
    ("专项职业能力考评", QUALIFICATION),
    ("职业资格/专项职业能力", QUALIFICATION),
    ("职业资格及专项职业能力", QUALIFICATION),
    ("等级认定", RECOGNITION),
    ("职业技能等级认定", RECOGNITION),
    ("技能等级认定", RECOGNITION),
    ("企业技能等级认定", RECOGNITION),
    ("企业等级认定", RECOGNITION),
    ("企业职业技能等级认定评价", RECOGNITION),
    ("行业准入", ACCESS),
    ("行业准入资格", ACCESS),
    ("准入资格", ACCESS),
    ("准入资格考评", ACCESS),
    ("行业准入考核", ACCESS),
    ("培训合格证", CERTIFICATE),
    ("合格证", CERTIFICATE),
    ("合格证考评", CERTIFICATE),
    ("培训合格证考核", CERTIFICATE),
    ("培训合格证考核评价", CERTIFICATE),
    ("等 级 认 定", RECOGNITION),
    ("（等级认定）", RECOGNITION),
    ("《行业准入》", ACCESS),
    ("职业资格 考评", QUALIFICATION),
    # not read
    ("职业资格/等级认定", None),
    ("考评", None),
    ("考试", None),
    ("笔试+实操", None),
    ("无", None),
    ("", None),
    ("认定", None),
    ("合格", None),
]


@pytest.mark.parametrize(
    ("raw", "expected"), ASSESSMENT_TYPES, ids=[r for r, _ in ASSESSMENT_TYPES]
)
def test_assessment_types(raw: str, expected: str | None) -> None:
    assert outcome(parse_assessment_type(raw)) == (None if expected is None else (expected, True))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("岗前培训", "岗前培训"),
        ("岗前", "岗前培训"),
        ("技能提升培训", "岗位技能提升培训"),
        ("岗位技能提升", "岗位技能提升培训"),
        ("转岗", "转岗转业培训"),
        ("新型学徒制", "企业新型学徒制培训"),
        ("学徒制培训", "企业新型学徒制培训"),
        ("岗前/转岗", None),
        ("继续教育", None),
    ],
)
def test_training_types(raw: str, expected: str | None) -> None:
    assert outcome(parse_training_type(raw)) == (None if expected is None else (expected, True))


# ------------------------------------------------------------------------------- phones

MOBILE = "13912345678"
LANDLINE = "0750-1234567"
PHONES: list[tuple[object, str | None]] = [
    ("13912345678", MOBILE),
    ("139 1234 5678", MOBILE),
    ("139-1234-5678", MOBILE),
    ("139 - 1234 - 5678", MOBILE),
    ("1391234 5678", MOBILE),
    ("+86 139 1234 5678", MOBILE),
    ("+8613912345678", MOBILE),
    ("+86-13912345678", MOBILE),
    ("86-13912345678", MOBILE),
    ("86 13912345678", MOBILE),
    ("8613912345678", MOBILE),
    ("0086 13912345678", MOBILE),
    ("００８６１３９１２３４５６７８", MOBILE),
    ("１３９１２３４５６７８", MOBILE),
    ("１３９－１２３４－５６７８", MOBILE),
    ("（+86）13912345678", MOBILE),
    ("139—1234—5678", MOBILE),
    (13912345678, MOBILE),
    ("  13912345678  ", MOBILE),
    ("0750-1234567", LANDLINE),
    ("07501234567", LANDLINE),
    ("0750 1234567", LANDLINE),
    ("(0750)1234567", LANDLINE),
    ("（0750）1234567", LANDLINE),
    ("(0750) 1234567", LANDLINE),
    ("0750－1234567", LANDLINE),
    ("０７５０－１２３４５６７", LANDLINE),
    ("0750—1234567", LANDLINE),
    ("+86 750 1234567", "750-1234567"),  # no trunk 0: kept, validation reports it
    ("020-12345678", "020-12345678"),
    ("02012345678", "020-12345678"),
    ("010 1234 5678", "010-12345678"),
    ("(020)87654321", "020-87654321"),
    ("0755-88889999", "0755-88889999"),
    # read as written; validation decides (invalid-phone)
    ("1391234567", "1391234567"),
    ("12345678", "12345678"),
    # not a phone notation: not read
    ("13912345678转801", None),
    ("13912345678/0750-1234567", None),
    ("同上", None),
    ("无", None),
    ("", None),
    ("139xxxx5678", None),
]


@pytest.mark.parametrize(("raw", "expected"), PHONES, ids=[str(r) for r, _ in PHONES])
def test_phones(raw: object, expected: str | None) -> None:
    assert outcome(parse_phone(raw)) == (None if expected is None else (expected, True))


# --------------------------------------------------------------------------- ID numbers

ID = "440703199001011239"
ID_X = "11010519491231002X"
ID_NUMBERS: list[tuple[object, str | None]] = [
    (ID, ID),
    ("4407 0319 9001 0112 39", ID),
    ("440703 19900101 1239", ID),
    ("440703-19900101-1239", ID),
    ("４４０７０３１９９００１０１１２３９", ID),
    ("４４０７０３ １９９００１０１ １２３９", ID),
    (" 440703199001011239 ", ID),
    ("440703199001011239\n", ID),
    ("440703　199001011239", ID),  # an ideographic space
    (440703199001011239, ID),  # YAML read it as an integer
    (ID_X, ID_X),
    ("11010519491231002x", ID_X),
    ("11010519491231002Ｘ", ID_X),
    ("11010519491231002ｘ", ID_X),
    ("110105 19491231 002x", ID_X),
    ("1101 0519 4912 3100 2X", ID_X),
    ("110105-19491231-002X", ID_X),
    ("１１０１０５１９４９１２３１００２Ｘ", ID_X),
    ("440781198506150028", "440781198506150028"),
    ("4407 8119 8506 1500 28", "440781198506150028"),
    ("440702200002290048", "440702200002290048"),
    ("44070220000229004８", "440702200002290048"),
    ("440721197811305515", "440721197811305515"),
    ("440721 197811305515", "440721197811305515"),
    # read as written, for validation to say what is wrong
    ("440703199001011238", "440703199001011238"),  # check digit
    ("44070319900101123", "44070319900101123"),  # 17 characters
    ("440703900101123", "440703900101123"),  # the legacy 15 digits
    ("4.40703199001011E+17", "4.40703199001011E+17"),  # a spreadsheet damaged it
    ("440703199001011000", "440703199001011000"),
    ("440703199013011239", "440703199013011239"),  # month 13
    ("X40703199001011239", "X40703199001011239"),
    ("4407031990010112XX", "4407031990010112XX"),
    ("123", "123"),
    # not an ID number notation: not read
    ("44070319900101123A", None),
    ("身份证：440703199001011239", None),
    ("440703199001011239（补）", None),
    ("无", None),
    ("", None),
    ("440703199001011239/440781198506150028", None),
    (4.40703199001011e17, None),  # a float: the digits are already lost
]


@pytest.mark.parametrize(("raw", "expected"), ID_NUMBERS, ids=[repr(r) for r, _ in ID_NUMBERS])
def test_id_numbers(raw: object, expected: str | None) -> None:
    assert outcome(parse_id_number(raw)) == (None if expected is None else (expected, True))


# ------------------------------------------------------------------------- credit codes

CODE = "91440703MA4UABCD1H"
CODES: list[tuple[object, str | None]] = [
    (CODE, CODE),
    ("91440703ma4uabcd1h", CODE),
    ("91440703Ma4uAbcd1H", CODE),
    ("9144 0703 MA4U ABCD 1H", CODE),
    ("914407 03MA4UABCD 1H", CODE),
    ("91440703-MA4UABCD-1H", CODE),
    ("９１４４０７０３ＭＡ４ＵＡＢＣＤ１Ｈ", CODE),
    ("９１４４０７０３ｍａ４ｕａｂｃｄ１ｈ", CODE),
    (" 91440703MA4UABCD1H ", CODE),
    ("91440703MA4UABCD1H\n", CODE),
    ("91440703　MA4UABCD1H", CODE),
    ("52440700MJL123456R", "52440700MJL123456R"),
    ("52440700mjl123456r", "52440700MJL123456R"),
    ("5244 0700 MJL1 2345 6R", "52440700MJL123456R"),
    ("12440700456789012D", "12440700456789012D"),
    ("12440700456789012d", "12440700456789012D"),
    ("124407004567-89012D", "12440700456789012D"),
    ("91110000100000000R", "91110000100000000R"),
    ("9111 0000 1000 0000 0R", "91110000100000000R"),
    ("９１１１００００１００００００００Ｒ", "91110000100000000R"),
    ("91110000100000000r", "91110000100000000R"),
    ("91 11 00 00 10 00 00 00 0R", "91110000100000000R"),
    # read as written, for validation to say what is wrong
    ("91440703MA4UABCD1X", "91440703MA4UABCD1X"),  # check character
    ("91440703MA4UABCD1", "91440703MA4UABCD1"),  # 17 characters
    ("91440703MA4UABCDIH", "91440703MA4UABCDIH"),  # I is outside the alphabet
    ("91440703MA4UABCD0O", "91440703MA4UABCD0O"),  # so is O
    ("914407031234567890", "914407031234567890"),
    ("440703000012345", "440703000012345"),  # an old registration number
    ("91440703ma4uabcd1x", "91440703MA4UABCD1X"),
    ("S1440703MA4UABCD1H", "S1440703MA4UABCD1H"),
    ("ABC", "ABC"),
    ("91440703MA4UABCD1HH", "91440703MA4UABCD1HH"),
    # not a credit-code notation: not read
    ("91440703MA4UABCD1H（已三证合一）", None),
    ("统一社会信用代码：91440703MA4UABCD1H", None),
    ("9144#0703MA4UABCD1H", None),
    ("无", None),
    ("", None),
    ("/", None),
    ("91440703MA4UABCD1H/52440700MJL123456R", None),
    ("91440703MA4UABCD1H。", None),
]


@pytest.mark.parametrize(("raw", "expected"), CODES, ids=[str(r) for r, _ in CODES])
def test_credit_codes(raw: object, expected: str | None) -> None:
    assert outcome(parse_credit_code(raw)) == (None if expected is None else (expected, True))


# ------------------------------------------------------------------------------- names

NAMES: list[tuple[str, str]] = [
    ("王芳", "王芳"),
    ("王  芳", "王芳"),
    ("王 芳", "王芳"),
    ("王　芳", "王芳"),  # an ideographic space
    (" 王芳 ", "王芳"),
    ("黃小明", "黄小明"),
    ("黄小明", "黄小明"),
    ("陳建國", "陈建国"),
    ("劉德華", "刘德华"),
    ("張偉", "张伟"),
    ("趙麗", "赵丽"),
    ("吳敏", "吴敏"),
    ("楊陽", "杨阳"),
    ("鄭潔", "郑洁"),
    ("鍾國強", "钟国强"),
    ("馮勇", "冯勇"),
    ("蔣華", "蒋华"),
    ("葉靜", "叶静"),
    ("許東", "许东"),
    ("鄧軍", "邓军"),
    ("蘇紅", "苏红"),
    ("盧寧", "卢宁"),
    ("譚雪", "谭雪"),
    ("龍飛", "龙飞"),
    ("謝輝", "谢辉"),
    ("羅麗萍", "罗丽萍"),
    ("陸濤", "陆涛"),
    ("錢進", "钱进"),
    ("孫鵬", "孙鹏"),
    ("馬倩", "马倩"),
    ("黃 小 明", "黄小明"),
    ("陳　建國", "陈建国"),
    ("阿卜杜·热合曼", "阿卜杜热合曼"),
    ("阿卜杜•热合曼", "阿卜杜热合曼"),
    ("阿卜杜・热合曼", "阿卜杜热合曼"),
    ("阿卜杜．热合曼", "阿卜杜热合曼"),
    ("阿卜杜.热合曼", "阿卜杜热合曼"),
    ("ＬＩ Ｍｉｎｇ", "LIMING"),
    ("Li Ming", "LIMING"),
    ("欧阳娜娜", "欧阳娜娜"),
    ("歐陽娜娜", "欧阳娜娜"),
    ("於小蘭", "于小兰"),
]


@pytest.mark.parametrize(("raw", "expected"), NAMES, ids=[r for r, _ in NAMES])
def test_fold_name(raw: str, expected: str) -> None:
    assert fold_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王  芳", "王芳"),
        ("王　芳", "王芳"),
        ("黃小明", "黃小明"),  # stored as written; only comparison folds
        (
            "江门市台山市嘉信五金制\n品有限公司",
            "江门市台山市嘉信五金制品有限公司",
        ),  # a wrapped cell
        ("江门市 蓬江区 职业培训学校", "江门市蓬江区职业培训学校"),
        ("Li  Ming", "Li Ming"),
        ("阿卜杜 • 热合曼", "阿卜杜·热合曼"),
        ("江门市（台山）电子有限公司", "江门市（台山）电子有限公司"),
    ],
)
def test_clean_name(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


def test_folded_names_compare_equal() -> None:
    assert fold_name("黃 小明") == fold_name("黄小明")
    assert fold_name("陳建國") != fold_name("陈建军")


# ------------------------------------------------------------------ by the schema node


@pytest.mark.parametrize(
    ("annex", "path", "raw", "value"),
    [
        ("agreement", ("fee", "total"), "2.4万元", 24000),
        ("agreement", ("fee", "total"), "人民币贰万肆仟元整", 24000),
        ("agreement", ("fee", "per_person"), "1,500.50元/人", 1500.5),
        ("agreement", ("fee", "total_in_words"), "人民币（大写）：贰萬肆仟元", "贰万肆仟元整"),
        ("agreement", ("fee", "total_in_words"), "壹万捌仟元零角零分", "壹万捌仟元整"),
        ("agreement", ("training", "headcount"), "共十二人", 12),
        ("filing", ("training", "total_hours"), "72课时", 72),
        ("filing", ("training", "start_date"), "二〇二五年三月三日", "2025-03-03"),
        ("filing", ("training", "assessment_type"), "等级认定", "企业职业技能等级认定"),
        ("filing", ("enterprise", "credit_code"), "9144 0703 ma4u abcd 1h", CODE),
        ("filing", ("enterprise", "contact_phone"), "(0750)1234567", LANDLINE),
        ("ledger", ("rows", 0, "skill_level"), "四级/中级工", "中级工"),
        ("ledger", ("rows", 0, "education"), "大学本科", "本科"),
        ("ledger", ("rows", 0, "gender"), "female", "女"),
        ("ledger", ("rows", 0, "score"), "85分", 85),
        ("ledger", ("rows", 0, "score"), "合 格", "合格"),
        ("ledger", ("rows", 0, "age"), "35周岁", 35),
        ("ledger", ("rows", 0, "name"), "王  芳", "王芳"),
        (
            "filing",
            ("enterprise", "name"),
            "江门市嘉信五金制\n品有限公司",
            "江门市嘉信五金制品有限公司",
        ),
        ("filing", ("enterprise", "contact_person"), "黄 军峰", "黄军峰"),
        (
            "ledger",
            ("rows", 0, "institution_class"),
            "江门技工学校 电工1班",
            "江门技工学校 电工1班",
        ),
        ("ledger", ("rows", 0, "id_number"), "11010519491231002x", ID_X),
        ("signin", ("date",), 45964, "2025-11-03"),
    ],
)
def test_read_by_schema_node(
    annex: str, path: tuple[str | int, ...], raw: object, value: Any
) -> None:
    parsed = read(node_at(annex, path), raw)
    assert parsed is not None and parsed.certain
    assert parsed.value == value and type(parsed.value) is type(value)


def test_uncertain_words_are_kept_as_written() -> None:
    parsed = read(node_at("agreement", ("fee", "total_in_words")), "两万四")
    assert parsed is not None and (parsed.value, parsed.certain) == ("两万四", False)


def test_canonical_record() -> None:
    roster = node_at("filing", ("roster", 0))
    record = {
        "name": "王 芳",
        "id_number": "1101 0519 4912 3100 2x",
        "gender": "女性",
        "education": "技校",
        "phone": "+86 139 1234 5678",
        "position": 12,
    }
    assert canonical_record(record, roster) == {
        "name": "王 芳",  # text as written: the generator prints it
        "id_number": ID_X,
        "gender": "女",
        "education": "技工学校",
        "phone": MOBILE,
        "position": "12",
    }
    kept = {"name": "李四", "id_number": "身份证丢失", "gender": "未知"}
    assert canonical_record(kept, roster) == kept
