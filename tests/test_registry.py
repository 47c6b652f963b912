"""The registry of granted subsidies, on SQLite and on PostgreSQL.

PostgreSQL tests need ``ANNEXKIT_TEST_PG_URL`` (``eval "$(scripts/ci-postgres.sh start)"``);
without it they are skipped, except under CI (``CI`` set), where a missing URL fails them.
Each PostgreSQL test works in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import stat
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from annexkit.checker.discover import PackageSource
from annexkit.checker.findings import Finding
from annexkit.checker.result import DocumentResult, PackageResult
from annexkit.checker.rules.registry import ledgers, registry_findings
from annexkit.cli.registry import registry as registry_command
from annexkit.contract.formats import id_check_char
from annexkit.contract.masking import mask_id
from annexkit.policy.registry import (
    AddResult,
    Grant,
    InsecurePermissionsWarning,
    Registry,
    RegistryError,
    default_url,
    level_rank,
    normalize_level,
    package_key,
)
from annexkit.policy.values import passed

PG_URL_VARIABLE = "ANNEXKIT_TEST_PG_URL"
LEDGER = "附件7_培训台账.docx"


# ------------------------------------------------------------------------------ data


def ident(n: int, born: str = "19900101") -> str:
    """A valid Jiangmen (440703) ID number, distinct for each ``n`` < 1000."""
    first17 = f"440703{born}{n:03d}"
    return first17 + id_check_char(first17)


def row(
    n: int,
    *,
    occupation: str = "电工",
    level: str | None = "中级工",
    score: object = 85,
    end: str = "2025-11-14",
    name: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "seq": n,
        "name": name or f"学员{n}",
        "id_number": ident(n),
        "occupation": occupation,
        "start_date": end[:4] + "-11-03",
        "end_date": end,
        "score": score,
    }
    if level is not None:
        data["skill_level"] = level
    return data


def package(path: str, rows: Sequence[dict[str, Any]], document: str = LEDGER) -> PackageResult:
    """A checked package holding one ledger with ``rows``, built by hand."""
    ledger = DocumentResult(
        path=document,
        format="docx",
        annex="ledger",
        data={"project": "2025年电工（中级工）岗位技能提升培训", "rows": list(rows)},
    )
    return PackageResult(path=path, documents=[ledger])


def codes(findings: Iterable[Finding]) -> list[tuple[str, str | None]]:
    return [(f.code, f.path) for f in findings]


def add(reg: Registry, result: PackageResult) -> AddResult:
    """Register a checked package, as ``annex registry add`` does."""
    return reg.add_package(package_key(result.path), ledgers(result))


def check(reg: Registry, result: PackageResult, **options: Any) -> list[Finding]:
    """The registry rules' findings for ``result``, as ``annex check --registry`` gives them."""
    return registry_findings(result, reg, **options)


# ------------------------------------------------------------------------------ databases


def _postgres_url() -> str:
    url = os.environ.get(PG_URL_VARIABLE)
    if url:
        return url
    reason = (
        f'{PG_URL_VARIABLE} is not set: run `eval "$(scripts/ci-postgres.sh start)"` '
        "for the PostgreSQL tests"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    base = _postgres_url()
    schema = f"annexkit_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    value: str = request.getfixturevalue("pg_url")
    return value


@pytest.fixture
def reg(url: str) -> Iterator[Registry]:
    with Registry(url) as opened:
        yield opened


# ------------------------------------------------------------------------------ policy


def test_levels_and_scores() -> None:
    assert normalize_level("四级") == "中级工"
    assert normalize_level("初级工（五级）") == "初级工"
    assert normalize_level("合格") == "培训合格"
    assert normalize_level(None) == normalize_level("  ") == ""
    assert normalize_level("高级") == "高级"  # ambiguous: kept, never mapped
    ranks = [level_rank(level) for level in ("学徒工", "五级", "中级工", "三级", "技师")]
    assert ranks == [0, 1, 2, 3, 4]
    assert level_rank("首席技师") == 7
    assert level_rank("专项职业能力") is None
    scores = (60, 59.5, "合格", "通过", "不合格", "75", "８０", None, True, "缺考")
    assert [passed(s) for s in scores] == [
        True,
        False,
        True,
        True,
        False,
        True,
        True,
        None,
        None,
        None,
    ]


# ------------------------------------------------------------------------------ adding


def test_same_package_twice_changes_nothing(reg: Registry) -> None:
    checked = package("/batch/A", [row(1), row(2), row(3)])
    assert add(reg, checked) == AddResult(added=3, already_present=0)
    before = reg.grants()
    assert add(reg, checked) == AddResult(added=0, already_present=3)
    assert reg.grants() == before
    # Re-checking a registered package is clean: its own grants never count against it.
    assert check(reg, checked, per_year=3) == []


def test_only_passed_registrable_rows_are_added(reg: Registry) -> None:
    rows = [
        row(1, score=60),
        row(2, score=59),
        row(3, score="不合格"),
        row(4, score="合格", level="培训合格"),
        row(5, score=None),
        {**row(6), "id_number": "440703199001010061"},  # wrong check character
        {**row(7), "occupation": " "},
    ]
    result = add(reg, package("/batch/A", rows))
    assert result == AddResult(added=2, already_present=0, skipped=2)
    stored = reg.grants()
    assert [(g.id_number, g.level, g.year, g.document) for g in stored] == [
        (ident(1), "中级工", 2025, LEDGER),
        (ident(4), "培训合格", 2025, LEDGER),
    ]
    assert reg.grants(id_number=ident(4).lower()) == stored[1:]
    assert reg.grants(package="/batch/other") == []


def test_add_normalises_and_refuses_unkeyable_grants(reg: Registry) -> None:
    grants = [
        Grant(ident(1), "张三", "电 工", "四级", 2025),
        Grant(ident(1).replace("44", "４４", 1), "张三", "电工", "中级工", 2025),
    ]
    assert reg.add("P", grants) == AddResult(added=1, already_present=1)
    with pytest.raises(ValueError, match="invalid ID number"):
        reg.add("P", [Grant("123", "某", "电工", None, 2025)])
    with pytest.raises(ValueError, match="package_id"):
        reg.add("", grants)


# ------------------------------------------------------------------------------ findings


def test_same_trainee_in_two_packages_is_a_duplicate(reg: Registry) -> None:
    add(reg, package("/batch/A", [row(1), row(2)]))
    second = package("/batch/B", [row(3), row(1, name="张三")])
    found = check(reg, second, per_year=3)
    assert codes(found) == [("duplicate-subsidy", "/rows/1/id_number")]
    finding = found[0]
    assert (finding.annex, finding.document, finding.value) == ("ledger", LEDGER, ident(1))
    assert finding.severity == "error"
    assert "/batch/A" in finding.message and "2025" in finding.message
    # identifiers are masked when shown, unless revealed
    assert mask_id(ident(1)) in finding.render() and ident(1) not in finding.render()
    assert ident(1) in finding.message == finding.render(reveal=True)


def test_higher_level_then_lower_is_a_duplicate(reg: Registry) -> None:
    add(reg, package("/batch/A", [row(1, level="高级工")]))
    found = check(reg, package("/batch/B", [row(1, level="四级")]), per_year=3)
    assert codes(found) == [("duplicate-subsidy", "/rows/0/id_number")]
    assert "高级工" in found[0].message and "lower level" in found[0].message
    # Another occupation is another subsidy.
    assert check(reg, package("/batch/C", [row(1, occupation="焊工")]), per_year=3) == []


def test_lower_level_then_higher_is_fine(reg: Registry) -> None:
    first = package("/batch/A", [row(1, level="初级工")])
    add(reg, first)
    second = package("/batch/B", [row(1, level="中级工", end="2026-03-01")])
    assert check(reg, second, per_year=3) == []
    add(reg, second)
    # The higher grant came later: re-checking the first package stays clean.
    assert check(reg, first, per_year=3) == []


def test_tracks_without_level(reg: Registry) -> None:
    add(reg, package("/batch/A", [row(1, level="高级工"), row(2, level="专项职业能力")]))
    later = package("/batch/B", [row(1, level="培训合格"), row(2, level="专项职业能力")])
    assert codes(check(reg, later, per_year=3)) == [("duplicate-subsidy", "/rows/1/id_number")]


def test_yearly_limit(reg: Registry) -> None:
    for name, occupation in (("A", "电工"), ("B", "焊工"), ("C", "育婴员")):
        checked = package(f"/batch/{name}", [row(1, occupation=occupation)])
        assert check(reg, checked, per_year=3) == []
        add(reg, checked)
    fourth = package("/batch/D", [row(1, occupation="家政服务员"), row(2)])
    found = check(reg, fourth, per_year=3)
    assert codes(found) == [("subsidy-limit-exceeded", "/rows/0/id_number")]
    assert "3" in found[0].message and "/batch/A" in found[0].message
    assert check(reg, fourth, per_year=4) == []
    # Another year is another count.
    next_year = package("/batch/E", [row(1, occupation="家政服务员", end="2026-01-10")])
    assert check(reg, next_year, per_year=3) == []
    # A registered package is judged by what was registered before it.
    assert check(reg, package("/batch/C", [row(1, occupation="育婴员")]), per_year=3) == []


def test_rules_can_be_turned_off(reg: Registry) -> None:
    for name, occupation in (("A", "电工"), ("B", "焊工"), ("C", "育婴员")):
        add(reg, package(f"/batch/{name}", [row(1, occupation=occupation)]))
    again = package("/batch/D", [row(1)])
    assert [f.code for f in check(reg, again, per_year=3)] == [
        "duplicate-subsidy",
        "subsidy-limit-exceeded",
    ]
    assert codes(check(reg, again, per_year=None)) == [("duplicate-subsidy", "/rows/0/id_number")]
    loose = check(reg, again, per_year=None, same_occupation_level_once=False)
    assert loose == []


def test_packages_are_keyed_by_absolute_path(
    reg: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "班1").mkdir()
    monkeypatch.chdir(tmp_path)
    add(reg, package("班1", [row(1)]))
    assert [g.package for g in reg.grants()] == [package_key(str(tmp_path / "班1"))]
    # The same package named from elsewhere is the same package.
    monkeypatch.chdir(tmp_path / "班1")
    assert check(reg, package("../班1", [row(1)]), per_year=3) == []
    assert add(reg, package(str(tmp_path / "班1"), [row(1)])).added == 0


def test_yearly_limit_inside_one_package(reg: Registry) -> None:
    rows = [row(1, occupation=o) for o in ("电工", "焊工", "育婴员", "电工", "家政服务员")]
    found = check(reg, package("/batch/A", rows), per_year=3)
    # The second 电工 row is the same subsidy (duplicate-trainee is the checker's business).
    assert codes(found) == [("subsidy-limit-exceeded", "/rows/4/id_number")]


# ------------------------------------------------------------------------------ concurrency


def _adder(
    url: str,
    packages: list[tuple[str, list[Grant]]],
    rounds: int,
    start: Any,
    results: Any,
) -> None:
    """A child process: open the registry and add ``packages`` ``rounds`` times; report how
    many grants it inserted and when it began and ended."""
    try:
        start.wait(120)  # both processes pass this barrier together
        began = time.time()
        added = 0
        with Registry(url) as opened:
            for _ in range(rounds):
                for package_id, grants in packages:
                    added += opened.add(package_id, grants).added
        results.put(("ok", added, began, time.time()))
    except BaseException as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}", 0.0, 0.0))
        raise


def test_two_processes_adding_at_once_lose_and_duplicate_nothing(url: str) -> None:
    # Ten packages of 20 trainees; trainees 0–9 appear in every package (another package
    # is another grant). One process adds packages 0–6, the other 3–9 in reverse, 15 times,
    # both starting together on a registry whose tables do not exist yet.
    packages = [
        (
            f"/batch/{p}",
            [
                Grant(ident(n if n < 10 else p * 100 + n), f"学员{n}", "电工", "中级工", 2025)
                for n in range(20)
            ],
        )
        for p in range(10)
    ]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_adder, args=(url, packages[:7], 15, start, results)),
        context.Process(target=_adder, args=(url, packages[3:][::-1], 15, start, results)),
    ]
    for worker in workers:
        worker.start()
    outcomes: list[tuple[str, Any, float, float]] = []
    try:
        for _ in workers:
            outcomes.append(results.get(timeout=240))
    except queue.Empty:
        pytest.fail(f"a process did not finish; so far: {outcomes}")
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    assert [outcome[0] for outcome in outcomes] == ["ok", "ok"], outcomes
    assert [worker.exitcode for worker in workers] == [0, 0]
    # They did run at the same time.
    assert max(o[2] for o in outcomes) < min(o[3] for o in outcomes)
    with Registry(url) as opened:
        stored = opened.grants()
    keys = [(g.id_number, g.occupation, g.level, g.package) for g in stored]
    assert len(keys) == len(set(keys)) == 200
    assert set(keys) == {
        (g.id_number, g.occupation, g.level, package_id)
        for package_id, grants in packages
        for g in grants
    }
    # Every grant was inserted exactly once, by one of the two processes.
    assert sum(outcome[1] for outcome in outcomes) == 200


# ------------------------------------------------------------------------------ SQLite file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="Unix permissions")
def test_sqlite_file_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "annexkit"
    database = folder / "registry.sqlite"
    with Registry(f"sqlite:///{database}") as opened:
        add(opened, package("/batch/A", [row(1)]))
        with opened._engine.connect() as conn:  # the journal mode, as the file has it
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert _mode(database) == 0o600
        assert _mode(folder) == _mode(folder.parent) == 0o700
        wal = database.with_name(database.name + "-wal")
        if wal.exists():
            assert _mode(wal) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="Unix permissions")
def test_existing_file_readable_by_others_gets_a_warning_not_a_new_mode(tmp_path: Path) -> None:
    database = tmp_path / "registry.sqlite"
    database.touch()
    database.chmod(0o644)
    before = _mode(tmp_path)
    with (
        pytest.warns(InsecurePermissionsWarning, match="chmod 600"),
        Registry(f"sqlite:///{database}"),
    ):
        pass
    assert _mode(database) == 0o644  # a file annexkit did not create is not its to change
    assert _mode(tmp_path) == before  # nor is an existing folder


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    """Issue 11: --db naming a link to an existing file set the target to 0600, then failed."""
    target = tmp_path / "somebody-elses.txt"
    target.write_text("not a database", "utf-8")
    target.chmod(0o644)
    link = tmp_path / "registry.sqlite"
    link.symlink_to(target)
    with pytest.raises(RegistryError, match="symbolic link"):
        Registry(str(link))
    assert _mode(target) == 0o644
    assert target.read_text("utf-8") == "not a database"
    wal_link = tmp_path / "other.sqlite-wal"
    wal_link.symlink_to(target)
    with pytest.raises(RegistryError, match="symbolic link"):
        Registry(str(tmp_path / "other.sqlite"))


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNEXKIT_REGISTRY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path}/data/annexkit/registry.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_url().endswith("/home/.local/share/annexkit/registry.sqlite")
    monkeypatch.setenv("ANNEXKIT_REGISTRY", str(tmp_path))
    assert default_url() == f"sqlite:///{tmp_path}/registry.sqlite"
    monkeypatch.setenv("ANNEXKIT_REGISTRY", str(tmp_path / "mine.db"))
    with Registry() as opened:
        add(opened, package("/batch/A", [row(1)]))
    assert (tmp_path / "mine.db").is_file()
    monkeypatch.setenv("ANNEXKIT_REGISTRY", "postgresql+psycopg://u@db.example/annexkit")
    assert default_url() == "postgresql+psycopg://u@db.example/annexkit"


# ------------------------------------------------------------------------------ bad databases


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("postgresql+psycopg://u@localhost:port/db", "not a database URL"),
        ("://nothing", "not a database URL"),
        ("mysql://u:p@localhost/db", "unsupported database"),
        ("postgresql+nosuchdriver://u@localhost/db", "cannot use the database"),
        ("sqlite:///{tmp}", "is a folder"),
        ("{tmp}", "is a folder"),
    ],
)
def test_bad_urls(tmp_path: Path, bad: str, expected: str) -> None:
    with pytest.raises(RegistryError, match=expected):
        Registry(bad.format(tmp=tmp_path))


def test_a_registry_from_a_newer_annexkit_is_refused(url: str) -> None:
    with Registry(url) as opened, opened._engine.begin() as conn:
        conn.execute(sa.text("UPDATE registry_meta SET value = '99'"))
    with pytest.raises(RegistryError, match="newer annexkit"):
        Registry(url)


def test_a_plain_path_is_a_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Registry("sub/registry.db") as opened:
        assert opened.url.get_backend_name() == "sqlite"
        assert opened.url.database == str(tmp_path / "sub" / "registry.db")
    assert (tmp_path / "sub" / "registry.db").is_file()


def test_unreachable_postgres_says_so_without_the_password() -> None:
    with pytest.raises(RegistryError) as caught:
        Registry("postgresql://annexkit:s3cret@127.0.0.1:1/nothing", timeout=2)
    message = str(caught.value)
    assert "127.0.0.1" in message and "s3cret" not in message


# ------------------------------------------------------------------------------ CLI


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(registry_command, list(args), input=input)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, PackageResult]:
    """``annex registry add`` sees these results instead of checking real documents: the
    key is the package folder's name under ``tmp_path``."""
    results: dict[str, PackageResult] = {}

    def discover(paths: Iterable[Path]) -> list[PackageSource]:
        found = []
        for path in paths:
            if not path.exists():
                from annexkit.checker.discover import DiscoveryError

                raise DiscoveryError(f"no such file or folder: {path}")
            found.append(PackageSource(str(path)))
        return found

    def run_batch(packages: list[PackageSource], **_: object) -> Iterator[PackageResult]:
        for source in packages:
            template = results[Path(source.path).name]
            yield PackageResult(source.path, documents=template.documents)

    monkeypatch.setattr("annexkit.checker.engine.discover", discover)
    monkeypatch.setattr("annexkit.checker.engine.run_batch", run_batch)
    for name in ("A", "B", "empty"):
        (tmp_path / name).mkdir()
    return results


def test_cli_add_list_remove(url: str, tmp_path: Path, checked: dict[str, PackageResult]) -> None:
    checked["A"] = package("A", [row(1), row(2, score=40)])
    checked["B"] = package("B", [row(1), row(3)])
    checked["empty"] = PackageResult("empty")
    a, b = str(tmp_path / "A"), str(tmp_path / "B")

    first = invoke("add", a, "--db", url)
    assert first.exit_code == 0, first.output
    assert f"{a}: " in first.output and "added 1, already present 0" in first.output
    again = invoke("add", a, "--db", url)
    assert again.exit_code == 0 and "added 0, already present 1" in again.output

    # B repeats trainee 1: refused, with the finding shown masked; --force adds it.
    refused = invoke("add", b, str(tmp_path / "empty"), "--db", url)
    assert refused.exit_code == 1, refused.output
    assert "duplicate-subsidy" in refused.output and "not added" in refused.output
    assert "no recognised ledger" in refused.output
    assert mask_id(ident(1)) in refused.output and ident(1) not in refused.output
    forced = invoke("add", b, "--db", url, "--force")
    assert forced.exit_code == 0 and "added 2" in forced.output

    listed = invoke("list", "--db", url)
    assert listed.exit_code == 0 and "3 grants" in listed.output
    assert mask_id(ident(1)) in listed.output and ident(1) not in listed.output
    revealed = invoke("list", "--db", url, "--id", ident(1), "--reveal", "--json")
    assert revealed.exit_code == 0
    listed_packages = [g["package"] for g in json.loads(revealed.output)]
    assert listed_packages == [package_key(a), package_key(b)]

    assert invoke("remove", b, "--db", url, input="n\n").exit_code == 1
    removed = invoke("remove", b, "--db", url, "--yes")
    assert removed.exit_code == 0 and "removed 2" in removed.output
    assert invoke("remove", b, "--db", url, "--yes").exit_code == 1
    assert "1 grants" in invoke("list", "--db", url).output


def test_cli_yearly_limit_from_the_profile_or_the_option(
    url: str, tmp_path: Path, checked: dict[str, PackageResult]
) -> None:
    names = ("A", "B", "C", "D")
    for name, occupation in zip(names, ("电工", "焊工", "育婴员", "家政服务员"), strict=True):
        (tmp_path / name).mkdir(exist_ok=True)
        checked[name] = package(name, [row(1, occupation=occupation)])
    for name in names[:3]:
        assert invoke("add", str(tmp_path / name), "--db", url).exit_code == 0
    fourth = str(tmp_path / "D")
    refused = invoke("add", fourth, "--db", url)  # jiangmen-2019: 3 a year
    assert refused.exit_code == 1 and "subsidy-limit-exceeded" in refused.output
    allowed = invoke("add", fourth, "--db", url, "--per-year", "4")
    assert allowed.exit_code == 0 and "added 1" in allowed.output, allowed.output


def test_cli_bad_database_exits_2_without_traceback(
    tmp_path: Path, checked: dict[str, PackageResult]
) -> None:
    for args in (
        ("list", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x"),
        ("add", str(tmp_path / "A"), "--db", "nonsense://x"),
        ("add", str(tmp_path / "A"), "--db", f"{tmp_path}/r.db", "--profile", "no-such-one"),
        ("list", "--db", f"sqlite:///{tmp_path}"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Error" in result.output and "Traceback" not in result.output
        assert not isinstance(result.exception, RegistryError | sa.exc.SQLAlchemyError)
    missing = invoke("add", str(tmp_path / "nowhere"), "--db", f"sqlite:///{tmp_path}/r.db")
    assert missing.exit_code == 2 and "nowhere" in missing.output


def test_cli_add_checks_real_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through the checker: a generated DOCX ledger, one trainee failed."""
    from annexkit.generator.output import write_documents
    from annexkit.generator.package import Document

    rows = [
        {
            "seq": n,
            "name": name,
            "age": 35,
            "gender": "男" if n % 2 else "女",
            "id_number": ident(n),
            "education": "高中",
            "occupation": "电工",
            "institution_class": "江门市新技职业培训学校 2025年第3期电工中级班",
            "start_date": "2025-11-03",
            "end_date": "2025-11-14",
            "score": score,
            "skill_level": "中级工",
            "phone": f"1391273517{n}",
        }
        for n, name, score in ((1, "冯国文", 50), (2, "陈丽", 85), (3, "黄伟", "合格"))
    ]
    record = {"project": "2025年电工（中级工）岗位技能提升培训", "rows": rows}
    folder = tmp_path / "班1"
    write_documents([Document("ledger", "附件7_培训台账", record, "test")], folder)
    database = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    monkeypatch.chdir(tmp_path)
    result = invoke("add", "班1", "--db", database, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "班1: " in result.output and "added 2, already present 0" in result.output
    with Registry(database) as opened:
        stored = opened.grants()
    assert [(g.id_number, g.level, g.year) for g in stored] == [
        (ident(2), "中级工", 2025),
        (ident(3), "中级工", 2025),
    ]
    assert {g.package for g in stored} == {package_key(str(folder))}
