"""Policy profiles: the shipped ones, user files, ``extends`` and ``annex profiles``."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from annexkit.cli.profiles import profiles
from annexkit.policy.profiles import (
    DEFAULT_PROFILE,
    LEVELS,
    ProfileError,
    figures,
    list_profiles,
    load_profile,
    merge,
    profile_schema,
    shipped_names,
)

SHIPPED = (
    "dongning-2019",
    "guigang-2019",
    "jiangmen-2019",
    "jiangmen-youth-2020",
    "lianyungang-2025",
)
PROFILE_DIR = Path(str(files("annexkit.data") / "profiles"))


def raw(name: str) -> dict[str, Any]:
    data = yaml.safe_load((PROFILE_DIR / f"{name}.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def pointers(error: ProfileError) -> set[str]:
    return {problem.pointer for problem in error.problems}


# ------------------------------------------------------------------------ shipped profiles


def test_schema_is_valid_draft_2020_12_and_every_property_has_a_chinese_title() -> None:
    schema = profile_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            return
        for key, sub in node.get("properties", {}).items():
            title = sub.get("title", "")
            assert any("\u4e00" <= ch <= "\u9fff" for ch in title), f"{where}/{key} has no title"
            walk(sub, f"{where}/{key}")
        for sub in node.get("$defs", {}).values():
            walk(sub, where)
        walk(node.get("items"), where)

    walk(schema, "")


def test_the_five_profiles_are_shipped_and_the_default_is_first() -> None:
    assert shipped_names() == tuple(sorted(SHIPPED))
    listed = list_profiles()
    assert listed[0].name == DEFAULT_PROFILE == "jiangmen-2019"
    assert sorted(p.name for p in listed) == sorted(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_validates_and_loads(name: str) -> None:
    document = raw(name)
    assert document["name"] == name  # the file is NAME.yaml
    if "extends" not in document:
        errors = list(Draft202012Validator(profile_schema()).iter_errors(document))
        assert errors == []
    profile = load_profile(name)
    assert profile.name == name
    assert profile.title and profile.region and profile.sources
    for source in profile.sources:
        assert source.title
    assert load_profile(name) is profile  # shipped profiles are read once


@pytest.mark.parametrize("name", [n for n in SHIPPED if "extends" not in raw(n)])
def test_shipped_profiles_state_every_key_null_meaning_not_stated(name: str) -> None:
    """An absent figure is written as null on purpose, never left out by accident."""
    document = raw(name)
    props = profile_schema()["properties"]

    def keys_of(node: dict[str, Any]) -> set[str]:
        return set(node["properties"])

    assert set(document["thresholds"]) == keys_of(props["thresholds"])
    assert set(document["subsidy"]) == keys_of(props["subsidy"])
    for section in ("urgent", "work_for_training", "living_allowance_per_day", "class_hour"):
        assert set(document["subsidy"][section]) == keys_of(props["subsidy"]["properties"][section])


@pytest.mark.parametrize("name", SHIPPED)
def test_every_stated_figure_is_traced_to_a_source(name: str) -> None:
    profile = load_profile(name)
    given = [path for source in profile.sources for path in source.gives]
    # readings and explanatory text are annexkit's, not figures from a document
    exempt = {"thresholds.filing_lead_reading", "subsidy.levels_note"}
    for path in figures(profile.document):
        if path in exempt:
            continue
        assert any(path == g or path.startswith(g + ".") for g in given), (
            f"{name}: {path} is not given by any source"
        )


def test_jiangmen_2019_figures() -> None:
    p = load_profile("jiangmen-2019")
    t = p.thresholds
    assert (t.filing_lead_workdays, t.filing_lead_reading) == (15, "nth-before")
    assert (t.claim_window_months, t.subsidies_per_year, t.same_occupation_level_once) == (
        6,
        3,
        True,
    )
    assert (t.review_workdays, t.publicity_workdays, t.payment_workdays) == (15, 5, 30)
    assert (t.age_min, t.age_max, t.attendance_threshold) == (None, None, None)
    assert p.subsidy.urgent.uplift_percent == Decimal(30)
    assert p.subsidy.urgent.from_level == "高级工"
    assert p.subsidy.levels is None  # per the provincial catalogue, not held here
    assert p.subsidy.living_allowance_per_day.amount is None
    assert "残疾人" in (p.subsidy.living_allowance_per_day.eligible or ())
    numbers = [s.number for s in p.sources]
    assert numbers == ["江人社函〔2019〕613号", "粤人社规〔2019〕18号"]
    assert p.sources[0].clause and "四、" in p.sources[0].clause


def test_jiangmen_youth_2020_is_jiangmen_2019_with_an_age_limit() -> None:
    youth, base = load_profile("jiangmen-youth-2020"), load_profile("jiangmen-2019")
    assert youth.extends == "jiangmen-2019"
    assert youth.thresholds.age_max == 35
    assert youth.thresholds.age_min is None
    assert youth.thresholds.filing_lead_workdays == base.thresholds.filing_lead_workdays == 15
    assert youth.subsidy == base.subsidy
    # its own source first, then the ones it inherits
    assert [s.number for s in youth.sources[1:]] == [s.number for s in base.sources]
    assert youth.sources[0].gives == ("thresholds.age_max",)
    assert youth.region == "广东省江门市"


def test_dongning_2019_tables() -> None:
    s = load_profile("dongning-2019").subsidy
    assert dict(s.levels or {}) == {
        "初级工": Decimal(1000),
        "中级工": Decimal(1500),
        "高级工": Decimal(2000),
        "技师": Decimal(2500),
        "高级技师": Decimal(3000),
    }
    assert dict(s.urgent.levels or {}) == {
        "初级工": Decimal(1200),
        "中级工": Decimal(1800),
        "高级工": Decimal(2500),
        "技师": Decimal(3500),
        "高级技师": Decimal(4500),
    }
    assert (s.apprentice_per_year, s.pre_job, s.job_transfer) == (
        Decimal(6000),
        Decimal(1000),
        Decimal(1500),
    )
    assert (s.work_for_training.per_month, s.work_for_training.max_months) == (Decimal(500), 6)
    assert s.living_allowance_per_day.amount == Decimal(15)
    assert s.living_allowance_per_day.eligible is None  # not stated
    assert (s.employment_service.amount, s.employment_service.employed_within_months) == (
        Decimal(200),
        6,
    )
    t = load_profile("dongning-2019").thresholds
    assert t.filing_lead_workdays is None and t.claim_window_months is None


def test_guigang_2019_holds_only_the_living_allowance() -> None:
    p = load_profile("guigang-2019")
    assert figures(p.document) == {"subsidy.living_allowance_per_day.amount": 50}
    assert p.subsidy.living_allowance_per_day.amount == Decimal(50)


def test_lianyungang_2025_cites_the_2025_plan_and_the_provincial_rules() -> None:
    p = load_profile("lianyungang-2025")
    plan = p.sources[0]
    assert "匠心筑梦" in plan.title and plan.date == "2025-04-18"
    assert plan.issuer is not None and "连云港市人力资源和社会保障局" in plan.issuer
    assert plan.number is None  # not found: left absent, not made up
    assert p.thresholds.subsidies_per_year == 3
    assert p.thresholds.same_occupation_level_once is True
    assert p.subsidy.levels is None
    assert p.thresholds.filing_lead_workdays is None


def test_unfound_documents_say_so_instead_of_inventing_numbers() -> None:
    for name in ("dongning-2019", "guigang-2019", "jiangmen-youth-2020"):
        own = load_profile(name).sources[0]
        assert own.number is None and own.issuer is None
        assert own.note is not None and "来源未载明" in own.note


def test_to_yaml_round_trips_the_merged_document() -> None:
    for profile in list_profiles():
        assert yaml.safe_load(profile.to_yaml()) == profile.as_dict()
        assert json.loads(json.dumps(profile.as_dict())) == profile.as_dict()


def test_profiles_can_be_hashed_and_pickled_for_worker_processes() -> None:
    for profile in list_profiles():
        copy = pickle.loads(pickle.dumps(profile))
        assert copy == profile and hash(copy) == hash(profile)
        assert copy.as_dict() == profile.as_dict()
    assert len(set(list_profiles())) == len(SHIPPED)


# ---------------------------------------------------------------------------- user files


BAD = """\
name: My Profile
title: ""
sources:
  - issuer: 某局
    date: 2019/5/1
thresholds:
  filing_lead_workdays: fifteen
  attendance_threshold: 1.5
  filing_lead_reading: before
subsidy:
  levels:
    高级: 2000
    中级工: -5
  urgent:
    from_level: 三级
colour: blue
"""


def test_a_bad_user_file_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", BAD)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    error = caught.value
    assert error.path == str(path)
    assert pointers(error) == {
        "/name",
        "/title",
        "/region",
        "/sources/0/title",
        "/sources/0/number",
        "/sources/0/date",
        "/thresholds/filing_lead_workdays",
        "/thresholds/filing_lead_reading",
        "/thresholds/attendance_threshold",
        "/subsidy/levels/高级",
        "/subsidy/levels/中级工",
        "/subsidy/urgent/from_level",
        "/colour",
    }
    text = str(error)
    assert "13处问题" in text and "13 problems" in text
    by_path = {p.pointer: p for p in error.problems}
    level = by_path["/subsidy/levels/高级"]
    assert "不是已知的技能等级" in level.zh and "not a known skill level" in level.en
    assert "中级工" in level.zh
    assert by_path["/thresholds/attendance_threshold"].en == "1.5: must be at most 1"
    assert "审核规则" in by_path["/thresholds/filing_lead_workdays"].label
    assert "YYYY-MM-DD" in by_path["/sources/0/date"].zh
    assert "unknown key" in by_path["/colour"].en
    # problems come in the schema's order, unknown keys last
    assert error.problems[0].pointer == "/name"
    assert error.problems[-1].pointer == "/colour"


def test_a_minimal_standalone_user_profile_loads_with_everything_absent(tmp_path: Path) -> None:
    path = write(
        tmp_path / "town.yml",
        "name: town-2024\ntitle: 某镇\nregion: 某省某市\n"
        "sources:\n  - {title: 某镇通知, issuer: null, number: null, date: 2024-03-01}\n",
    )
    profile = load_profile(path)
    assert profile.sources[0].date == "2024-03-01"  # an unquoted YAML date is accepted
    assert profile.thresholds.filing_lead_workdays is None
    assert profile.subsidy.levels is None
    assert profile.origin == str(path)


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("name: [unclosed\n", "YAML 格式错误第2行", "not valid YAML at line 2"),
        ("- a\n- b\n", "一组键值", "mapping"),
        ("", "一组键值", "mapping"),
    ],
)
def test_unreadable_user_files_are_problems_not_tracebacks(
    tmp_path: Path, text: str, zh: str, en: str
) -> None:
    path = write(tmp_path / "p.yaml", text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    (problem,) = caught.value.problems
    assert zh in problem.zh and en in problem.en


def test_missing_file_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "nope.yaml")
    assert "无法读取" in str(caught.value)
    with pytest.raises(ProfileError) as caught:
        load_profile("shenzhen-2030")
    assert "jiangmen-2019" in str(caught.value) and "no profile named" in str(caught.value)


def test_a_gbk_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: gbk-1\nextends: jiangmen-2019\ntitle: 蓬江区\n".encode("gbk"))
    assert load_profile(path).title == "蓬江区"


# ------------------------------------------------------------------------------- extends


TWEAK = """\
name: pengjiang-2024
extends: jiangmen-2019
title: 蓬江区本地调整
sources:
  - {title: 蓬江区人社局通知, issuer: 江门市蓬江区人力资源和社会保障局, number: null, date: "2024"}
thresholds:
  filing_lead_workdays: 10
  attendance_threshold: 0.8
  review_workdays: null
subsidy:
  levels: {中级工: 1200, 高级工: 1800}
  living_allowance_per_day:
    eligible: [残疾人]
"""


def test_extends_overrides_only_the_keys_given(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path / "tweak.yaml", TWEAK))
    base = load_profile("jiangmen-2019")
    assert p.name == "pengjiang-2024" and p.extends == "jiangmen-2019"
    assert p.region == base.region  # inherited
    t = p.thresholds
    assert t.filing_lead_workdays == 10 and t.attendance_threshold == 0.8
    assert t.review_workdays is None  # an explicit null clears the parent's value
    assert t.claim_window_months == 6 and t.publicity_workdays == 5  # inherited
    assert t.filing_lead_reading == "nth-before"
    assert dict(p.subsidy.levels or {}) == {"中级工": Decimal(1200), "高级工": Decimal(1800)}
    assert p.subsidy.urgent == base.subsidy.urgent  # a sibling key of a changed mapping stays
    assert p.subsidy.living_allowance_per_day.eligible == ("残疾人",)  # a list replaces
    assert p.sources[0].title == "蓬江区人社局通知"
    assert [s.number for s in p.sources][1:] == [s.number for s in base.sources]
    assert p.notes == base.notes


def test_merge_rules() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "sources": [1], "notes": ["n"], "k": 1}
    over = {"a": {"y": [3]}, "sources": [2], "k": None, "new": {"z": 0}}
    assert merge(base, over) == {
        "a": {"x": 1, "y": [3]},
        "sources": [2, 1],
        "notes": ["n"],
        "k": None,
        "new": {"z": 0},
    }


def test_extending_profile_problems_are_listed_with_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.yaml",
        "name: t-1\nextends: jiangmen-2019\ntitle: 测试\n"
        "thresholds: {age_max: '35', filing_lead_reading: nth}\nsubsidy: {levels: {五级: 900}}\n",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert pointers(caught.value) == {
        "/thresholds/age_max",
        "/thresholds/filing_lead_reading",
        "/subsidy/levels/五级",
    }


def test_extends_needs_own_name_and_title_and_a_known_parent(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile(write(tmp_path / "a.yaml", "extends: jiangmen-2019\n"))
    assert pointers(caught.value) == {"/name", "/title"}
    with pytest.raises(ProfileError) as caught:
        load_profile(write(tmp_path / "b.yaml", "name: b\ntitle: 乙\nextends: nowhere-2019\n"))
    assert pointers(caught.value) == {"/extends"}
    assert "nowhere-2019" in str(caught.value)


def test_extends_a_file_relative_to_the_profile_and_loops_are_caught(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", TWEAK)
    child = write(
        tmp_path / "child.yaml",
        "name: child-1\ntitle: 子配置\nextends: base.yaml\nthresholds: {age_max: 40}\n",
    )
    p = load_profile(child)
    assert (p.thresholds.age_max, p.thresholds.filing_lead_workdays) == (40, 10)
    assert p.extends == "base.yaml"

    write(tmp_path / "x.yaml", "name: x\ntitle: 甲\nextends: y.yaml\n")
    write(tmp_path / "y.yaml", "name: y\ntitle: 乙\nextends: x.yaml\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "x.yaml")
    assert "继承关系成环" in str(caught.value) and "loops" in str(caught.value)


def test_levels_accept_every_known_level_name(tmp_path: Path) -> None:
    table = ", ".join(f"{level}: {i * 100}" for i, level in enumerate(LEVELS, 1))
    path = write(
        tmp_path / "all.yaml",
        f"name: all\nextends: jiangmen-2019\ntitle: 全部等级\nsubsidy: {{levels: {{{table}}}}}\n",
    )
    assert set(load_profile(path).subsidy.levels or {}) == set(LEVELS)


# ----------------------------------------------------------------------------------- CLI


def test_cli_lists_name_title_region_and_sources() -> None:
    result = CliRunner().invoke(profiles, [])
    assert result.exit_code == 0, result.output
    out = result.output
    for profile in list_profiles():
        assert profile.name in out and profile.title in out and profile.region in out
    assert "江人社函〔2019〕613号" in out and "粤人社规〔2019〕18号" in out
    assert "jiangmen-2019  （默认 default）" in out
    assert "继承 extends: jiangmen-2019" in out
    assert out.index("jiangmen-2019") < out.index("dongning-2019")


def test_cli_show_prints_the_whole_profile_as_yaml() -> None:
    result = CliRunner().invoke(profiles, ["--show", "jiangmen-youth-2020"])
    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.output)
    assert shown["name"] == "jiangmen-youth-2020"
    assert shown["thresholds"]["age_max"] == 35
    assert shown["thresholds"]["filing_lead_workdays"] == 15  # inherited keys included
    assert shown["subsidy"]["levels"] is None
    assert "null = 来源未载明 / not stated in the source" in result.output


def test_cli_check_good_and_bad_files(tmp_path: Path) -> None:
    good = write(tmp_path / "tweak.yaml", TWEAK)
    result = CliRunner().invoke(profiles, ["--check", str(good)])
    assert result.exit_code == 0, result.output
    assert "pengjiang-2024" in result.output and "valid" in result.output

    bad = write(tmp_path / "bad.yaml", BAD)
    result = CliRunner().invoke(profiles, ["--check", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "/thresholds/filing_lead_workdays" in result.output
    assert "/subsidy/levels/高级" in result.output
    assert "13处问题" in result.output and "13 problems" in result.output


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(profiles, ["--show", "nowhere-2019"])
    assert result.exit_code == 2 and "no profile named" in result.output
    result = CliRunner().invoke(
        profiles, ["--show", "jiangmen-2019", "--check", str(tmp_path / "x.yaml")]
    )
    assert result.exit_code == 2
    result = CliRunner().invoke(profiles, ["--check", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "无法读取" in result.output
