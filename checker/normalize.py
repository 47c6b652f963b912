"""Text read off a form → the contract's canonical value, driven by the schema node.

What cannot be normalised is returned as the text it was, so that validation reports it
with the right code (a 2月30日 is an ``invalid-date``, not a missing one).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from annexkit.contract.formats import normalize_credit_code, normalize_id_number, normalize_phone
from annexkit.contract.schema import JSON, resolve

SIGNED_MARKS = frozenset("✓√✔☑vV是有已")
BLANK_MARKS = frozenset(("", "/", "—", "-", "无", "否", "×", "✗", "缺", "缺勤"))

_DATE = re.compile(r"(?P<y>\d{4})\s*[年./\-]\s*(?P<m>\d{1,2})\s*[月./\-]\s*(?P<d>\d{1,2})\s*日?")
_MONTH_DAY = re.compile(
    r"(?:(?P<y>\d{4})\s*[年./\-]\s*)?(?P<m>\d{1,2})\s*[月./\-]\s*(?P<d>\d{1,2})\s*日?"
)
_RANGE_SPLIT = re.compile(r"\s*(?:至|到|~|～|—+|–|－|\s-\s|(?<=日)-|(?<=\d)-(?=\d{4}))\s*")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> str | None:
    """``2020年5月6日``, ``2020.5.6``, ``2020/05/06``, ``2020-5-6`` → ``2020-05-06``; None when
    the text is no date. An impossible date keeps its digits (``2025-02-30``) so validation
    says it does not exist."""
    match = _DATE.fullmatch(nfkc(text).replace(" ", ""))
    if not match:
        return None
    return f"{int(match['y']):04d}-{int(match['m']):02d}-{int(match['d']):02d}"


def parse_date_range(text: str) -> tuple[str | None, str | None]:
    """``2020.05.06-2020.05.20``, ``2020年5月6日至5月20日`` (year carried over) → two dates."""
    text = nfkc(text)
    parts = [p for p in _RANGE_SPLIT.split(text, maxsplit=1) if p]
    if len(parts) != 2:
        return parse_date(text), None
    start = parse_date(parts[0])
    end = parse_date(parts[1])
    if end is None and start is not None:
        match = _MONTH_DAY.fullmatch(parts[1].replace(" ", ""))
        if match:
            end = f"{start[:4]}-{int(match['m']):02d}-{int(match['d']):02d}"
    return start, end


def parse_number(text: str) -> Decimal | None:
    """``1,200.00元``, ``¥1200``, ``20人``, ``3学时`` → a number; None for other text."""
    cleaned = re.sub(r"[,，\s_¥￥。;；]|元|人民币|人|学时|课时|小时|周岁|岁|分$", "", nfkc(text))
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def is_signed(text: str) -> bool:
    """A signature or stamp cell is filled when it holds a mark or any written name."""
    text = nfkc(text).replace(" ", "")
    if text in BLANK_MARKS:
        return False
    return any(c in SIGNED_MARKS for c in text) or bool(re.search(r"[\u4e00-\u9fff]", text))


def normalize(node: JSON, raw: Any) -> Any:
    """The canonical value of ``raw`` (text, or a spreadsheet's number) for a schema node."""
    node = resolve(node)
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    original = (raw if isinstance(raw, str) else _number_text(raw)).strip()
    text = nfkc(original)
    if text == "":
        return None
    kind = node.get("type")
    fmt = node.get("format")
    if kind == "boolean":
        return is_signed(text)
    if fmt == "date":
        return parse_date(text) or text
    if fmt == "id_number":
        return normalize_id_number(raw if isinstance(raw, str) else _number_text(raw))
    if fmt == "credit_code":
        return normalize_credit_code(text)
    if fmt == "phone":
        return normalize_phone(text)
    aliases = node.get("x-aliases-values", {})
    compact = text.replace(" ", "")
    if "enum" in node:
        if compact in node["enum"]:
            return compact
        return aliases.get(compact, aliases.get(compact.upper(), text))
    if kind in ("integer", "number"):
        number = parse_number(text)
        if number is None:
            return None if _only_units(text) else text
        if kind == "integer" and number == number.to_integral_value():
            return int(number)
        return int(number) if number == number.to_integral_value() else float(number)
    if "anyOf" in node:  # a score: a number or 合格/不合格
        number = parse_number(text)
        if number is not None:
            return int(number) if number == number.to_integral_value() else float(number)
        return compact
    if kind == "string":
        return _clean_text(original, node)
    return text


def _only_units(text: str) -> bool:
    """``人`` left in a blank ``实到____人``: no value was written."""
    return re.fullmatch(r"[\s_]*(元|人|学时|课时|小时|天)?[\s_,，。;；]*", text) is not None


def _number_text(value: Any) -> str:
    """A spreadsheet number as text: an integral float without ``.0``, others as written."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _clean_text(text: str, node: JSON) -> str:
    """Text as written; names lose letter-spacing (张  三) and take U+00B7 as their dot."""
    title = node.get("title", "")
    if "姓名" in title or title in ("授课老师", "班主任"):
        text = re.sub(r"\s+", "", text)
        text = re.sub(r"[•・．]", "·", text)
    return text
