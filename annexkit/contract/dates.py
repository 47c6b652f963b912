"""Dates and date ranges as institutions write them → ``YYYY-MM-DD``.

Read with certainty: a four-digit year, a month and a day, joined by 年月日 or by one of
``. / -`` (``2025-11-03``, ``2025.11.3``, ``2025/11/03``, ``2025年11月3日``, spaces and
full-width digits allowed, ``号`` for ``日``, ``元月`` for 1月), in Chinese numerals
(``二〇二五年十一月三日``), in eight digits (``20251103``), with a time of day
(``2025-11-03 00:00:00``) or a trailing 起/止/前; a date a spreadsheet stored (a number there
is an Excel serial day, read from 1950 to 2099). A notation read with certainty keeps its
digits even when no such day exists (``2025-02-30``), so that validation reports
``invalid-date``.

Not certain: a two-digit year (``25.11.3``: 1925 or 2025, and ``25`` may be a day) gives the
2000s reading as an uncertain one. Not read at all: no year (``11月3日``), words
(``明年三月``), a number outside a spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from annexkit.contract.numerals import parse_cn_digits, parse_small_cn
from annexkit.contract.parsed import Parsed

EXCEL_EPOCH = dt.date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (its fictitious 1900-02-29 makes day 60 the 29th)."""
SERIAL_YEARS = (1950, 2099)
"""Spreadsheet serials are read as dates in these years only; other numbers are no date."""

_CN_NUM = "〇○零一二三四五六七八九十廿卅"
_CN_YEAR = re.compile(rf"[{_CN_NUM[:12]}]{{4}}(?=\s*年)")
_CN_MONTH_DAY = re.compile(rf"[{_CN_NUM}]{{1,3}}(?=\s*[月日号])")

_YEAR = r"(?P<y>\d{4}|\d{2})"
_DATE = re.compile(
    rf"{_YEAR}(?:年|(?P<s1>[./-]))(?P<m>\d{{1,2}})(?:月|(?P<s2>[./-]))(?P<d>\d{{1,2}})[日号]?"
)
_COMPACT = re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)")
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
_TIME = re.compile(rf"(?:T|\s+|(?<![\d./\-]))(?:{_CLOCK})(?:\s*[-—–~至到]\s*{_CLOCK})?$")
_PART_OF_DAY = re.compile(r"\s*(?:上午|下午|中午|晚上|早上|全天|白天)$")
_WEEKDAY = re.compile(r"\s*\(?(?:星期|周|礼拜)(?P<day>[一二三四五六日天])\)?$")
WEEKDAYS = "一二三四五六日"
_AFFIXES = re.compile(r"^(?:自|从|于)|(?:起|止|前|以前|之前|为止)$")


def prepare(text: str) -> str:
    """NFKC, Chinese numerals in date parts as digits, 元月 as 1月; spaces kept."""
    text = unicodedata.normalize("NFKC", text).strip()
    # a line wrapped in a narrow cell (二〇二四\n年七月十\n一日): blanks mean nothing here,
    # except between two figures (2025-11-03 08:30)
    text = re.sub(r"(?<![0-9])\s+|\s+(?![0-9])", "", text)
    text = text.replace("元月", "1月")
    text = _CN_YEAR.sub(lambda m: str(parse_cn_digits(m.group())), text)
    return _CN_MONTH_DAY.sub(lambda m: str(parse_small_cn(m.group()) or m.group()), text)


def parse_date(raw: object, *, spreadsheet: bool = False) -> Parsed[str] | None:
    """A date → ``YYYY-MM-DD`` (see the module's notes). ``raw`` may be text, a
    ``datetime.date``, or a number from a spreadsheet; ``spreadsheet``: text that came from
    a spreadsheet cell, where a bare number is the cell's serial day."""
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date().isoformat(), True, raw.isoformat(sep=" "))
    if isinstance(raw, dt.date):
        return Parsed(raw.isoformat(), True, raw.isoformat())
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        return excel_serial(raw)
    if not isinstance(raw, str):
        return None
    text = prepare(raw)
    if spreadsheet and re.fullmatch(r"\d{4,5}(\.\d+)?", text):
        serial = excel_serial(Decimal(text))
        return None if serial is None else Parsed(serial.value, True, raw)
    text, weekday = _without_time_of_day(text)
    text = _AFFIXES.sub("", text).strip()
    parsed = _date_of(re.sub(r"\s+", "", text), raw)
    if parsed is not None and parsed.certain and weekday is not None:
        try:
            written = dt.date.fromisoformat(parsed.value).weekday()
        except ValueError:
            return parsed
        if WEEKDAYS[written] != weekday:  # 2025年6月17日（星期一）: one of them is wrong
            return Parsed(parsed.value, False, raw)
    return parsed


def _without_time_of_day(text: str) -> tuple[str, str | None]:
    """A date without what may follow it in a sign-in sheet's 日期 cell: a time or a
    session (``08:30—11:30``, ``14:00-17:00``), a part of the day (``上午``), the weekday
    (``（星期二）``, returned so that it can be checked)."""
    weekday = None
    while True:
        before = text
        text = _PART_OF_DAY.sub("", _TIME.sub("", text)).rstrip()
        found = _WEEKDAY.search(text)
        if found:
            weekday = found["day"].replace("天", "日")
            text = text[: found.start()].rstrip()
        if text == before:
            return text, weekday


def _date_of(text: str, raw: str) -> Parsed[str] | None:
    match = _DATE.fullmatch(text)
    if match is None:
        match = _COMPACT.fullmatch(text)
        if match is None:
            return None
    elif match["s1"] and match["s2"] and match["s1"] != match["s2"]:
        return None  # 2025.11-3: separators that disagree
    year, month, day = match["y"], int(match["m"]), int(match["d"])
    if len(year) == 2:
        return Parsed(f"20{year}-{month:02d}-{day:02d}", False, raw)
    return Parsed(f"{int(year):04d}-{month:02d}-{day:02d}", True, raw)


def excel_serial(number: int | float | Decimal) -> Parsed[str] | None:
    """A spreadsheet's serial day (1900 date system; a fraction is the time of day)."""
    days = int(number)
    if days < 1:
        return None
    day = EXCEL_EPOCH + dt.timedelta(days=days)
    if days <= 60:  # Excel counts a 1900-02-29 that never was
        day += dt.timedelta(days=1)
    if not SERIAL_YEARS[0] <= day.year <= SERIAL_YEARS[1]:
        return None
    return Parsed(day.isoformat(), True, str(number))


# ----------------------------------------------------------------------------- ranges

_SEPARATOR = r"\s*(?:起?(?:至|到)|止?[-~〜—–−]+|—+)\s*"
_RANGE = re.compile(
    rf"(?P<start>\d{{2,4}}[年./-]\d{{1,2}}[月./-]\d{{1,2}}[日号]?|\d{{8}})\s*(?:起)?"
    rf"(?P<sep>{_SEPARATOR})"
    r"(?P<end>.+?)\s*(?:止)?"
)
_OCR_DASH = re.compile(r"(?<=[\d日号])\s*一\s*(?=\d{4}[年./-])")
"""一 (one) between a date and a date with its year: OCR's reading of a dash, as one
cannot stand there (``2025年6月30日一2025年7月2日``)."""
_END_MONTH_DAY = re.compile(r"(?P<m>\d{1,2})(?:月|(?P<s>[./-]))(?P<d>\d{1,2})[日号]?")
_END_DAY = re.compile(r"(?P<d>\d{1,2})(?P<suffix>[日号])?")


def parse_date_range(raw: str) -> tuple[Parsed[str], Parsed[str]] | None:
    """Two dates joined by 至/到/-/—/–/~ (``2022.05.23 至 2022.06.02``); the end may leave out
    the year (``2021年08月02日至08月09日``, ``2025/3/3-3/14``) or the year and month
    (``2025年3月3日-14日``), which are carried over from the start. An end in January or
    February after a start in November or December is in the next year (``2025年12月29日至
    1月9日``); any other end before the start is read as written, a range that runs
    backwards (``2025/7/1-6/30``), for ``date-order`` to report. None when the text is not
    a range (a single date is not one)."""
    text = _AFFIXES.sub("", prepare(raw).strip()).strip()
    text = re.sub(r"(?<=\d)\s+(?=[年月日号./-])|(?<=[年月./-])\s+(?=\d)", "", text)
    text = _OCR_DASH.sub("至", text)
    match = _RANGE.fullmatch(text)
    if match is None:
        return None
    start = _date_of(match["start"], raw)
    if start is None:
        return None
    start_style = "." if "." in match["start"] else "/" if "/" in match["start"] else "-"
    end_text = re.sub(r"\s+", "", match["end"])
    end = _date_of(end_text, raw)
    if end is not None:
        return start, end
    year, month, day = (int(part) for part in start.value.split("-"))
    found = _END_MONTH_DAY.fullmatch(end_text)
    if found and (found["s"] is None or found["s"] == start_style):
        end_month, end_day = int(found["m"]), int(found["d"])
        if end_month < month and month >= 11 and end_month <= 2:
            year += 1  # 12月29日至1月9日; but 7月1日至6月30日 is an end before the start
        value = f"{year:04d}-{end_month:02d}-{end_day:02d}"
        return start, Parsed(value, start.certain, raw)
    found = _END_DAY.fullmatch(end_text)
    hyphen = match["sep"].strip() in ("-", "")
    if found and (found["suffix"] or not hyphen):
        end_day = int(found["d"])
        sure = start.certain and end_day >= day
        if end_day < day:  # 3月28日-4日: the next month, most likely
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return start, Parsed(f"{year:04d}-{month:02d}-{end_day:02d}", sure, raw)
    return None
