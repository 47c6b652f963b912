"""Money and counted quantities as written on forms → numbers (``Decimal``), with their unit.

Money (:func:`parse_money`), read with certainty: Arabic figures with or without thousands
separators (``24,000.00 元``, ``24000``, ``¥24,000``, ``￥24000.00``), in 万 (``2.4万元``),
per person (``3,000元/人``, unit ``元/人``), and amounts in words, 小写 or 大写, with the
traditional forms (``人民币贰万肆仟元整``, ``贰万肆仟圆整``, ``贰萬肆仟元``,
``贰万肆仟元零角零分``, ``壹仟贰佰叁拾肆元伍角陆分``), after a ``人民币（大写）：`` prefix.
Amounts are numbers: two spellings of one amount are equal. Not certain: the colloquial
short form (``两万四``). Not read: thousands separators out of place (``24,00``), more than
two decimals (``24.000``: a European thousands separator or a slip), other words.

Quantities (:func:`parse_quantity`, :func:`parse_count`): ``12 人``, ``共12人``, ``72 学时``,
``72课时``, ``十二人``, ``10名``, ``35周岁``, ``85分``. ``约12人`` and ``12人左右`` are
uncertain; ``12人以上`` is not read.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from annexkit.contract.numerals import CN_DIGITS, parse_cn_integer
from annexkit.contract.parsed import Parsed

_ARABIC = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SCALE = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "千": 1000, "仟": 1000}
_PREFIX = re.compile(r"^(?:人民币|RMB|CNY|\(?大写\)?|\(?小写\)?|金额|计|共计|合计|总计|[:¥])", re.I)
_PER_PERSON = re.compile(r"(?:/人|/每人|每人|/人/期|/人·期|/人次)$")
_DIGIT = rf"[{''.join(CN_DIGITS)}\d]"
_FRACTION = re.compile(rf"零?(?:(?P<jiao>{_DIGIT})角)?零?(?:(?P<fen>{_DIGIT})分)?")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _arabic(text: str) -> Decimal | None:
    """``24,000.00`` → 24000.00; None unless the separators group thousands."""
    if not re.fullmatch(_ARABIC, text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


def _digit(char: str | None) -> int:
    if char is None:
        return 0
    return int(char) if char.isdigit() and char.isascii() else CN_DIGITS[char]


def parse_money(raw: object) -> Parsed[Decimal] | None:
    """An amount of money in yuan; ``unit`` is ``元`` or ``元/人`` (see the module's notes)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        return Parsed(Decimal(str(raw)), True, str(raw), "元")
    if not isinstance(raw, str):
        return None
    text = _compact(raw)
    unit = "元"
    if text.startswith("每人"):
        text, unit = text[2:], "元/人"
    while (stripped := _PREFIX.sub("", text)) != text:
        text = stripped
    if _PER_PERSON.search(text):
        text, unit = _PER_PERSON.sub("", text), "元/人"
    text = re.sub(r"[整正]$", "", text)
    if not text:
        return None
    found = re.fullmatch(
        r"(?P<integer>.*?)(?:[元圆圓](?P<after>.*)|(?P<bare>[^元圆圓]*[角分]))?", text
    )
    if found is None:  # pragma: no cover - the pattern matches any text
        return None
    integer, fraction = found["integer"], found["after"] or found["bare"] or ""
    cents = _FRACTION.fullmatch(fraction)
    if cents is None:
        return None
    small = Decimal(_digit(cents["jiao"])) / 10 + Decimal(_digit(cents["fen"])) / 100
    if not integer:
        return Parsed(small, True, raw, unit) if fraction else None
    amount = _yuan(integer, bool(fraction))
    if amount is None:
        return None
    return Parsed(amount.value + small, amount.certain, raw, unit)


def _yuan(text: str, has_fraction: bool) -> Parsed[Decimal] | None:
    """The yuan of an amount: figures, figures in 万, or numerals."""
    scale = 1
    if text[-1] in _SCALE and re.fullmatch(_ARABIC, text[:-1]):
        text, scale = text[:-1], _SCALE[text[-1]]
    figure = _arabic(text)
    if figure is not None:
        exponent = figure.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) else 0
        if (has_fraction and decimals) or (scale == 1 and decimals > 2):
            return None
        value = figure * scale
        if scale > 1:  # 2.4万 → 24000, not 24000.0 nor 2.4E+4
            value = value.to_integral_value() if value == value.to_integral_value() else value
        return Parsed(value, True, text)
    words = parse_cn_integer(text)
    if words is None or scale != 1:
        return None
    return Parsed(Decimal(words.value), words.certain, text)


# ------------------------------------------------------------------------------ quantities

UNITS = {
    "人次": "人次",
    "人": "人",
    "名": "人",
    "位": "人",
    "个": "个",
    "学时": "学时",
    "课时": "学时",
    "小时": "小时",
    "节": "节",
    "天": "天",
    "日": "天",
    "周岁": "岁",
    "岁": "岁",
    "分": "分",
    "元": "元",
}
"""Units written after a count, and the canonical one each means."""

_QUANTITY = re.compile(
    r"(?P<about>约|大约|约为)?(?:共计|合计|总计|总共|共|计)?(?P<about2>约)?"
    r"(?P<number>.+?)"
    rf"(?P<unit>{'|'.join(sorted(UNITS, key=len, reverse=True))})?"
    r"(?P<tail>左右|余|多|以上|以下|以内)?"
)


def parse_quantity(raw: object) -> Parsed[Decimal] | None:
    """A number with an optional unit (see the module's notes)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        return Parsed(Decimal(str(raw)), True, str(raw))
    if not isinstance(raw, str):
        return None
    text = _compact(raw)
    found = _QUANTITY.fullmatch(text)
    if found is None:
        return None
    if found["tail"] in ("以上", "以下", "以内"):
        return None
    unit = UNITS[found["unit"]] if found["unit"] else None
    sure = not (found["about"] or found["about2"] or found["tail"])
    figure = _arabic(found["number"])
    if figure is not None:
        return Parsed(figure, sure, raw, unit)
    words = parse_cn_integer(found["number"])
    if words is None:
        return None
    return Parsed(Decimal(words.value), sure and words.certain, raw, unit)


def parse_count(raw: object) -> Parsed[int] | None:
    """A whole number of people, hours, sessions …; None for a fraction."""
    quantity = parse_quantity(raw)
    if quantity is None or quantity.value != quantity.value.to_integral_value():
        return None
    return Parsed(int(quantity.value), quantity.certain, quantity.raw, quantity.unit)
