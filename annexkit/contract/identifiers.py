"""ID numbers, credit codes and phone numbers as written → their canonical form.

Certain means the text holds nothing but the identifier's own characters and the notation
around them the contract accepts (spaces, hyphens, full-width forms, a lower-case ``x``; for
phones ``+86``/``86-``/``0086``, brackets round an area code): what was written is then
exactly one identifier, and whether it is a valid one (check digit, length) is the
validator's question. Any other character (``13912345678转1``, ``见上``, two numbers) leaves
the text unread: None.
"""

from __future__ import annotations

import re
import unicodedata

from annexkit.contract.formats import (
    looks_damaged_by_spreadsheet,
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
)
from annexkit.contract.parsed import Parsed

_DASHES = str.maketrans({"—": "-", "–": "-", "−": "-", "‐": "-", "‑": "-"})


def _text(raw: object) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    return raw if isinstance(raw, str) else None


def parse_id_number(raw: object) -> Parsed[str] | None:
    """An 18-character resident ID number: ``4407 0319 9001 0112 3x``, ``４４０７…Ｘ`` →
    ``44070319900101123X``. A number a spreadsheet damaged (``4.40703E+17``) is read as
    written, so that validation says what happened to it."""
    text = _text(raw)
    if text is None:
        return None
    if looks_damaged_by_spreadsheet(text):
        return Parsed(unicodedata.normalize("NFKC", text).strip(), True, text)
    value = normalize_id_number(text.translate(_DASHES))
    if not value or not re.fullmatch(r"[0-9X]+", value):
        return None
    return Parsed(value, True, text)


def parse_credit_code(raw: object) -> Parsed[str] | None:
    """An 18-character unified social credit code: spaces and case aside."""
    text = _text(raw)
    if text is None:
        return None
    value = normalize_credit_code(text.translate(_DASHES))
    if not value or not re.fullmatch(r"[0-9A-Z]+", value):
        return None
    return Parsed(value, True, text)


def parse_phone(raw: object) -> Parsed[str] | None:
    """A mobile (``13912345678``) or landline (``0750-1234567``) number from ``+86 139 1234
    5678``, ``86-139…``, ``(0750)1234567``, ``0750 1234567``, full-width digits."""
    text = _text(raw)
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    folded = re.sub(r"^\((?:\+|00)?86\)", "+86 ", folded)  # (+86)139…
    if not folded or not re.fullmatch(r"\+?[0-9(][0-9\s\-()]*", folded):
        return None
    return Parsed(normalize_phone(folded), True, text)
