"""What the policy reads from a record's values: whether a ledger score passed, and a date.

One reading for every rule: the subsidy estimate, the registry and the checker's rules all
count a trainee as passed, and read a canonical date, the same way.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

PASS_SCORE = Decimal(60)
PASSED_WORDS = frozenset(("合格", "通过", "及格"))
FAILED_WORDS = frozenset(("不合格", "未通过", "不及格"))


def passed(score: Any) -> bool | None:
    """A ledger score (考核成绩): True for a number of at least 60 or 合格/通过/及格, False
    for a lower number or 不合格/未通过/不及格, None when absent or not a result."""
    if isinstance(score, bool) or score is None:
        return None
    text = unicodedata.normalize("NFKC", str(score)).strip()
    if text in PASSED_WORDS:
        return True
    if text in FAILED_WORDS:
        return False
    try:
        return Decimal(text) >= PASS_SCORE
    except InvalidOperation:  # no number, or NaN
        return None


def as_date(value: Any) -> dt.date | None:
    """A record's canonical date (``YYYY-MM-DD`` text, or a date) as a date; None for
    anything else, an impossible date included."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
