"""The official working-day calendar: 调休, readings, month periods, missing years, year files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import chinese_calendar
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from annexkit.cli.calendar import calendar_group
from annexkit.policy.workdays import (
    ENV_DIR,
    READINGS,
    CalendarFileError,
    Reading,
    WorkCalendar,
    default_calendar,
    load_year_file,
    package_years,
    parse_year_file,
    project_calendar_dir,
    reset_default_calendar,
    user_calendar_dir,
)

D = dt.date.fromisoformat
EXAMPLE_2026 = (
    Path(__file__).resolve().parent.parent / "data" / "calendar" / "examples" / "2026.yaml"
)

# A MADE-UP 2027 schedule for the tests only: no 2027 schedule has been announced.
FAKE_2027 = """\
year: 2027
source: 测试用虚构安排，非官方 / made-up schedule for tests, not an official notice
holidays:
  元旦: 2027-01-01 ~ 2027-01-03
  春节: 2027-02-05 ~ 2027-02-11
makeup_workdays:
  春节: [2027-02-13]
"""


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """The package's official data only (no year files)."""
    return WorkCalendar()


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user calendar folder, pointed at by the environment variable."""
    folder = tmp_path / "user-calendar"
    monkeypatch.setenv(ENV_DIR, str(folder))
    reset_default_calendar()
    yield folder
    reset_default_calendar()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(calendar_group, list(args), catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


# ------------------------------------------------------------------ the domain-note examples


def test_domain_example_both_readings(cal: WorkCalendar) -> None:
    nth = cal.workday_before(D("2025-10-20"), 15, "nth-before")
    strict = cal.workday_before(D("2025-10-20"), 15, "strictly-between")
    assert (nth.date, strict.date) == (D("2025-09-23"), D("2025-09-22"))
    assert not nth.provisional and not strict.provisional
    assert nth.missing_years == frozenset() and nth.note is None


def test_national_day_2025_make_up_days_and_break(cal: WorkCalendar) -> None:
    assert cal.is_workday(D("2025-09-28")) is True  # Sunday, 调休上班
    assert cal.is_workday(D("2025-10-11")) is True  # Saturday, 调休上班
    for day in range(1, 9):
        assert cal.is_workday(dt.date(2025, 10, day)) is False
    assert cal.is_workday(D("2025-09-27")) is False  # an ordinary Saturday
    # 5 working days before 2025-10-09: 09-30, 09-29, 09-28 (Sun, 上班), 09-26, 09-25.
    assert cal.workday_before(D("2025-10-09"), 5).date == D("2025-09-25")
    assert cal.workdays_between(D("2025-09-25"), D("2025-10-09")).count == 5
    assert cal.workdays_between(D("2025-09-26"), D("2025-10-09")).count == 4  # one day late
    assert cal.workdays_between(D("2025-09-30"), D("2025-10-09"), "strictly-between").count == 0
    assert cal.workdays_between(D("2025-10-10"), D("2025-10-09")).count == 0  # filed after


def test_civil_code_period_over_the_spring_festival(cal: WorkCalendar) -> None:
    end = cal.add_months(D("2025-08-15"), 6)
    assert end.nominal == D("2026-02-15") and end.shifted
    assert end.date == D("2026-02-24") and not end.provisional


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        # 15 working days back from 2026-03-13 cross the whole break (02-15…02-23) and the
        # make-up Saturday 02-28, and end on the make-up Saturday 02-14.
        ("2026-03-13", "2026-02-14"),
        # …and from 2026-03-20 they end on the make-up Saturday 02-28.
        ("2026-03-20", "2026-02-28"),
    ],
)
def test_filing_deadline_on_a_spring_festival_make_up_day(
    cal: WorkCalendar, start: str, deadline: str
) -> None:
    assert (D("2026-02-14"), D("2026-02-28")) == tuple(
        sorted(d for d in chinese_calendar.workdays if d.year == 2026 and d.month == 2)
    )
    training, last = D(start), D(deadline)
    assert last.weekday() == 5 and cal.is_workday(last) is True
    result = cal.workday_before(training, 15, "nth-before")
    assert result.date == last and not result.provisional
    # exactly on the last allowed day: in time, with 15 working days counting the filing day
    assert cal.workdays_between(last, training).count == 15
    # one day late: too late, 14 working days
    late = last + dt.timedelta(days=1)
    assert late > result.date
    assert cal.workdays_between(late, training).count == 14
    # strictly between: the make-up Saturday itself is one day too late
    strict = cal.workday_before(training, 15, "strictly-between")
    assert strict.date == last - dt.timedelta(days=1)
    assert cal.workdays_between(last, training, "strictly-between").count == 14
    assert cal.workdays_between(strict.date, training, "strictly-between").count == 15


def test_spring_festival_changes_the_answer_against_weekends_only(cal: WorkCalendar) -> None:
    weekends_only = WorkCalendar(package=False).workday_before(D("2026-03-13"), 15)
    assert weekends_only.date == D("2026-02-20") and weekends_only.missing_years == {2026}
    assert cal.workday_before(D("2026-03-13"), 15).date == D("2026-02-14")


# ------------------------------------------------------------------ month ends


@pytest.mark.parametrize(
    ("start", "months", "nominal", "end"),
    [
        ("2025-08-31", 6, "2026-02-28", "2026-02-28"),  # no 31st; Saturday but 调休上班
        ("2025-05-31", 6, "2025-11-30", "2025-12-01"),  # no 31st; Sunday → Monday
        ("2025-10-31", 3, "2026-01-31", "2026-02-02"),  # Saturday → Monday
        ("2025-04-30", 1, "2025-05-30", "2025-05-30"),  # corresponding day, a Friday
        ("2025-04-29", 1, "2025-05-29", "2025-05-29"),
        ("2025-05-01", 1, "2025-06-01", "2025-06-03"),  # Dragon Boat break 05-31…06-02
        ("2023-08-31", 6, "2024-02-29", "2024-02-29"),  # leap year
        ("2025-12-31", 2, "2026-02-28", "2026-02-28"),
    ],
)
def test_month_periods(cal: WorkCalendar, start: str, months: int, nominal: str, end: str) -> None:
    result = cal.add_months(D(start), months)
    assert (result.nominal, result.date) == (D(nominal), D(end))
    assert result.shifted == (nominal != end)
    assert not result.provisional


def test_bad_arguments_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cal.workday_before(D("2025-10-20"), 0)
    with pytest.raises(ValueError, match="reading"):
        cal.workday_before(D("2025-10-20"), 15, "between")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        cal.add_months(D("2025-10-20"), 0)


# ------------------------------------------------------------------ years without data


def test_2027_is_provisional_and_counts_weekends_only(cal: WorkCalendar) -> None:
    assert 2026 in package_years() and 2027 not in package_years()
    assert cal.covers(2026) and not cal.covers(2027)
    assert cal.is_workday(D("2027-02-08")) is None
    result = cal.workday_before(D("2027-03-01"), 15)
    assert result.date == D("2027-02-08")  # Mon: three full weeks of Mon–Fri back
    assert result.provisional and result.missing_years == {2027}
    assert result.note is not None and "2027" in result.note and "临时" in result.note
    # crossing from 2027 back into 2026: only 2027 is missing
    crossing = cal.workday_before(D("2027-01-08"), 10)
    assert crossing.date == D("2026-12-25") and crossing.missing_years == {2027}
    # a period ending in 2027: 2027-02-28 is a Sunday → Monday, provisionally
    end = cal.add_months(D("2026-08-31"), 6)
    assert (end.date, end.missing_years) == (D("2027-03-01"), frozenset({2027}))
    count = cal.workdays_between(D("2026-12-30"), D("2027-01-05"))
    assert (count.count, count.missing_years) == (4, frozenset({2027}))
    # far years never crash
    assert cal.workday_before(D("2100-01-01"), 15).missing_years == {2099}


def test_shipped_data_has_no_2027_and_is_valid(user_dir: Path) -> None:
    shipped = project_calendar_dir()
    assert not (shipped / "2027.yaml").is_file()
    calendar = WorkCalendar.load(user_dir)  # every shipped YEAR.yaml validates
    assert not calendar.covers(2027)


def test_package_days_match_chinese_calendar(cal: WorkCalendar) -> None:
    day = dt.date(min(package_years()), 1, 1)
    while day.year <= max(package_years()):
        assert cal.is_workday(day) is chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_example_file_agrees_with_chinese_calendar_every_day() -> None:
    example = load_year_file(EXAMPLE_2026)
    assert example.source.startswith("国办发明电〔2025〕7号")
    files_only = WorkCalendar([example], package=False)
    day = D("2026-01-01")
    while day.year == 2026:
        assert files_only.is_workday(day) is chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


# ------------------------------------------------------------------ user year files, CLI


def test_add_year_makes_2027_official(user_dir: Path, tmp_path: Path) -> None:
    before = invoke("workdays-before", "2027-03-01", "15")
    assert before.exit_code == 0
    assert before.stdout == "2027-02-08\n"
    assert "临时结果" in before.stderr and "Provisional" in before.stderr

    source = write(tmp_path / "download", "schedule.yaml", FAKE_2027)
    added = invoke("add-year", str(source))
    assert added.exit_code == 0, added.output
    target = user_dir / "2027.yaml"
    assert target.is_file() and str(target) in added.stdout

    calendar = default_calendar()
    assert calendar.covers(2027)
    assert calendar.is_workday(D("2027-02-08")) is False  # in the made-up break
    assert calendar.is_workday(D("2027-02-13")) is True  # made-up 调休 Saturday
    result = calendar.workday_before(D("2027-03-01"), 15)
    # back from 03-01: 02-26…02-15 (10), 02-13 Sat 上班, 02-12, then 02-04, 02-03, 02-02
    assert result.date == D("2027-02-02") and not result.provisional

    after = invoke("workdays-before", "2027-03-01", "15")
    assert (after.exit_code, after.stdout, after.stderr) == (0, "2027-02-02\n", "")
    shown = invoke("show", "2027")
    assert shown.exit_code == 0
    assert "测试用虚构安排" in shown.stdout and str(target) in shown.stdout
    assert "2027-02-05 ~ 2027-02-11" in shown.stdout and "2027-02-13 周六 Sat" in shown.stdout


def test_add_year_refuses_to_overwrite_without_force(user_dir: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "2027.yaml", FAKE_2027)
    assert invoke("add-year", str(source)).exit_code == 0
    again = invoke("add-year", str(source))
    assert again.exit_code == 2
    assert "已存在" in again.stderr and "--force" in again.stderr
    changed = write(tmp_path, "2027.yaml", FAKE_2027.replace("2027-02-11", "2027-02-12"))
    forced = invoke("add-year", str(changed), "--force")
    assert forced.exit_code == 0
    assert default_calendar().is_workday(D("2027-02-12")) is False


def test_add_year_refuses_a_year_the_package_covers(user_dir: Path) -> None:
    refused = invoke("add-year", str(EXAMPLE_2026))
    assert refused.exit_code == 2
    assert "chinesecalendar" in refused.stderr and "not installed" in refused.stderr
    assert not user_dir.exists() or not any(user_dir.iterdir())


def test_add_year_rejects_a_bad_file_with_reason(user_dir: Path, tmp_path: Path) -> None:
    bad = write(tmp_path, "2027.yaml", FAKE_2027.replace("[2027-02-13]", "[2027-02-17]"))
    result = invoke("add-year", str(bad))
    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert "第7行 line 7, makeup_workdays.春节" in result.stderr
    assert "调休上班日应为周六或周日" in result.stderr and "is a Wed" in result.stderr
    assert not (user_dir / "2027.yaml").exists()


def test_cli_readings_and_periods(user_dir: Path) -> None:
    assert invoke("workdays-before", "2025-10-20", "15").stdout == "2025-09-23\n"
    strict = invoke("workdays-before", "2025年10月20日", "15", "--reading", "strictly-between")
    assert strict.stdout == "2025-09-22\n"
    period = invoke("add-months", "2025-08-15", "6")
    assert period.stdout == "2026-02-24\n" and "2026-02-15" in period.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("workdays-before", "2025-02-30", "15"), "不是有效日期"),
        (("workdays-before", "2025-10-20", "0"), "不是有效的工作日数"),
        (("show", "20x6"), "不是有效的年份"),
        (("add-year", "no-such-file.yaml"), "找不到文件"),
    ],
)
def test_cli_bad_input_exits_2(user_dir: Path, args: tuple[str, ...], expected: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert expected in result.stderr


def test_show_package_year_and_missing_year(user_dir: Path) -> None:
    shown = invoke("show", "2026")
    assert shown.exit_code == 0
    assert "chinesecalendar" in shown.stdout
    assert "春节 Spring Festival: 2026-02-15 ~ 2026-02-23 (9天 days)" in shown.stdout
    assert "2026-02-14 周六 Sat, 2026-02-28 周六 Sat" in shown.stdout
    missing = invoke("show", "2027")
    assert missing.exit_code == 0 and "provisional" in missing.stdout


# ------------------------------------------------------------------ precedence, spillover


def test_precedence_package_then_user_then_project(tmp_path: Path) -> None:
    project, user = tmp_path / "project", tmp_path / "user"
    write(project, "2027.yaml", FAKE_2027)
    only_project = WorkCalendar.load(user, project_dir=project)
    data = only_project.year_data(2027)
    assert data is not None and data.origin == "project"

    write(user, "2027.yaml", FAKE_2027.replace("2027-02-11", "2027-02-12"))
    both = WorkCalendar.load(user, project_dir=project)
    data = both.year_data(2027)
    assert data is not None and data.origin == "user"
    assert [f.origin for f in data.shadowed] == ["project"]
    assert both.is_workday(D("2027-02-12")) is False

    # a file for a year the package covers is never used
    write(project, "2026.yaml", EXAMPLE_2026.read_text("utf-8").replace("2026-02-23", "2026-02-24"))
    shadowed = WorkCalendar.load(user, project_dir=project)
    assert shadowed.is_workday(D("2026-02-24")) is True
    data = shadowed.year_data(2026)
    assert data is not None and data.origin == "package" and len(data.shadowed) == 1


def test_december_days_set_by_the_next_years_notice(cal: WorkCalendar) -> None:
    # The 2019 notice: 2018-12-29 (Sat) 上班, 2018-12-30 ~ 2019-01-01 放假.
    assert cal.is_workday(D("2018-12-29")) is True
    assert cal.is_workday(D("2018-12-31")) is False
    spill = FAKE_2027.replace("2027", "2028").replace(
        "元旦: 2028-01-01 ~ 2028-01-03", "元旦: 2027-12-31 ~ 2028-01-02"
    )
    files = [parse_year_file(FAKE_2027, "2027.yaml"), parse_year_file(spill, "2028.yaml")]
    calendar = WorkCalendar(files)
    assert calendar.is_workday(D("2027-12-31")) is False  # a Friday, off by the 2028 notice
    assert calendar.is_workday(D("2027-12-30")) is True


def test_broken_user_file_is_reported_not_skipped(user_dir: Path) -> None:
    write(user_dir, "2027.yaml", "year: 2027\n")
    with pytest.raises(CalendarFileError, match="source"):
        default_calendar()
    shown = invoke("show", "2027")
    assert shown.exit_code == 2 and "required key is missing" in shown.stderr


def test_misnamed_year_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "calendar-2027.yaml", FAKE_2027)
    with pytest.raises(CalendarFileError, match=r"YEAR\.yaml"):
        WorkCalendar.load(tmp_path, project_dir=tmp_path / "none")


# ------------------------------------------------------------------ year file validation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            FAKE_2027.replace("[2027-02-13]", "[2027-02-10]"),
            "line 7, makeup_workdays.春节: 2027-02-10 是周三",
        ),
        (FAKE_2027.replace("2027-01-03", "2027-02-30"), "2027-02-30 is not a real date"),
        (FAKE_2027.replace("2027-01-03", "3 Jan"), "not a date in the form YYYY-MM-DD"),
        (FAKE_2027.replace("2027-01-01 ~ 2027-01-03", "2028-01-01"), "2028-01-01 is not in 2027"),
        (FAKE_2027.replace("2027-01-03", "2026-12-30"), "ends before it starts"),
        (FAKE_2027.replace("2027-02-11", "2027-05-11"), "spans 96 days"),
        (FAKE_2027.replace("[2027-02-13]", "[2027-02-06]"), "2027-02-06 is listed twice"),
        (FAKE_2027.replace("source:", "sources:"), "source: 缺少必填键 / required key is missing"),
        (FAKE_2027.replace("holidays:", "holiday:"), "line 3, holiday: 未知的键"),
        (FAKE_2027.replace("year: 2027", "year: 2028"), "the file name says 2027"),
        (FAKE_2027.replace("year: 2027", "year: twenty"), "four-digit year"),
        (FAKE_2027 + "  春节: 2027-01-31\n", "line 8, makeup_workdays.春节: 键重复"),
        (FAKE_2027.replace("  春节: [2027-02-13]\n", ""), "write {} when"),
        (FAKE_2027.replace("[2027-02-13]", "[]"), "the list of dates is empty"),
        ("year: 2027\nholidays: [\n", "YAML syntax error"),
        ("", "the file is empty"),
        ("- 2027-01-01\n", "must be a mapping"),
    ],
)
def test_bad_year_files_are_rejected_with_the_reason(text: str, expected: str) -> None:
    with pytest.raises(CalendarFileError) as caught:
        parse_year_file(text, "2027.yaml", expected_year=2027)
    message = str(caught.value)
    assert "invalid calendar file: 2027.yaml" in message and "工作日历文件无效" in message
    assert expected in message


def test_year_file_accepts_ranges_lists_and_empty_makeup() -> None:
    text = FAKE_2027.replace("  春节: [2027-02-13]\n", "").replace(
        "makeup_workdays:", "makeup_workdays: {}"
    )
    parsed = parse_year_file(text, "2027.yaml", expected_year=2027)
    assert len(parsed.holidays) == 10 and parsed.makeup_workdays == ()


def test_user_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "explicit"))
    assert user_calendar_dir() == tmp_path / "explicit"
    monkeypatch.delenv(ENV_DIR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert user_calendar_dir() == tmp_path / "xdg" / "annexkit" / "calendar"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_calendar_dir() == tmp_path / "home" / ".local" / "share" / "annexkit" / "calendar"


def test_default_calendar_is_cached_per_folder(user_dir: Path) -> None:
    first = default_calendar()
    assert default_calendar() is first
    reset_default_calendar()
    assert default_calendar() is not first


# ------------------------------------------------------------------ the readings agree


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
    reading=st.sampled_from(READINGS),
)
def test_deadline_and_count_agree(start: dt.date, n: int, reading: Reading) -> None:
    deadline = _PACKAGE_ONLY.workday_before(start, n, reading)
    on_time = _PACKAGE_ONLY.workdays_between(deadline.date, start, reading)
    late = _PACKAGE_ONLY.workdays_between(deadline.date + dt.timedelta(days=1), start, reading)
    assert on_time.count >= n > late.count
    first_counted = deadline.date + dt.timedelta(days=reading == "strictly-between")
    scanned = set(range(first_counted.year, (start - dt.timedelta(days=1)).year + 1))
    assert deadline.missing_years == scanned & {2027} == on_time.missing_years


_PACKAGE_ONLY = WorkCalendar()
