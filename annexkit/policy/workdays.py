"""The official PRC working-day calendar (工作日): statutory holidays off, 调休 make-up days on.


A day is a working day when it is Monday–Friday and not a holiday, or when it is a make-up
working day (调休上班, usually a Saturday or Sunday). The data for a year comes from, in order:

1. ``chinese_calendar`` (PyPI ``chinesecalendar``): the official schedules it ships
   (2004–2026 in 1.11). Where it covers a year it always wins.
2. a user year file ``YEAR.yaml`` in :func:`user_calendar_dir` (``$ANNEXKIT_CALENDAR_DIR``, else
   ``$XDG_DATA_HOME/annexkit/calendar``, else ``~/.local/share/annexkit/calendar``), installed
   with ``annex calendar add-year``;
3. a project year file ``YEAR.yaml`` shipped in ``annexkit/data/calendar``.

Files therefore fill years the package does not cover; they never override it. A user file
wins over a project file for the same year, so a user can add or correct a year (say a late
change like the 2020 Spring Festival extension) before a new annexkit release ships it.
The format is documented in ``data/calendar/README.md``.

A year with no data is never guessed: :meth:`WorkCalendar.is_workday` answers ``None``, and the
counting methods count weekends only and return a result marked provisional, naming the
missing years (finding ``calendar-provisional``).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import functools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal, get_args

import chinese_calendar
import yaml

from annexkit.contract.text import AnnexkitError

Reading = Literal["nth-before", "strictly-between"]
"""How "N working days before" is read.

``nth-before``: the latest allowed day is the N-th working day before the day (so the filing
day itself may be one of the N). ``strictly-between``: N full working days must lie strictly
between the filing day and the day, so the latest allowed day is the calendar day before the
N-th working day before it.
"""
READINGS: tuple[Reading, ...] = get_args(Reading)

Origin = Literal["package", "user", "project"]

ENV_DIR = "ANNEXKIT_CALENDAR_DIR"
YEAR_FILE_RE = re.compile(r"^([0-9]{4})\.yaml$")
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_RANGE_SEP = "~"
_MAX_RANGE_DAYS = 31
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ONE_DAY = dt.timedelta(days=1)


def weekday_label(day: dt.date) -> str:
    """``周六 Sat``."""
    return f"周{_WEEKDAYS_ZH[day.weekday()]} {_WEEKDAYS_EN[day.weekday()]}"


def provisional_note(missing_years: Iterable[int]) -> str:
    """The bilingual explanation of a provisional result (finding ``calendar-provisional``)."""
    years = sorted(set(missing_years))
    zh = "、".join(map(str, years))
    en = ", ".join(map(str, years))
    return (
        f"临时结果：{zh}年的法定节假日安排尚无数据，仅按周末推算（节假日与调休上班均未计入）；"
        f"公布后可用 `annex calendar add-year` 补充。/ Provisional: no official holiday schedule "
        f"for {en}; counted with weekends only (holidays and make-up working days not applied). "
        "Add the year with `annex calendar add-year` once it is announced."
    )


# ------------------------------------------------------------------------------ results


class _MaybeProvisional:
    """A calendar answer that is provisional when a year it needed had no data."""

    missing_years: frozenset[int]

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)

    @property
    def note(self) -> str | None:
        """The bilingual provisional note, or None for an official result."""
        return provisional_note(self.missing_years) if self.missing_years else None


@dataclass(frozen=True)
class CalendarResult(_MaybeProvisional):
    """A date computed with the calendar."""

    date: dt.date
    missing_years: frozenset[int]


@dataclass(frozen=True)
class PeriodEnd(CalendarResult):
    """The last day of a month period: ``nominal`` is the corresponding day (Civil Code art.
    202), ``date`` the day after moving off non-working days (art. 203)."""

    nominal: dt.date

    @property
    def shifted(self) -> bool:
        return self.date != self.nominal


@dataclass(frozen=True)
class WorkdayCount(_MaybeProvisional):
    """A number of working days."""

    count: int
    missing_years: frozenset[int]


# ------------------------------------------------------------------------------ year files


@dataclass(frozen=True)
class Problem:
    """One reason a year file is invalid. ``line`` is 1-based; ``key`` a dotted path."""

    line: int | None
    key: str
    zh: str
    en: str

    def __str__(self) -> str:
        where = f"第{self.line}行 line {self.line}" if self.line else ""
        key = f"{where}, {self.key}" if where and self.key else where or self.key
        return f"{key}: {self.zh} / {self.en}" if key else f"{self.zh} / {self.en}"


class CalendarFileError(AnnexkitError, ValueError):
    """A year file that cannot be used; the message names the file and every problem."""

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = [
            f"工作日历文件无效 / invalid calendar file: {path} "
            f"（{len(self.problems)}处问题 / {len(self.problems)} problems）"
        ]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class CalendarInstallError(AnnexkitError, ValueError):
    """``add-year`` refused to install a file (already there, or a year the package covers)."""


@dataclass(frozen=True)
class DayEntry:
    """A day a year file (or the package) lists: ``off`` for a holiday, else a make-up day."""

    day: dt.date
    off: bool
    name: str
    line: int | None = None


@dataclass(frozen=True)
class YearFile:
    """A validated year file."""

    year: int
    source: str
    path: str
    origin: Origin
    entries: tuple[DayEntry, ...]
    published: dt.date | None = None
    url: str | None = None
    note: str | None = None

    @property
    def holidays(self) -> tuple[DayEntry, ...]:
        return tuple(e for e in self.entries if e.off)

    @property
    def makeup_workdays(self) -> tuple[DayEntry, ...]:
        return tuple(e for e in self.entries if not e.off)


_TOP_KEYS = ("year", "source", "published", "url", "note", "holidays", "makeup_workdays")
_REQUIRED = ("year", "source", "holidays", "makeup_workdays")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Parser:
    """Walks the composed YAML tree so every problem can name its line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, key: str, zh: str, en: str) -> None:
        self.problems.append(Problem(_line(node) if node is not None else None, key, zh, en))

    def mapping(self, node: yaml.Node, key: str) -> list[tuple[str, yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, key, "应为键值映射", "must be a mapping (name: value)")
            return None
        seen: dict[str, int] = {}
        items: list[tuple[str, yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or not key_node.value.strip():
                self.problem(key_node, key, "键应为非空文字", "keys must be non-empty text")
                continue
            name = key_node.value.strip()
            if name in seen:
                self.problem(
                    key_node,
                    f"{key}.{name}" if key else name,
                    f"键重复（第{seen[name]}行已有）",
                    f"duplicate key (already on line {seen[name]})",
                )
                continue
            seen[name] = _line(key_node)
            items.append((name, key_node, value_node))
        return items

    def text(self, node: yaml.Node, key: str) -> str | None:
        if (
            not isinstance(node, yaml.ScalarNode)
            or node.tag == "tag:yaml.org,2002:null"
            or not node.value.strip()
        ):
            self.problem(node, key, "应为非空文字", "must be non-empty text")
            return None
        return str(node.value).strip()

    def date(self, node: yaml.Node, text: str, key: str) -> dt.date | None:
        match = _DATE_RE.match(text.strip())
        if match is None:
            self.problem(
                node,
                key,
                f"“{text}”不是 YYYY-MM-DD 格式的日期",
                f"{text!r} is not a date in the form YYYY-MM-DD",
            )
            return None
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            self.problem(node, key, f"{text} 不是有效日期", f"{text} is not a real date")
            return None

    def days(self, node: yaml.Node, key: str) -> list[tuple[dt.date, yaml.Node]]:
        """A date, a ``FROM ~ TO`` range, or a list of these → the days with their nodes."""
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.problem(node, key, "日期列表为空", "the list of dates is empty")
            return [day for item in node.value for day in self.days(item, key)]
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.problem(
                node,
                key,
                "应为日期、日期范围（YYYY-MM-DD ~ YYYY-MM-DD）或它们的列表",
                "must be a date, a range (YYYY-MM-DD ~ YYYY-MM-DD) or a list of these",
            )
            return []
        text = str(node.value)
        if _RANGE_SEP not in text:
            day = self.date(node, text, key)
            return [(day, node)] if day else []
        first_text, _, last_text = text.partition(_RANGE_SEP)
        first = self.date(node, first_text, key)
        last = self.date(node, last_text, key)
        if first is None or last is None:
            return []
        if last < first:
            self.problem(
                node, key, f"范围 {text} 的结束早于开始", f"range {text} ends before it starts"
            )
            return []
        length = (last - first).days + 1
        if length > _MAX_RANGE_DAYS:
            self.problem(
                node,
                key,
                f"范围 {text} 长达{length}天，请核对日期",
                f"range {text} spans {length} days: check the dates",
            )
            return []
        return [(first + dt.timedelta(days=i), node) for i in range(length)]


def parse_year_file(
    text: str, label: str, *, origin: Origin = "user", expected_year: int | None = None
) -> YearFile:
    """Validate a year file's text; ``label`` names it in errors (usually its path).

    Raises :class:`CalendarFileError` listing every problem with its line and key.
    """
    parser = _Parser(label)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        reason = exc.problem or exc.context or "syntax error"
        raise CalendarFileError(
            label, [Problem(line, "", "YAML 语法错误", f"YAML syntax error: {reason}")]
        ) from None
    except yaml.YAMLError as exc:
        raise CalendarFileError(
            label, [Problem(None, "", "YAML 语法错误", f"YAML syntax error: {exc}")]
        ) from None
    if root is None:
        raise CalendarFileError(label, [Problem(None, "", "文件为空", "the file is empty")])
    items = parser.mapping(root, "")
    if items is None:
        raise CalendarFileError(label, parser.problems)
    values = {name: (key_node, value_node) for name, key_node, value_node in items}
    for name, key_node, _ in items:
        if name not in _TOP_KEYS:
            parser.problem(
                key_node,
                name,
                f"未知的键（可用：{'、'.join(_TOP_KEYS)}）",
                f"unknown key (known keys: {', '.join(_TOP_KEYS)})",
            )
    for name in _REQUIRED:
        if name not in values:
            parser.problem(None, name, "缺少必填键", "required key is missing")

    year: int | None = None
    if "year" in values:
        node = values["year"][1]
        raw = parser.text(node, "year")
        if raw is not None and re.fullmatch(r"[0-9]{4}", raw) and 1900 <= int(raw) <= 2999:
            year = int(raw)
        elif raw is not None:
            parser.problem(node, "year", "年份应为四位数字", "year must be a four-digit year")
        if year is not None and expected_year is not None and year != expected_year:
            parser.problem(
                node,
                "year",
                f"文件名表示{expected_year}年，内容却是{year}年",
                f"the file name says {expected_year} but the file says {year}",
            )
    source = parser.text(values["source"][1], "source") if "source" in values else None
    published = None
    if "published" in values:
        node = values["published"][1]
        raw = parser.text(node, "published")
        published = parser.date(node, raw, "published") if raw is not None else None
    url = parser.text(values["url"][1], "url") if "url" in values else None
    note = parser.text(values["note"][1], "note") if "note" in values else None

    entries: list[DayEntry] = []
    seen: dict[dt.date, tuple[str, int]] = {}
    for section, off in (("holidays", True), ("makeup_workdays", False)):
        if section not in values:
            continue
        section_node = values[section][1]
        if (
            off is False
            and isinstance(section_node, yaml.ScalarNode)
            and section_node.tag == "tag:yaml.org,2002:null"
        ):
            parser.problem(
                section_node,
                section,
                "没有调休上班日时请写 {}",
                "write {} when the year has no make-up working days",
            )
            continue
        names = parser.mapping(section_node, section)
        if names is None:
            continue
        if off and not names:
            parser.problem(section_node, section, "至少要有一个节假日", "list at least one holiday")
        for name, _, days_node in names:
            key = f"{section}.{name}"
            for day, node in parser.days(days_node, key):
                line = _line(node)
                if year is not None and not _in_file_year(day, year):
                    parser.problem(
                        node,
                        key,
                        f"{day} 不在{year}年内（只允许{year - 1}年12月的跨年安排）",
                        f"{day} is not in {year} (only December {year - 1} is allowed, for a "
                        "New Year break that starts in the old year)",
                    )
                    continue
                if not off and day.weekday() < 5:
                    parser.problem(
                        node,
                        key,
                        f"{day} 是周{_WEEKDAYS_ZH[day.weekday()]}，调休上班日应为周六或周日",
                        f"{day} is a {_WEEKDAYS_EN[day.weekday()]}: a make-up working day is a "
                        "Saturday or Sunday",
                    )
                    continue
                if day in seen:
                    other_key, other_line = seen[day]
                    parser.problem(
                        node,
                        key,
                        f"{day} 重复（第{other_line}行 {other_key} 已列出）",
                        f"{day} is listed twice (also line {other_line}, {other_key})",
                    )
                    continue
                seen[day] = (key, line)
                entries.append(DayEntry(day, off, name, line))
    if parser.problems or year is None or source is None:
        raise CalendarFileError(label, parser.problems)
    return YearFile(
        year=year,
        source=source,
        path=label,
        origin=origin,
        entries=tuple(sorted(entries, key=lambda e: e.day)),
        published=published,
        url=url,
        note=note,
    )


def _in_file_year(day: dt.date, year: int) -> bool:
    return day.year == year or (day.year == year - 1 and day.month == 12)


def _file_year(name: str) -> int | None:
    match = YEAR_FILE_RE.match(name)
    return int(match.group(1)) if match else None


def load_year_file(path: Path | Traversable, *, origin: Origin = "user") -> YearFile:
    """Read and validate one year file. A file named ``YEAR.yaml`` must hold that year."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarFileError(
            label, [Problem(None, "", "文件不是 UTF-8 编码", "the file is not UTF-8 text")]
        ) from None
    except OSError as exc:
        raise CalendarFileError(
            label, [Problem(None, "", f"无法读取：{exc.strerror}", f"cannot read: {exc}")]
        ) from None
    return parse_year_file(text, label, origin=origin, expected_year=_file_year(path.name))


def _year_files_in(folder: Path | Traversable, origin: Origin) -> list[YearFile]:
    """Every ``YEAR.yaml`` in ``folder`` (other ``.yaml``/``.yml`` names are an error)."""
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.is_file() or entry.name.startswith("."):
            continue
        if _file_year(entry.name) is not None:
            found.append(load_year_file(entry, origin=origin))
        elif entry.name.lower().endswith((".yaml", ".yml")):
            raise CalendarFileError(
                str(entry),
                [
                    Problem(
                        None,
                        "",
                        "文件名应为“年份.yaml”（如 2027.yaml），否则不会被读取",
                        "the file name must be YEAR.yaml (e.g. 2027.yaml), or it is never read",
                    )
                ],
            )
    return found


def user_calendar_dir() -> Path:
    """``$ANNEXKIT_CALENDAR_DIR``, else ``$XDG_DATA_HOME/annexkit/calendar``, else
    ``~/.local/share/annexkit/calendar`` (a relative XDG_DATA_HOME is ignored, per the spec)."""
    explicit = os.environ.get(ENV_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "annexkit" / "calendar"


def project_calendar_dir() -> Traversable:
    """The year files shipped with annexkit (``annexkit/data/calendar``)."""
    return files("annexkit.data") / "calendar"


def install_year_file(source: Path, *, force: bool = False, user_dir: Path | None = None) -> Path:
    """Validate ``source`` and copy it to ``USER_DIR/YEAR.yaml``; return where it went.

    Refuses (:class:`CalendarInstallError`) a year the package already covers — the file
    would never be used — and an existing user file for the year unless ``force``.
    """
    year_file = load_year_file(source, origin="user")
    year = year_file.year
    if year in package_years():
        raise CalendarInstallError(
            f"{year}年已有 chinesecalendar {package_version()} 的官方数据，用户文件不会生效，"
            f"未安装 / {year} is covered by the official data of chinesecalendar "
            f"{package_version()}; a user file would never be used, so it was not installed"
        )
    folder = user_dir if user_dir is not None else user_calendar_dir()
    target = folder / f"{year}.yaml"
    if target.exists() and not force:
        raise CalendarInstallError(
            f"{target} 已存在，如需替换请加 --force / {target} already exists: "
            "use --force to replace it"
        )
    text = source.read_text(encoding="utf-8-sig")
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    reset_default_calendar()
    return target


# ------------------------------------------------------------------------------ package data


def package_version() -> str:
    try:
        return _dist_version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - vendored without metadata
        return str(getattr(chinese_calendar, "__version__", "?"))


def _package_dict(name: str) -> dict[dt.date, str]:
    raw: dict[dt.date, object] = getattr(chinese_calendar, name)
    return {day: str(label) for day, label in raw.items()}


@functools.cache
def _package_entries() -> dict[dt.date, DayEntry]:
    entries = {
        day: DayEntry(day, True, _holiday_name(label))
        for day, label in _package_dict("holidays").items()
    }
    for day, label in _package_dict("workdays").items():
        entries[day] = DayEntry(day, False, _holiday_name(label))
    return entries


def _holiday_name(english: str) -> str:
    """``春节 Spring Festival`` from chinese_calendar's English label."""
    try:
        chinese = str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english
    return f"{chinese} {english}"


@functools.cache
def package_years() -> frozenset[int]:
    """The years chinese_calendar has official data for (it raises for any other year)."""
    days = _package_dict("holidays")
    if not days:  # pragma: no cover - an empty package
        return frozenset()
    return frozenset(range(min(days).year, max(days).year + 1))


# ------------------------------------------------------------------------------ the calendar


@dataclass(frozen=True)
class YearData:
    """Where a year's data comes from, and what it says (for ``annex calendar show``)."""

    year: int
    origin: Origin
    source: str
    path: str | None
    holidays: tuple[DayEntry, ...]
    makeup_workdays: tuple[DayEntry, ...]
    shadowed: tuple[YearFile, ...] = field(default=())
    """Files for the year that are not used (the package or a user file wins)."""


class WorkCalendar:
    """Working days by the official calendar, from the package and year files.

    ``files``: validated year files (user files win over project files for the same year);
    ``package=False`` leaves chinese_calendar out (for tests of the files themselves).
    """

    def __init__(self, files: Iterable[YearFile] = (), *, package: bool = True) -> None:
        self._package_years = package_years() if package else frozenset()
        by_year: dict[int, list[YearFile]] = {}
        for year_file in files:
            same = [f for f in by_year.get(year_file.year, []) if f.origin == year_file.origin]
            if same:
                raise ValueError(
                    f"two {year_file.origin} files for {year_file.year}: "
                    f"{same[0].path}, {year_file.path}"
                )
            by_year.setdefault(year_file.year, []).append(year_file)
        rank = {"user": 0, "project": 1}
        self._chosen: dict[int, YearFile] = {}
        self._shadowed: dict[int, tuple[YearFile, ...]] = {}
        for year, candidates in by_year.items():
            ordered = sorted(candidates, key=lambda f: rank[f.origin])
            if year in self._package_years:
                self._shadowed[year] = tuple(ordered)
            else:
                self._chosen[year] = ordered[0]
                self._shadowed[year] = tuple(ordered[1:])
        # Explicit days: the package first, then each chosen file's own year, then the
        # December days a year's notice sets for the old year (2019's notice: 2018-12-29 on,
        # 12-30/31 off) where nothing above says otherwise.
        self._days: dict[dt.date, DayEntry] = dict(_package_entries()) if package else {}
        chosen = sorted(self._chosen.values(), key=lambda f: f.year)
        for own_year in (True, False):
            for year_file in chosen:
                for entry in year_file.entries:
                    if (entry.day.year == year_file.year) == own_year:
                        self._days.setdefault(entry.day, entry)
        self._covered = self._package_years | frozenset(self._chosen)

    @classmethod
    def load(
        cls,
        user_dir: Path | None = None,
        *,
        project_dir: Path | Traversable | None = None,
        package: bool = True,
    ) -> WorkCalendar:
        """The package's data, the project's year files and the user's (raises
        :class:`CalendarFileError` for a broken file rather than silently skipping it)."""
        project = project_dir if project_dir is not None else project_calendar_dir()
        user = user_dir if user_dir is not None else user_calendar_dir()
        return cls(
            [*_year_files_in(project, "project"), *_year_files_in(user, "user")],
            package=package,
        )

    # -- single days

    def covers(self, year: int) -> bool:
        """Whether the calendar has official data (package or year file) for ``year``."""
        return year in self._covered

    @property
    def covered_years(self) -> frozenset[int]:
        return self._covered

    def is_workday(self, day: dt.date) -> bool | None:
        """True for a working day, False for a day off, None when the year has no data."""
        if isinstance(day, dt.datetime):
            day = day.date()
        if day.year not in self._covered:
            return None
        return self._working(day)

    def _working(self, day: dt.date) -> bool:
        entry = self._days.get(day)
        return (not entry.off) if entry is not None else day.weekday() < 5

    def _scan(self, day: dt.date, missing: set[int]) -> bool:
        """Whether ``day`` is a working day; a year without data counts weekends only (plus
        any day a neighbouring year's notice sets) and is added to ``missing``."""
        if day.year not in self._covered:
            missing.add(day.year)
        return self._working(day)

    # -- counting

    def workday_before(
        self, day: dt.date, n: int, reading: Reading = "nth-before"
    ) -> CalendarResult:
        """The latest day that is still ``n`` working days before ``day``.

        ``nth-before``: the n-th working day before ``day`` (2025-10-20, 15 → 2025-09-23).
        ``strictly-between``: the calendar day before that, so that n full working days lie
        strictly between it and ``day`` (→ 2025-09-22). Either way a filing dated on or
        before ``.date`` is in time: ``workdays_between(filed, day, reading).count >= n``.
        """
        _check_reading(reading)
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        day = _as_date(day)
        missing: set[int] = set()
        found = 0
        current = day
        while found < n:
            current -= _ONE_DAY
            if self._scan(current, missing):
                found += 1
        if reading == "strictly-between":
            current -= _ONE_DAY
        return CalendarResult(current, frozenset(missing))

    def workdays_between(
        self, start: dt.date, end: dt.date, reading: Reading = "nth-before"
    ) -> WorkdayCount:
        """How many working days a filing on ``start`` had before ``end`` (0 if not before).

        ``nth-before`` counts ``start`` itself when it is a working day (``start`` ≤ d <
        ``end``); ``strictly-between`` counts only the days strictly between. The count is at
        least n exactly when ``start <= workday_before(end, n, reading).date``.
        """
        _check_reading(reading)
        start, end = _as_date(start), _as_date(end)
        missing: set[int] = set()
        current = start if reading == "nth-before" else start + _ONE_DAY
        count = 0
        while current < end:
            count += self._scan(current, missing)
            current += _ONE_DAY
        return WorkdayCount(count, frozenset(missing))

    def next_workday(self, day: dt.date) -> CalendarResult:
        """``day`` itself when it is a working day, else the first working day after it."""
        day = _as_date(day)
        missing: set[int] = set()
        while not self._scan(day, missing):
            day += _ONE_DAY
        return CalendarResult(day, frozenset(missing))

    def add_months(self, day: dt.date, months: int) -> PeriodEnd:
        """The last day of a period of ``months`` months starting after ``day``.

        Civil Code art. 201: the start day is not counted; art. 202: the period ends on the
        corresponding day of the month ``months`` later, or that month's last day where there
        is none (2025-08-31 + 6 → 2026-02-28); art. 203: a last day that is a 法定休假日 moves
        to the day after the rest days end (2025-08-15 + 6 → 2026-02-15, Spring Festival →
        2026-02-24).

        法定休假日 is read as every rest day of the official calendar: statutory holidays, the
        days off they bring (调休), and ordinary weekends — the reading of the courts and of the
        former 《民通意见》 art. 198 ("星期日或者其他法定休假日，有变通的，以实际休假日的次日"),
        also used by 民事诉讼法 art. 85 for procedural periods. So a 调休 make-up Saturday is
        a working day and a period may end on it (2026-02-28).
        """
        if months < 1:
            raise ValueError(f"months must be at least 1, not {months}")
        day = _as_date(day)
        years, month_index = divmod(day.month - 1 + months, 12)
        year, month = day.year + years, month_index + 1
        if year > dt.MAXYEAR:
            raise ValueError(f"{day} + {months} months is after the year {dt.MAXYEAR}")
        last = _stdlib_calendar.monthrange(year, month)[1]
        nominal = dt.date(year, month, min(day.day, last))
        end = self.next_workday(nominal)
        return PeriodEnd(end.date, end.missing_years, nominal)

    # -- describing

    def year_data(self, year: int) -> YearData | None:
        """Where ``year``'s data comes from and its listed days; None without data."""
        shadowed = self._shadowed.get(year, ())
        if year in self._package_years:
            days = [e for d, e in _package_entries().items() if d.year == year]
            return YearData(
                year,
                "package",
                f"chinesecalendar {package_version()}",
                None,
                tuple(sorted((e for e in days if e.off), key=lambda e: e.day)),
                tuple(sorted((e for e in days if not e.off), key=lambda e: e.day)),
                shadowed,
            )
        chosen = self._chosen.get(year)
        if chosen is None:
            return None
        return YearData(
            year,
            chosen.origin,
            chosen.source,
            chosen.path,
            chosen.holidays,
            chosen.makeup_workdays,
            shadowed,
        )

    def shadowed_files(self, year: int) -> tuple[YearFile, ...]:
        return self._shadowed.get(year, ())


def _check_reading(reading: str) -> None:
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {', '.join(READINGS)}, not {reading!r}")


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def group_runs(days: Iterable[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive days as ``(first, last)`` runs, in order."""
    ordered = sorted(set(days))
    if not ordered:
        return
    first = last = ordered[0]
    for day in ordered[1:]:
        if day - last == _ONE_DAY:
            last = day
            continue
        yield first, last
        first = last = day
    yield first, last


@functools.lru_cache(maxsize=8)
def _calendar_for(user_dir: Path) -> WorkCalendar:
    return WorkCalendar.load(user_dir)


def default_calendar() -> WorkCalendar:
    """The calendar for the current user calendar directory, built once per directory.

    :func:`install_year_file` resets it; call :func:`reset_default_calendar` after changing
    year files by other means.
    """
    return _calendar_for(user_calendar_dir())


def reset_default_calendar() -> None:
    _calendar_for.cache_clear()


__all__ = [
    "ENV_DIR",
    "READINGS",
    "CalendarFileError",
    "CalendarInstallError",
    "CalendarResult",
    "DayEntry",
    "PeriodEnd",
    "Problem",
    "Reading",
    "WorkCalendar",
    "WorkdayCount",
    "YearData",
    "YearFile",
    "default_calendar",
    "group_runs",
    "install_year_file",
    "load_year_file",
    "package_years",
    "parse_year_file",
    "project_calendar_dir",
    "provisional_note",
    "reset_default_calendar",
    "user_calendar_dir",
    "weekday_label",
]
