"""``annex calendar``: the official working-day calendar (工作日历) the checker counts with."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from annexkit.cli.errors import CommandError
from annexkit.contract.formats import to_halfwidth
from annexkit.policy.workdays import (
    ENV_DIR,
    READINGS,
    CalendarFileError,
    CalendarInstallError,
    DayEntry,
    Reading,
    WorkCalendar,
    default_calendar,
    group_runs,
    install_year_file,
    package_version,
    package_years,
    project_calendar_dir,
    user_calendar_dir,
    weekday_label,
)

_DATE_RE = re.compile(r"([0-9]{4})\s*[-./年]\s*([0-9]{1,2})\s*[-./月]\s*([0-9]{1,2})\s*日?")


if TYPE_CHECKING:  # click ≥ 8.4 makes ParamType generic; older ones cannot subscript it
    _DateParam = click.ParamType[dt.date]
    _IntParam = click.ParamType[int]
else:
    _DateParam = _IntParam = click.ParamType


class _DateType(_DateParam):
    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        match = _DATE_RE.fullmatch(to_halfwidth(str(value)).strip())
        if match is not None:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        self.fail(
            f"“{value}”不是有效日期（应为 YYYY-MM-DD）/ {value!r} is not a real date "
            "(use YYYY-MM-DD)",
            param,
            ctx,
        )


class _CountType(_IntParam):
    name = "integer"

    def __init__(self, what_zh: str, what_en: str, low: int, high: int) -> None:
        self.what_zh, self.what_en, self.low, self.high = what_zh, what_en, low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = to_halfwidth(str(value)).strip()
        if re.fullmatch(r"[0-9]+", text) and self.low <= int(text) <= self.high:
            return int(text)
        self.fail(
            f"“{value}”不是有效的{self.what_zh}（{self.low}–{self.high}的整数）/ {value!r} is not "
            f"a valid {self.what_en} (a whole number from {self.low} to {self.high})",
            param,
            ctx,
        )


_DATE = _DateType()


def _calendar() -> WorkCalendar:
    try:
        return default_calendar()
    except CalendarFileError as exc:
        raise CommandError(str(exc)) from None


def _note(text: str | None) -> None:
    if text:
        click.echo(f"注意 Note: {text}", err=True)


@click.group("calendar")
def calendar_group() -> None:
    """法定工作日历 / Official working days: statutory holidays off, 调休 make-up days on.

    \b
    Data for a year comes from, in order:
      1. chinesecalendar (official State Council schedules; always wins where it has the year)
      2. your year files: $ANNEXKIT_CALENDAR_DIR, else $XDG_DATA_HOME/annexkit/calendar,
         else ~/.local/share/annexkit/calendar (install one with `add-year`)
      3. year files shipped with annexkit (annexkit/data/calendar)
    A year with none of these is counted by weekends only, and results say they are
    provisional (finding calendar-provisional).
    """


@calendar_group.command("workdays-before")
@click.argument("day", metavar="DATE", type=_DATE)
@click.argument("n", metavar="N", type=_CountType("工作日数", "number of working days", 1, 1000))
@click.option(
    "--reading",
    type=click.Choice(READINGS),
    default="nth-before",
    show_default=True,
    help="计算方式 / nth-before: the N-th working day before DATE; strictly-between: the day "
    "before that, so N full working days lie strictly between.",
)
def workdays_before(day: dt.date, n: int, reading: str) -> None:
    """DATE 之前第 N 个工作日 / Print the last day that is still N working days before DATE.

    A filing dated on or before it is in time (e.g. training starting 2025-10-20, N=15 →
    2025-09-23, or 2025-09-22 with --reading strictly-between). A note on standard error
    says when a year had no data and only weekends were counted.
    """
    try:
        result = _calendar().workday_before(day, n, cast(Reading, reading))
    except (ValueError, OverflowError):
        raise CommandError(
            f"{day} 之前没有足够的日期 / there are not enough days before {day}"
        ) from None
    click.echo(result.date.isoformat())
    _note(result.note)


@calendar_group.command("add-months")
@click.argument("day", metavar="DATE", type=_DATE)
@click.argument("months", metavar="MONTHS", type=_CountType("月数", "number of months", 1, 1200))
def add_months(day: dt.date, months: int) -> None:
    """DATE 起 MONTHS 个月期间的最后一天 / Print the last day of a period of MONTHS months
    after DATE (Civil Code arts. 201–203).

    The corresponding day MONTHS months later (the month's last day where there is none),
    moved to the next working day when it is a rest day: 2025-08-15 + 6 → 2026-02-24.
    """
    try:
        result = _calendar().add_months(day, months)
    except (ValueError, OverflowError) as exc:
        raise CommandError(f"无法计算 / cannot compute: {exc}") from None
    click.echo(result.date.isoformat())
    if result.shifted:
        click.echo(
            f"注意 Note: {result.nominal} 是休息日，顺延至 {result.date} / {result.nominal} is a "
            f"rest day: the period ends on the next working day, {result.date}",
            err=True,
        )
    _note(result.note)


@calendar_group.command("add-year")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="替换该年已有的文件 / Replace your existing file for that year."
)
def add_year(file: Path, force: bool) -> None:
    """检查并安装一年的工作日历文件 / Validate a year file and install it into your calendar
    folder.

    FILE lists the year's holidays and make-up working days with the State Council notice
    they come from (format: data/calendar/README.md). The folder is $ANNEXKIT_CALENDAR_DIR,
    else $XDG_DATA_HOME/annexkit/calendar, else ~/.local/share/annexkit/calendar.
    """
    if not file.is_file():
        raise CommandError(f"找不到文件 {file} / no such file: {file}")
    try:
        target = install_year_file(file, force=force)
    except (CalendarFileError, CalendarInstallError) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"无法写入 / cannot write: {exc}") from None
    year = int(target.stem)
    click.echo(f"已安装{year}年工作日历 / installed the {year} calendar: {target}")
    shipped = project_calendar_dir() / target.name
    if shipped.is_file():
        click.echo(
            f"注意 Note: annexkit 自带的 {shipped} 不再使用，以你的文件为准 / your file now "
            f"takes precedence over the shipped {shipped}",
            err=True,
        )


def _names_and_days(entries: Iterable[DayEntry]) -> list[tuple[str, list[dt.date]]]:
    by_name: dict[str, list[dt.date]] = {}
    for entry in sorted(entries, key=lambda e: e.day):
        by_name.setdefault(entry.name, []).append(entry.day)
    return list(by_name.items())


def _runs(days: list[dt.date]) -> str:
    parts = []
    for first, last in group_runs(days):
        if first == last:
            parts.append(f"{first} {weekday_label(first)}")
        else:
            parts.append(f"{first} ~ {last}")
    return ", ".join(parts)


@calendar_group.command("show")
@click.argument("year", metavar="YEAR", type=_CountType("年份", "year", 1000, 9999))
def show(year: int) -> None:
    """列出 YEAR 年的节假日与调休 / List YEAR's holidays and make-up working days, and where
    the data comes from."""
    data = _calendar().year_data(year)
    if data is None:
        click.echo(
            f"{year}年：没有官方节假日安排数据，工作日只能按周末推算（临时结果）。\n"
            f"{year}: no official holiday schedule; working days are counted by weekends only "
            "(provisional).\n"
            f"公布后可用 `annex calendar add-year FILE` 添加 / once it is announced, add it with "
            f"`annex calendar add-year FILE` (folder: {user_calendar_dir()}; "
            f"chinesecalendar {package_version()} covers {min(package_years())}–"
            f"{max(package_years())})"
        )
        return
    origin = {
        "package": "包内官方数据 / official data bundled with the package",
        "user": f"用户文件 / your file: {data.path}",
        "project": f"annexkit 自带文件 / shipped file: {data.path}",
    }[data.origin]
    click.echo(f"{year}年工作日历 / {year} working-day calendar")
    click.echo(f"来源 Source: {data.source} — {origin}")
    click.echo("放假 Days off:")
    for name, days in _names_and_days(data.holidays):
        click.echo(f"  {name}: {_runs(days)} ({len(days)}天 days)")
    click.echo("调休上班 Make-up working days:")
    makeup = _names_and_days(data.makeup_workdays)
    for name, days in makeup:
        click.echo(f"  {name}: {', '.join(f'{d} {weekday_label(d)}' for d in days)}")
    if not makeup:
        click.echo("  （无 none）")
    for unused in data.shadowed:
        reason = (
            "chinesecalendar 已有该年数据 / the package covers this year"
            if data.origin == "package"
            else "用户文件优先 / your file takes precedence"
        )
        click.echo(f"未使用 Not used: {unused.path} ({reason})")


__all__ = ["ENV_DIR", "CommandError", "calendar_group"]
