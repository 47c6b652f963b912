"""How values are printed on the forms: dates, money, amounts in capitals, check marks."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")


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


def _group_in_words(number: int) -> str:
    """0 < number < 10000 in capitals, with 零 for inner gaps."""
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + SMALL_UNITS[position]
    return out


def rmb_upper(value: object) -> str:
    """An amount in capitals as printed on contracts: ``12000`` → ``壹万贰仟元整``,
    ``1005.3`` → ``壹仟零伍元叁角``."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0 or amount >= Decimal(10) ** 16:
        raise ValueError(f"amount out of range for capitals: {amount}")
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    words = ""
    if yuan:
        groups: list[int] = []
        while yuan:
            groups.append(yuan % 10000)
            yuan //= 10000
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(words)
                continue
            if words and (pending_zero or group < 1000):
                words += "零"
            words += _group_in_words(group) + GROUP_UNITS[index]
            pending_zero = False
        words += "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return words


def mark(value: object) -> str:
    """A signed box: ``✓`` when true, blank otherwise (a blank form is signed by hand)."""
    return "✓" if value is True else ""
