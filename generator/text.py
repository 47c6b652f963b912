"""How values are printed on the forms: dates, money, amounts in capitals, check marks."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from annexkit.contract.numerals import amount_in_words


def cn_date(value: object) -> str:
    """``2025-10-20`` → ``2025年10月20日``; blank stays blank."""
    if value in (None, ""):
        return ""
    day = dt.date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def money(value: object) -> str:
    """``12000`` → ``12,000.00`` (yuan, two decimal places)."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{amount:,.2f}"


def rmb_upper(value: object) -> str:
    """An amount in capitals as printed on contracts (``12000`` → ``壹万贰仟元整``); blank
    stays blank. The spelling is the contract's (``contract.numerals.amount_in_words``)."""
    if value in (None, ""):
        return ""
    return amount_in_words(str(value))


def mark(value: object) -> str:
    """A signed box: ``✓`` when true, blank otherwise (a blank form is signed by hand)."""
    return "✓" if value is True else ""
