"""``annex check``: check submitted packages and report the findings."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annexkit.cli import options as cli_options
from annexkit.cli.errors import CommandError

if TYPE_CHECKING:
    from annexkit.checker.package_check import GrantHistory
    from annexkit.checker.result import PackageResult


def _codes(values: tuple[str, ...]) -> set[str] | None:
    """``--select a,b --select c`` → {a, b, c}; None when the option was not given."""
    if not values:
        return None
    return {code.strip() for value in values for code in value.split(",") if code.strip()}


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["text", "json", "junit", "sarif", "html"]),
    help="Report format; repeat for several (default: text).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for the report of the --format in the same position; a format without one "
    "goes to standard output.",
)
@cli_options.reveal
@click.option("--select", multiple=True, help="Report only these codes or prefixes (a,b).")
@click.option("--ignore", multiple=True, help="Do not report these codes or prefixes (a,b).")
@cli_options.workers
@cli_options.timeout
@click.option(
    "--max-size",
    "max_mb",
    type=click.FloatRange(min=0.001),
    default=100.0,
    show_default=True,
    help="Documents larger than this many MB are refused unread.",
)
@cli_options.max_memory
@cli_options.max_megapixels
@cli_options.max_pages
@cli_options.max_xml_mb
@cli_options.max_cells
@click.option(
    "--profile",
    "profile_name",
    default=None,
    help="Policy profile NAME (see `annex profiles`) or a profile FILE; default: the "
    "package.yaml's, else jiangmen-2019.",
)
@click.option(
    "--claim-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The subsidy claim date (YYYY-MM-DD); default: the package.yaml's, else today.",
)
@click.option(
    "--registry",
    "registry_url",
    default=None,
    help="Registry of granted subsidies (SQLite path or database URL): checks the yearly "
    "limit and the same-occupation-and-level rule.",
)
@click.option(
    "--searchable",
    "searchable_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write a searchable copy (the page images with the OCR text as an invisible layer) "
    "of every scanned PDF or image into this folder; originals are never changed, existing "
    "files never overwritten.",
)
@click.option(
    "--expect",
    is_flag=True,
    help="Compare each package's errors and warnings with the expected.yaml beside its "
    "documents, instead of reporting them; exit 1 when any differ (for sample packages in CI).",
)
def check(
    paths: tuple[Path, ...],
    formats: tuple[str, ...],
    outputs: tuple[Path, ...],
    reveal: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    workers: int | None,
    timeout: float,
    max_mb: float,
    max_memory_gb: float,
    max_megapixels: float,
    max_pages: int,
    max_xml_mb: float,
    max_cells: int,
    profile_name: str | None,
    claim_date: dt.datetime | None,
    registry_url: str | None,
    searchable_dir: Path | None,
    expect: bool,
) -> None:
    """Check submitted annexes: files, package folders, .zip files, or folders of packages.

    Every document is classified by its content, its fields are extracted and validated, and
    every problem is reported with a stable code (see docs/rules.md) and its location. ID and
    phone numbers are masked unless --reveal is given. Exit status: 0 no errors, 1 errors
    found, 2 usage or internal failure.
    """
    from annexkit.checker import engine
    from annexkit.checker.engine import CheckOptions
    from annexkit.checker.readers.limits import ReadLimits
    from annexkit.checker.report import (
        UnknownSelectorError,
        build_report,
        check_selectors,
        exit_status,
        renderer,
    )

    chosen = list(formats) or ["text"]
    if len(outputs) > len(chosen):
        raise CommandError("-o 多于 --format / more -o files than --format options")
    to_stdout = chosen[len(outputs) :]
    if len(to_stdout) > 1:
        raise CommandError(
            "只能有一种格式输出到屏幕，其余请用 -o 指定文件 / only one format can go to "
            "standard output: give -o FILE for the others"
        )
    selected, ignored = _codes(select), _codes(ignore)
    try:
        check_selectors((selected or set()) | (ignored or set()))
    except UnknownSelectorError as exc:
        raise CommandError(str(exc)) from None
    if searchable_dir is not None and searchable_dir.exists() and not searchable_dir.is_dir():
        raise CommandError(
            f"{searchable_dir}：不是文件夹 / --searchable must name a folder, not a file"
        )
    registry = _open_registry(registry_url) if registry_url else None
    options = CheckOptions(
        profile=profile_name,
        claim_date=claim_date.date() if claim_date else None,
        registry=registry,
        workers=workers,
        timeout=timeout,
        max_bytes=int(max_mb * 1024 * 1024),
        limits=ReadLimits(
            max_pixels=int(max_megapixels * 1_000_000),
            max_pages=max_pages,
            max_xml_bytes=int(max_xml_mb * 1024 * 1024),
            max_cells=max_cells,
        ),
        max_memory=int(max_memory_gb * 1024**3),
        searchable=searchable_dir,
    )
    results = list(engine.check(paths, options))
    if searchable_dir is not None:
        _report_copies(results, searchable_dir)
    if expect:
        from annexkit.checker.expect import compare_expected

        differences = compare_expected(results, reveal=reveal)
        click.echo(differences.text)
        sys.exit(1 if differences.failed else 0)
    report = build_report(results, reveal=reveal, select=selected, ignore=ignored)
    for fmt, target in zip(chosen, outputs, strict=False):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(renderer(fmt)(report), "utf-8")
    for fmt in to_stdout:
        click.echo(renderer(fmt)(report).rstrip("\n"))
    sys.exit(exit_status(report))


def _report_copies(results: list[PackageResult], folder: Path) -> None:
    """On stderr: how many searchable copies were written, and why any scan got none."""
    written = 0
    for package in results:
        for document in package.documents:
            written += document.searchable is not None
            if document.searchable_error:
                lone = Path(package.path).name == document.path.split("#", 1)[0]
                where = package.path if lone else f"{package.path}/{document.path}"
                click.echo(f"{where}：{document.searchable_error}", err=True)
    click.echo(
        f"已写入 {written} 份可检索副本 / {written} searchable copies written → {folder}",
        err=True,
    )


def _open_registry(url: str) -> GrantHistory:
    from annexkit.policy.registry import Registry, RegistryError

    try:
        return Registry(url)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
