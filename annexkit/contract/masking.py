"""Masking personal identifiers: the one place that decides what a report may show.

ID numbers keep their first four and last four characters, mobile numbers their first three
and last four digits, landlines their area code and last two digits; free text has every
ID-like number and phone number in it masked. Reports, finding messages, ``annex registry``
and the generator's error messages all mask through these functions, at the moment they
show something (``--reveal`` shows it unmasked): nothing is masked when it is recorded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from annexkit.contract.schema import child, resolve

__all__ = ["mask_id", "mask_phone", "mask_text", "mask_value"]

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mask_id(value: str) -> str:
    """``440703199001011234`` → ``4407**********1234``: enough to tell rows apart."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; a landline keeps its area code and last 2 digits."""
    if _MOBILE.fullmatch(value):
        return value[:3] + "****" + value[-4:]
    if "-" in value:
        area, number = value.split("-", 1)
        return area + "-" + "*" * max(len(number) - 2, 0) + number[-2:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


# ---------------------------------------------------------------------------- free text

_D = "[0-9\uff10-\uff19]"  # full-width digits too: raw values are quoted before normalising
_NOT_DIGIT_BEFORE = "(?<![0-9\uff10-\uff19])"
_NOT_DIGIT_AFTER = "(?![0-9\uff10-\uff19])"
_ID_TEXT = re.compile(
    _NOT_DIGIT_BEFORE
    + "(?:"
    # 15 or more digits, single spaces allowed between them ("440703 19900101 1234"), an
    # optional X: 18-character IDs, legacy 15-digit IDs, and also the 16/17/19-digit
    # mistakes an invalid-id-number message quotes, which are still nearly a whole ID.
    + f"{_D}(?:[ \u3000]?{_D}){{14,}}(?:[ \u3000]?[XxＸｘ])?"
    # hyphenated as region-birth date-sequence, which the ID normaliser accepts
    + f"|{_D}{{6}}-{_D}{{8}}-{_D}{{3}}[0-9\uff10-\uff19XxＸｘ]"
    + ")"
    + _NOT_DIGIT_AFTER
)
_MOBILE_TEXT = re.compile(
    f"{_NOT_DIGIT_BEFORE}(?:[+＋]?[8８][6６][ -]?)?"  # +86 prefix
    f"[1１][3-9\uff13-\uff19]{_D}(?:[ -]?{_D}{{4}}){{2}}{_NOT_DIGIT_AFTER}"
)
_LANDLINE_TEXT = re.compile(f"{_NOT_DIGIT_BEFORE}[0０]{_D}{{2,3}}-{_D}{{7,8}}{_NOT_DIGIT_AFTER}")


def _fold(text: str) -> str:
    """Digits and X of a matched identifier, half-width, without separators."""
    return re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", text).upper())


def mask_text(text: str) -> str:
    """``text`` with every ID-like number and phone number in it masked.

    For free text (finding messages' quoted values, file names, fields without an
    identifier format): runs of 15 or more digits (with an optional final X) are masked as
    ID numbers, mobile numbers ``1[3-9]`` + 9 digits and landlines ``0area-number`` as phone
    numbers. It errs on the side of masking: a long account number is hidden too.
    """
    text = _ID_TEXT.sub(lambda m: mask_id(_fold(m.group())), text)
    text = _MOBILE_TEXT.sub(lambda m: mask_phone(_fold(m.group())[-11:]), text)
    return _LANDLINE_TEXT.sub(lambda m: mask_phone(unicodedata.normalize("NFKC", m.group())), text)


# ------------------------------------------------------------------------------- values

# Formats whose values are not personal: free-text masking would wrongly hide an all-digit
# credit code (public bodies have them), so these are left exactly as extracted.
_PUBLIC_FORMATS = frozenset({"credit_code", "date"})


def _mask_scalar(value: Any, fmt: str | None) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if fmt in ("id_number", "phone"):
        # A spreadsheet may have stored the number as a number: it becomes masked text,
        # since keeping the type would mean keeping the digits.
        text = value if isinstance(value, str) else str(value)
        return mask_id(text) if fmt == "id_number" else mask_phone(text)
    if fmt in _PUBLIC_FORMATS:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and len(str(abs(value))) >= 15:
        return mask_text(str(value))
    return value


def mask_value(value: Any, node: Any = None) -> Any:
    """``value`` with identifiers masked, guided by its schema ``node`` (None: unknown; a
    bare ``{"format": "id_number"}`` says what a value is where no schema does).

    Fields whose ``format`` is ``id_number`` or ``phone`` are masked whole, whatever their
    spelling; every other string is masked as free text, so an ID typed into a remarks
    field or an unknown column does not slip through. New containers are built: ``value``
    is never changed.
    """
    node = resolve(node) if node is not None else None
    if isinstance(value, Mapping):
        return {
            k: mask_value(v, child(node, k) if node is not None else None) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        items = child(node, 0) if node is not None else None
        return [mask_value(v, items) for v in value]
    fmt = node.get("format") if isinstance(node, dict) else None
    return _mask_scalar(value, fmt)
