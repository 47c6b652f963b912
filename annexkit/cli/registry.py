"""``annex registry``: the registry of granted subsidies (:mod:`annexkit.policy.registry`).

``annex registry add PACKAGE...`` checks each package and registers the trainees its ledger
shows as passed; ``annex registry list`` shows what is registered; ``annex registry remove``
forgets a package registered by mistake. Exit status: 0 done, 1 some package was not added
(or nothing to remove), 2 usage error or the database cannot be used.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from annexkit.checker.findings import CATALOGUE, Finding, softened
from annexkit.checker.report import finding_value
from annexkit.checker.result import PackageResult
from annexkit.checker.rules.registry import ledgers
from annexkit.cli import options as cli_options
from annexkit.cli.errors import CommandError
from annexkit.contract.masking import mask_id, mask_text
from annexkit.contract.text import AnnexkitError
from annexkit.policy.registry import (
    InsecurePermissionsWarning,
    RegisteredGrant,
    Registry,
    RegistryError,
    package_key,
)


@contextmanager
def _registry(db: str | None) -> Iterator[Registry]:
    """The registry at ``db``; its problems become exit status 2 with a clear message."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InsecurePermissionsWarning)
            opened = Registry(db)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    for warning in caught:
        click.echo(f"警告 Warning: {warning.message}", err=True)
    try:
        yield opened
    except (RegistryError, AnnexkitError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        opened.close()


_db = click.option(
    "--db",
    "db",
    metavar="URL",
    default=None,
    help="登记库 / The registry: a SQLite FILE, sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@"
    "HOST/DB (default: $ANNEXKIT_REGISTRY, else ~/.local/share/annexkit/registry.sqlite).",
)
_reveal = click.option(
    "--reveal", is_flag=True, help="显示完整的身份证号 / Show ID numbers unmasked."
)


@click.group("registry")
def registry() -> None:
    """已发放培训补贴的登记库 / The registry of granted subsidies.

    It remembers who was subsidised for which occupation and level, in which year and
    through which package, so that a new package can be checked for repeated subsidies
    (duplicate-subsidy) and the yearly limit (subsidy-limit-exceeded).
    """


def _id_text(value: str, reveal: bool) -> str:
    return value if reveal else mask_id(value)


def _finding_line(finding: Finding, reveal: bool) -> str:
    """One finding as ``registry add`` lists it, masked as a report is unless ``reveal``."""
    value = finding_value(finding, reveal=reveal)
    if value is None or value == "":
        shown = ""
    else:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    document = finding.document
    if document is not None and not reveal:
        document = mask_text(document)
    where = " ".join(part for part in (document, finding.path) if part)
    line = f"  [{finding.code}] {where}  {finding.render(reveal=reveal)}"
    return f"{line}  值 value: {shown}" if shown else line


def _ledger_errors(result: PackageResult) -> list[Finding]:
    """The ledger's errors, and on a scanned ledger the warnings that would be errors on a
    typed one: a grant is not recorded from an ID number OCR may have misread."""
    return [
        f
        for d in result.documents
        if d.annex == "ledger"
        for f in d.findings
        if f.severity == "error" or softened(f)
    ]


def _has_ledger(result: PackageResult) -> bool:
    return any(d.annex == "ledger" and isinstance(d.data, dict) for d in result.documents)


@registry.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db
@click.option(
    "--profile",
    "profile_name",
    default=None,
    help="政策配置名称或文件 / Policy profile NAME or FILE giving the yearly limit and the "
    "same-level rule (default: the package.yaml's, else jiangmen-2019).",
)
@click.option(
    "--per-year",
    type=click.IntRange(min=1),
    default=None,
    help="每人每年可享受补贴次数 / Subsidies a person may get a year, instead of the "
    "profile's (Jiangmen: 3).",
)
@click.option(
    "--force",
    is_flag=True,
    help="有问题也登记 / Register a package even when its ledger has errors or the registry "
    "reports duplicate-subsidy / subsidy-limit-exceeded for it (the subsidy was granted "
    "anyway).",
)
@_reveal
@cli_options.workers
@cli_options.timeout
def add(
    paths: tuple[Path, ...],
    db: str | None,
    profile_name: str | None,
    per_year: int | None,
    force: bool,
    reveal: bool,
    workers: int | None,
    timeout: float,
) -> None:
    """登记每个材料包中合格的学员 / Register the passed trainees of each PACKAGE.

    PACKAGE is a folder, a .zip, or a folder of packages.
    Each package's documents are checked as `annex check` does. The passed rows (score ≥ 60
    or 合格) of its recognised ledger are registered under the package's absolute path,
    with the level of the row's 技能等级. A package is not added when its ledger has errors
    or the registry finds a repeated subsidy or the yearly limit exceeded (the rules of the
    package's profile) — unless --force is given. Rows without a valid ID number, an
    occupation or training dates are never registered. Adding a package again changes
    nothing. Exit status 0 when every package was added (or already was), 1 when some
    package was not, 2 when the registry cannot be used.
    """
    from annexkit.checker import engine

    with _registry(db) as opened:
        options = engine.CheckOptions(
            profile=profile_name,
            registry=opened,
            per_year=per_year,
            workers=workers,
            timeout=timeout,
        )
        # The same pass as `annex check --registry`; packages are keyed by absolute path
        # (registry.package_key).
        refused = sum(
            not _add_one(opened, result, force=force, reveal=reveal)
            for result in engine.check(paths, options)
        )
    if refused:
        click.echo(f"{refused} 个材料包未登记 / {refused} packages not added", err=True)
        sys.exit(1)


def _registry_findings(result: PackageResult) -> list[Finding]:
    """What the registry said of the package in the check pass."""
    return [f for f in result.findings if CATALOGUE[f.code].scope == "registry"]


def _add_one(opened: Registry, result: PackageResult, *, force: bool, reveal: bool) -> bool:
    """Register one checked package; False when it was not added."""
    name = result.path
    if not _has_ledger(result):
        click.echo(f"{name}: 未找到可识别的培训台账，未登记 / no recognised ledger: not added")
        return False
    problems = _ledger_errors(result) + _registry_findings(result)
    if problems and not force:
        click.echo(
            f"{name}: 发现{len(problems)}处问题，未登记（确认已发放补贴可用 --force）/ "
            f"{len(problems)} problems, not added (--force registers it anyway)"
        )
        for finding in problems:
            click.echo(_finding_line(finding, reveal))
        return False
    if problems:
        click.echo(
            f"{name}: 发现{len(problems)}处问题，按 --force 仍登记 / "
            f"{len(problems)} problems, added anyway (--force)"
        )
        for finding in problems:
            click.echo(_finding_line(finding, reveal))
    outcome = opened.add_package(package_key(result.path), ledgers(result))
    skipped_zh = (
        f"，{outcome.skipped}行无法登记（身份证号码、职业或日期无效）" if outcome.skipped else ""
    )
    skipped_en = (
        f", {outcome.skipped} rows not registrable (no valid ID number, occupation or dates)"
        if outcome.skipped
        else ""
    )
    click.echo(
        f"{name}: 新登记{outcome.added}人次，已登记过{outcome.already_present}人次{skipped_zh} / "
        f"added {outcome.added}, already present {outcome.already_present}{skipped_en}"
    )
    return True


_COLUMNS = (
    "身份证号 ID",
    "姓名 name",
    "职业 occupation",
    "等级 level",
    "年度 year",
    "材料包 package",
)


def _grant_dict(grant: RegisteredGrant, reveal: bool) -> dict[str, Any]:
    return {
        "id_number": _id_text(grant.id_number, reveal),
        "name": grant.name,
        "occupation": grant.occupation,
        "level": grant.level or None,
        "year": grant.year,
        "package": grant.package,
        "document": grant.document,
        "added_at": grant.added_at.isoformat(timespec="seconds"),
    }


@registry.command("list")
@_db
@click.option(
    "--id",
    "id_number",
    metavar="ID",
    default=None,
    help="只列出此人的记录 / Only this person's grants.",
)
@click.option(
    "--package",
    default=None,
    help="只列出此材料包的记录 / Only the grants of this package (as listed).",
)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / Print JSON instead of a table.")
@_reveal
def list_grants(
    db: str | None, id_number: str | None, package: str | None, as_json: bool, reveal: bool
) -> None:
    """列出已登记的补贴 / List registered grants, by person and year.

    ID numbers are masked unless --reveal.
    """
    with _registry(db) as opened:
        found = opened.grants(id_number=id_number, package=package)
    if as_json:
        shown = [_grant_dict(g, reveal) for g in found]
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("没有登记记录 / no grants registered" + (" for this ID" if id_number else ""))
        return
    click.echo("\t".join(_COLUMNS))
    for grant in found:
        cells = (
            _id_text(grant.id_number, reveal),
            grant.name,
            grant.occupation,
            grant.level or "-",
            str(grant.year),
            grant.package,
        )
        click.echo("\t".join(cells))
    click.echo(f"共{len(found)}条 / {len(found)} grants")


@registry.command("remove")
@click.argument("package")
@_db
@click.option("--yes", is_flag=True, help="不再确认 / Do not ask for confirmation.")
def remove(package: str, db: str | None, yes: bool) -> None:
    """删除某材料包的全部登记 / Forget every grant registered through PACKAGE.

    PACKAGE as `annex registry list` shows it, or its path. Exit status 1 when nothing was
    registered under it.
    """
    with _registry(db) as opened:
        candidates = [package]
        resolved = package_key(package)
        if resolved != package:
            candidates.append(resolved)
        target = next((c for c in candidates if opened.grants(package=c)), None)
        if target is None:
            click.echo(f"{package}: 没有登记记录 / nothing registered under it")
            sys.exit(1)
        count = len(opened.grants(package=target))
        if not yes:
            click.confirm(
                f"删除“{target}”的{count}条登记记录？/ remove its {count} grants?", abort=True
            )
        removed = opened.remove(target)
    click.echo(f"{target}: 已删除{removed}条 / removed {removed} grants")
