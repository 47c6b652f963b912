"""Chinese numerals: ``十二``, ``二〇二五``, ``贰万肆仟``, ``两万零五`` → integers, and an
amount written back in capitals (大写) as contracts print it.

Both the everyday numerals (小写 一二三 十百千) and the financial capitals (大写 壹贰叁 拾佰仟)
are read, with their traditional forms (萬 億 貳 陸 …). Reading is positional and strict:
units must fall (千 before 百 before 十 within a group, 亿 before 万), two digits never
stand side by side. A last digit after 百/千/万 with no 零 (``一百二``, ``两万四``) is the
colloquial short form, 120 and 24000: a likely reading, not a certain one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from annexkit.contract.parsed import Parsed

CN_DIGITS: dict[str, int] = {
    **dict.fromkeys("零〇○", 0),
    **dict.fromkeys("一壹弌", 1),
    **dict.fromkeys("二贰貳两兩弍", 2),
    **dict.fromkeys("三叁參叄弎", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆陸", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
SMALL_UNITS: dict[str, int] = {
    **dict.fromkeys("十拾", 10),
    **dict.fromkeys("百佰", 100),
    **dict.fromkeys("千仟", 1000),
}
LARGE_UNITS: dict[str, int] = {**dict.fromkeys("万萬", 10**4), **dict.fromkeys("亿億", 10**8)}
NUMERAL_CHARS = frozenset(CN_DIGITS) | frozenset(SMALL_UNITS) | frozenset(LARGE_UNITS)

UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UPPER_SMALL = ("", "拾", "佰", "仟")
_UPPER_GROUPS = ("", "万", "亿", "万亿")


def _tokens(text: str) -> list[tuple[str, int]] | None:
    """Digits (a Chinese digit or a run of Arabic digits: ``2万4千``) and units; ``万亿``
    is one unit (10¹²)."""
    out: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isascii() and char.isdigit():
            end = index
            while end < len(text) and text[end].isascii() and text[end].isdigit():
                end += 1
            out.append(("arabic", int(text[index:end])))
            index = end
            continue
        if char in CN_DIGITS:
            out.append(("zero" if CN_DIGITS[char] == 0 else "digit", CN_DIGITS[char]))
        elif char in SMALL_UNITS:
            out.append(("small", SMALL_UNITS[char]))
        elif char in LARGE_UNITS:
            unit = LARGE_UNITS[char]
            if out and out[-1] == ("large", 10**4) and unit == 10**8:
                out[-1] = ("large", 10**12)
            else:
                out.append(("large", unit))
        else:
            return None
        index += 1
    return out


def parse_cn_integer(text: str) -> Parsed[int] | None:
    """A whole number in Chinese numerals (``十二``, ``壹万零贰拾``, ``2万4千``); None when
    the text is not one. ``零`` alone is 0. A string of bare digits (``二〇二五``) is not a
    numeral here: see :func:`parse_cn_digits`."""
    raw = text
    tokens = _tokens(text.strip())
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0][0] in ("zero", "digit", "arabic"):
        return Parsed(tokens[0][1], True, raw)
    total = 0
    section = 0  # the group below the last large unit
    pending: int | None = None  # a digit waiting for its unit
    zero = False  # a 零 since the last unit
    sure = True
    last_small: int | None = None
    last_large: int | None = None
    top_large: int | None = None
    last_unit: int | None = None
    for kind, number in tokens:
        if kind in ("digit", "arabic"):
            if pending is not None:
                return None  # 二三: two digits side by side
            pending = number
        elif kind == "zero":
            if pending is not None or last_unit is None or zero:
                return None  # 二零, a leading 零, 零零
            zero = True
        elif kind == "small":
            if pending is None:
                if number != 10 or section or total:
                    return None  # 百 with no digit; 十 alone only opens a number: 十二
                pending = 1
            if pending > 9 or (last_small is not None and number >= last_small):
                return None
            section += pending * number
            last_small = last_unit = number
            pending, zero = None, False
        else:  # a large unit
            if pending is not None:
                if last_unit is not None and last_unit > 10 and not zero:
                    sure = False  # 一万二亿: 1万2千亿 or 10002亿?
                section += pending
            if top_large is not None and number > top_large:
                # 伍万贰仟肆佰贰拾壹亿: everything so far counts in this unit
                total = (total + section) * number
            elif section == 0 or (last_large is not None and number >= last_large):
                return None  # 万 with nothing before it; 一亿二亿
            else:
                total += section * number
            top_large = max(top_large or 0, number)
            section, pending, zero = 0, None, False
            last_small, last_large, last_unit = None, number, number
    if zero and pending is None:
        return None  # 一千零: a 零 before nothing
    if pending is None:
        return Parsed(total + section, sure, raw)
    if pending > 9 and last_unit is not None:
        return None
    if zero or last_unit is None or last_unit == 10:
        return Parsed(total + section + pending, sure, raw)
    # 一百二, 两万四: the colloquial short form names the next unit down.
    return Parsed(total + section + pending * (last_unit // 10), False, raw)


def parse_cn_digits(text: str) -> int | None:
    """Digits read one by one, as years are written: ``二〇二五`` → 2025."""
    text = text.strip()
    if not text or any(c not in CN_DIGITS or c in "两兩" for c in text):
        return None
    return int("".join(str(CN_DIGITS[c]) for c in text))


def parse_small_cn(text: str) -> int | None:
    """A month or day in Chinese numerals, 1–99: ``三``, ``十一``, ``二十一``, ``廿一``,
    ``卅``; None for anything else."""
    text = text.replace("廿", "二十").replace("卅", "三十")
    parsed = parse_cn_integer(text)
    if parsed is None or not parsed.certain or not 0 < parsed.value < 100:
        return None
    return parsed.value


# --------------------------------------------------------------------- amounts in words


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
        out += UPPER_DIGITS[digit] + _UPPER_SMALL[position]
    return out


def amount_in_words(value: Decimal | int | str) -> str:
    """An amount in capitals as contracts print it: ``12000`` → ``壹万贰仟元整``,
    ``1005.3`` → ``壹仟零伍元叁角``; rounded to the fen."""
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
            words += _group_in_words(group) + _UPPER_GROUPS[index]
            pending_zero = False
        words += "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += UPPER_DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += UPPER_DIGITS[fen] + "分"
    return words
