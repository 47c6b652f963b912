"""Normalisation by meaning: every value type of the contract, read from the notations
institutions write, into the canonical form (data contract, "Common value types").

One parser per type, each returning a :class:`~annexkit.contract.parsed.Parsed` — the value,
whether it was read with certainty, the text it came from — or None when the text cannot be
read as that type at all. The parsers live in small modules, one job each:

=====================  ====================================================================
module                 types
=====================  ====================================================================
``dates``              :func:`parse_date`, :func:`parse_date_range`, :func:`excel_serial`
``amounts``            :func:`parse_money`, :func:`parse_quantity`, :func:`parse_count`
``numerals``           :func:`parse_cn_integer`, :func:`amount_in_words`
``choices``            :func:`parse_gender`, :func:`parse_skill_level`,
                       :func:`parse_education`, :func:`parse_assessment_type`,
                       :func:`parse_training_type`, :func:`parse_choice`
``identifiers``        :func:`parse_id_number`, :func:`parse_credit_code`, :func:`parse_phone`
``names``              :func:`clean_name`, :func:`fold_name`
=====================  ====================================================================

:func:`read` picks the parser a schema node calls for and gives the value in the form the
record holds (numbers as ``int``/``float``, amounts in words in their canonical spelling);
:func:`canonical_record` applies it to a whole record. The checker's extraction and the
generator's input reading both go through :func:`read`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from annexkit.contract.amounts import parse_count, parse_money, parse_quantity
from annexkit.contract.choices import (
    parse_assessment_type,
    parse_choice,
    parse_education,
    parse_gender,
    parse_skill_level,
    parse_training_type,
)
from annexkit.contract.dates import excel_serial, parse_date, parse_date_range
from annexkit.contract.identifiers import parse_credit_code, parse_id_number, parse_phone
from annexkit.contract.names import clean_name, fold_name
from annexkit.contract.numerals import amount_in_words, parse_cn_integer
from annexkit.contract.parsed import Parsed, certain
from annexkit.contract.schema import JSON, resolve

__all__ = [
    "Parsed",
    "amount_in_words",
    "canonical_record",
    "certain",
    "clean_name",
    "excel_serial",
    "fold_name",
    "json_number",
    "parse_assessment_type",
    "parse_choice",
    "parse_cn_integer",
    "parse_count",
    "parse_credit_code",
    "parse_date",
    "parse_date_range",
    "parse_education",
    "parse_gender",
    "parse_id_number",
    "parse_money",
    "parse_phone",
    "parse_quantity",
    "parse_skill_level",
    "parse_training_type",
    "read",
]

_FORMATS = {
    "id_number": parse_id_number,
    "credit_code": parse_credit_code,
    "phone": parse_phone,
}
PERSON_TITLES = ("授课老师", "班主任", "联系人", "法定代表人")
"""Fields holding one person's name besides those whose label says 姓名."""


def json_number(value: Decimal) -> int | float:
    """A number as a record holds it: whole numbers as ``int``."""
    return int(value) if value == value.to_integral_value() else float(value)


def is_money(node: JSON) -> bool:
    """A figure in yuan (the contract's ``money`` type: its label says 元)."""
    return node.get("type") == "number" and (
        "元" in node.get("title", "") or "yuan" in node.get("description", "")
    )


def is_amount_in_words(node: JSON) -> bool:
    """An amount written in capitals (人民币（大写）), kept as text."""
    return node.get("type") == "string" and "大写" in node.get("title", "")


def is_name(node: JSON) -> bool:
    """A person's name (姓名, 授课老师 …) or an organisation's (企业名称, 名称)."""
    title = node.get("title", "")
    return node.get("type") == "string" and (
        "姓名" in title or title in PERSON_TITLES or title.endswith("名称")
    )


def read(node: JSON, raw: object, *, spreadsheet: bool = False) -> Parsed[Any] | None:
    """``raw`` (text, or a number or date from a spreadsheet) read as the schema node's type.

    The value is what the record holds: a date ``YYYY-MM-DD``, an option of the list, an
    ``int`` or ``float``, an amount in words in its canonical spelling (``贰萬肆仟元`` →
    ``贰万肆仟元整``, certain when the words are), a person's or organisation's name without
    the blanks beside its Chinese characters (:func:`clean_name`), other text as written.
    ``spreadsheet``: text from a spreadsheet cell, where a bare number in a date field is
    the cell's serial day. None for blank text, booleans and nodes of no scalar type
    (signatures are read by the checker from ink and marks)."""
    node = resolve(node)
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, str) and not raw.strip():
        return None
    kind = node.get("type")
    fmt = node.get("format")
    if fmt == "date":
        return parse_date(raw, spreadsheet=spreadsheet)
    if fmt in _FORMATS:
        return _FORMATS[fmt](raw)
    text = raw.strip() if isinstance(raw, str) else _number_text(raw)
    if "enum" in node:
        return parse_choice(text, node["enum"], node.get("x-aliases-values"))
    if kind == "integer":
        return _as_json(parse_quantity(raw if not isinstance(raw, str) else text))
    if kind == "number":
        return _as_json(parse_money(raw) if is_money(node) else parse_quantity(raw))
    if "anyOf" in node:  # a score: a number, or one of the string options
        score = parse_quantity(raw)
        if score is not None and score.unit in (None, "分"):
            return _as_json(score)
        options = [o for sub in node["anyOf"] for o in resolve(sub).get("enum", ())]
        return parse_choice(text, options) if options else None
    if kind == "string":
        if is_amount_in_words(node):
            return _amount_in_words(text)
        if is_name(node):
            return Parsed(clean_name(text), True, text)
        return Parsed(text, True, text)
    return None


def _as_json(parsed: Parsed[Decimal] | None) -> Parsed[Any] | None:
    if parsed is None:
        return None
    return Parsed(json_number(parsed.value), parsed.certain, parsed.raw, parsed.unit)


def _amount_in_words(text: str) -> Parsed[str]:
    """The canonical spelling of an amount in words, or the text as written (uncertain)
    where it cannot be read with certainty."""
    amount = parse_money(text)
    if amount is None or not amount.certain or amount.value < 0 or amount.value >= 10**16:
        return Parsed(text, False, text)
    return Parsed(amount_in_words(amount.value), True, text, amount.unit)


def _number_text(value: object) -> str:
    """A spreadsheet number as text: an integral float without ``.0``, others as written."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def canonical_record(record: JSON, node: JSON, *, spreadsheet: bool = False) -> JSON:
    """A copy of ``record`` with every scalar read as its schema node says, where it was
    read with certainty; everything else is left as it was, for validation to report. An
    integer where the schema wants text becomes text (YAML reads an unquoted ID number as
    one)."""
    node = resolve(node)
    kind = node.get("type")
    if kind == "object" and isinstance(record, Mapping):
        props = node.get("properties", {})
        return {
            k: canonical_record(v, props[k], spreadsheet=spreadsheet) if k in props else v
            for k, v in record.items()
        }
    if kind == "array" and isinstance(record, list) and "items" in node:
        return [canonical_record(v, node["items"], spreadsheet=spreadsheet) for v in record]
    if isinstance(record, bool) or record is None or isinstance(record, dict | list):
        return record
    if kind == "string" and isinstance(record, int) and "format" not in node:
        return str(record)
    if kind == "string" and "enum" not in node and "format" not in node:
        return record  # text as written: the generator prints it
    parsed = read(node, record, spreadsheet=spreadsheet)
    return parsed.value if parsed is not None and parsed.certain else record
