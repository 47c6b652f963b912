"""Text read off a form → the contract's canonical value, driven by the schema node.

The reading itself is the contract's (:mod:`annexkit.contract.values`); this module adds
what only a reader of forms needs: signature marks, and what to keep where a value could
not be read with certainty. That is the text as it was, so that validation reports it with
the right code (a 2月30日 is an ``invalid-date``, not a missing one), never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from annexkit.contract import values
from annexkit.contract.schema import JSON, resolve

SIGNED_MARKS = frozenset("✓√✔☑vV是有已")
BLANK_MARKS = frozenset(("", "/", "—", "-", "无", "否", "×", "✗", "缺", "缺勤"))


@dataclass(frozen=True)
class Unread:
    """A value written where the form has a field, that could not be read with certainty
    (``明年三月`` for a date, ``高中及以上`` for an education): the finding quotes it as it
    was (``unreadable-value``), a warning, never an error."""

    text: str


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> str | None:
    """``2020年5月6日``, ``2020.5.6``, ``二〇二〇年五月六日`` … → ``2020-05-06``; None unless
    read with certainty. An impossible date keeps its digits (``2025-02-30``) so validation
    says it does not exist."""
    return values.certain(values.parse_date(text))


def parse_date_range(text: str) -> tuple[str | None, str | None]:
    """``2020.05.06-2020.05.20``, ``2020年5月6日至5月20日`` (year carried over) → two dates;
    a single date gives ``(date, None)``. A part not read with certainty is the text itself,
    so that validation reports what was written."""
    pair = values.parse_date_range(text)
    if pair is None:
        return parse_date(text), None
    start, end = pair
    return (
        start.value if start.certain else text,
        end.value if end.certain else text,
    )


def parse_number(text: str) -> Decimal | None:
    """``1,200.00元``, ``¥1200``, ``20人``, ``3学时``, ``贰万肆仟元`` → a number; None unless
    read with certainty."""
    quantity = values.certain(values.parse_quantity(text))
    return quantity if quantity is not None else values.certain(values.parse_money(text))


def is_signed(text: str) -> bool:
    """A signature or stamp cell is filled when it holds a mark or any written name."""
    text = nfkc(text).replace(" ", "")
    if text in BLANK_MARKS:
        return False
    return any(c in SIGNED_MARKS for c in text) or bool(re.search(r"[\u4e00-\u9fff]", text))


def normalize(node: JSON, raw: Any, *, spreadsheet: bool = False) -> Any:
    """The canonical value of ``raw`` (text, or a spreadsheet's number) for a schema node;
    ``spreadsheet``: the text came from a spreadsheet cell (a bare number in a date field is
    its serial day). A typed value not read with certainty is :class:`Unread`."""
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
    if kind == "boolean":
        return is_signed(text)
    if kind != "string" or "format" in node or "enum" in node:
        # A typed value wrapped inside a narrow cell (``2024.05.2`` / ``1``): one value.
        original = re.sub(r"\s*\n\s*", "", original)
    else:  # Chinese text wrapped in a cell (中式烹调 / 师) is one word
        original = re.sub(r"(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff])", "", original)
    given = original if isinstance(raw, str) else raw
    parsed = values.read(node, given, spreadsheet=spreadsheet)
    if parsed is not None and parsed.certain:
        return parsed.value
    # Not read with certainty: what was written, to be quoted, never taken as the value.
    if kind in ("integer", "number") and _only_units(text):
        return None
    if kind == "string" and "format" not in node and "enum" not in node:
        return original
    return Unread(original)


def _only_units(text: str) -> bool:
    """``人`` left in a blank ``实到____人``: no value was written."""
    return re.fullmatch(r"[\s_]*(元|人|学时|课时|小时|天)?[\s_,，。;；]*", text) is not None


def _number_text(value: Any) -> str:
    """A spreadsheet number as text: an integral float without ``.0``, others as written."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
