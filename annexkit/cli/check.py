"""``annex check``: check submitted packages and report the findings."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annexkit.checker.report import FORMATS
from annexkit.cli import options as cli_options
from annexkit.cli.errors import INTERRUPTED_EXIT, CommandError
from annexkit.cli.output import check_writable, is_stdout, refuse_binary_terminal, write_output

if TYPE_CHECKING:
    from annexkit.checker.package_check import GrantHistory
    from annexkit.checker.page_pictures import Pictures
    from annexkit.checker.report import Report
    from annexkit.checker.result import PackageResult


_BINARY_FORMATS = frozenset({"xlsx"})
"""Formats whose report is bytes: refused on a terminal before the check starts (the bytes
themselves are refused there too, for a binary format not listed here)."""


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
    type=click.Choice(FORMATS),
    help="报告格式，可重复 / Report format; repeat for several (default: text).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    # Not click's dir_okay=False: its message is English only; check_writable says it in both.
    type=click.Path(allow_dash=True, path_type=Path),
    help="同位置 --format 的报告文件，- 为标准输出 / File for the report of the --format in "
    "the same position (- for standard output); a format without one goes to standard "
    "output. Checked before the check starts.",
)
@cli_options.reveal
@click.option(
    "--select",
    multiple=True,
    help="只报告这些代码或前缀 / Report only these codes or prefixes (a,b).",
)
@click.option(
    "--ignore",
    multiple=True,
    help="不报告这些代码或前缀 / Do not report these codes or prefixes (a,b).",
)
@cli_options.workers
@cli_options.timeout
@click.option(
    "--max-size",
    "max_mb",
    type=click.FloatRange(min=0.001),
    default=100.0,
    show_default=True,
    help="超过此大小（MB）的文件不读取 / Documents larger than this many MB are refused unread.",
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
    help="政策配置名称或文件 / Policy profile NAME (see `annex profiles`) or a profile FILE; "
    "default: the package.yaml's, else jiangmen-2019.",
)
@click.option(
    "--claim-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="补贴申领日期 / The subsidy claim date (YYYY-MM-DD); default: the package.yaml's, "
    "else today.",
)
@click.option(
    "--registry",
    "registry_url",
    default=None,
    help="补贴发放登记库 / Registry of granted subsidies (SQLite path or database URL): "
    "checks the yearly limit and the same-occupation-and-level rule.",
)
@click.option(
    "--searchable",
    "searchable_dir",
    type=click.Path(path_type=Path),  # a file is refused below, in both languages
    default=None,
    help="把扫描件的可检索副本写入此文件夹 / Write a searchable copy (the page images with the "
    "OCR text as an invisible layer) of every scanned PDF or image into this folder; "
    "originals are never changed, existing files never overwritten.",
)
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(path_type=Path),  # a file is refused below, in both languages
    default=None,
    help="把带批注的副本写入此文件夹 / Write into this folder a copy of every PDF and DOCX "
    "with errors or warnings, each finding marked on its cell (a PDF highlight, a Word "
    "comment) with its message as the note; originals are never changed, existing files "
    "never overwritten.",
)
@click.option(
    "--expect",
    is_flag=True,
    help="与 expected.yaml 比较 / Compare each package's errors and warnings with the "
    "expected.yaml beside its documents, instead of reporting them; exit 1 when any differ "
    "(for sample packages in CI).",
)
@click.option(
    "--partial-report",
    is_flag=True,
    help="中断（Ctrl-C）时仍写出已完成部分的报告 / When interrupted (Ctrl-C), still write "
    "the reports of the packages finished so far (exit status 130 all the same); without "
    "it an interrupted check writes no report.",
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
    annotate_dir: Path | None,
    expect: bool,
    partial_report: bool,
) -> None:
    """检查提交的材料：文件、材料包文件夹、.zip 或材料包的文件夹 / Check submitted annexes.

    Files, package folders, .zip files, or folders of packages. Every document is classified
    by its content, its fields are extracted and validated, and every problem is reported
    with a stable code (see docs/rules.md) and its location. ID and phone numbers are masked
    unless --reveal is given. Exit status: 0 no errors, 1 errors found, 2 usage or internal
    failure, 130 interrupted (Ctrl-C).
    """
    from annexkit.checker import engine
    from annexkit.checker.engine import CheckOptions
    from annexkit.checker.readers.limits import ReadLimits
    from annexkit.checker.report import (
        UnknownSelectorError,
        build_report,
        check_selectors,
        exit_status,
    )

    chosen = list(formats) or ["text"]
    if len(outputs) > len(chosen):
        raise CommandError("-o 多于 --format / more -o files than --format options")
    targets = _targets(chosen, outputs)
    selected, ignored = _codes(select), _codes(ignore)
    try:
        check_selectors((selected or set()) | (ignored or set()))
    except UnknownSelectorError as exc:
        raise CommandError(str(exc)) from None
    if searchable_dir is not None and searchable_dir.exists() and not searchable_dir.is_dir():
        raise CommandError(
            f"{searchable_dir}：不是文件夹 / --searchable must name a folder, not a file"
        )
    if annotate_dir is not None:
        if expect:
            raise CommandError(
                "--annotate 不能与 --expect 同用 / --annotate needs a report: not with --expect"
            )
        if annotate_dir.exists() and not annotate_dir.is_dir():
            raise CommandError(
                f"{annotate_dir}：不是文件夹 / --annotate must name a folder, not a file"
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
    results: list[PackageResult] = []
    interrupted = False
    # The sources are kept: page pictures and annotated copies reopen the documents.
    sources = engine.find_packages(paths)
    checked = engine.check_sources(sources, options)
    try:
        for result in checked:
            results.append(result)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        # Stops the worker processes now, whatever interrupted the loop, rather than when
        # the generator happens to be collected.
        close = getattr(checked, "close", None)
        if close is not None:
            close()
    if searchable_dir is not None:
        _report_copies(results, searchable_dir)
    if interrupted:
        _interrupted(results, partial_report, expect)
    if expect:
        from annexkit.checker.expect import compare_expected

        differences = compare_expected(results, reveal=reveal)
        click.echo(differences.text)
        sys.exit(1 if differences.failed else 0)
    report = build_report(results, reveal=reveal, select=selected, ignore=ignored)
    finished = sources[: len(results)]
    pictures = None
    if "html" in chosen:
        from annexkit.checker import page_pictures

        pictures = page_pictures.collect(
            finished, results, report, selected, ignored, reveal=reveal
        )
    _write_reports(report, targets, pictures)
    if annotate_dir is not None:
        from annexkit.checker.annotate import annotation_lines, write_annotated

        written = write_annotated(
            finished, results, report, annotate_dir, select=selected, ignore=ignored
        )
        for line in annotation_lines(written, annotate_dir):
            click.echo(line, err=True)
    if interrupted:
        sys.exit(INTERRUPTED_EXIT)
    sys.exit(exit_status(report))


def _targets(chosen: list[str], outputs: tuple[Path, ...]) -> list[tuple[str, Path | None]]:
    """Each format with its file (None: standard output), every file checked writable now,
    before hours of checking could end in a report that cannot be written."""
    targets: list[tuple[str, Path | None]] = [
        (fmt, None if i >= len(outputs) or is_stdout(outputs[i]) else outputs[i])
        for i, fmt in enumerate(chosen)
    ]
    to_stdout = [fmt for fmt, target in targets if target is None]
    if len(to_stdout) > 1:
        raise CommandError(
            "只能有一种格式输出到标准输出，其余请用 -o 指定文件 / only one format can go to "
            "standard output: give -o FILE for the others"
        )
    if to_stdout and to_stdout[0] in _BINARY_FORMATS:
        refuse_binary_terminal(f"{to_stdout[0]} 报告 / the {to_stdout[0]} report")
    seen: dict[Path, Path] = {}
    for _, target in targets:
        if target is None:
            continue
        key = Path(os.path.abspath(target))
        if key in seen:
            raise CommandError(
                f"两个报告写入同一文件 {target} / two reports would go to the same file: {target}"
            )
        seen[key] = target
        check_writable(target)
    return targets


def _write_reports(
    report: Report, targets: list[tuple[str, Path | None]], pictures: Pictures | None
) -> None:
    from annexkit.checker.report import renderer

    for fmt, target in targets:
        content: str | bytes
        if fmt == "html":  # the one format that shows pages: their pictures were drawn for it
            from annexkit.checker.report_html import render_html

            content = render_html(report, pictures)
        else:
            content = renderer(fmt)(report)
        write_output(target, content, text=fmt == "text")


def _interrupted(results: list[PackageResult], partial_report: bool, expect: bool) -> None:
    """After Ctrl-C: say so, and stop with exit status 130 unless a partial report was asked
    for (then the caller writes it and exits 130)."""
    done = len(results)
    if partial_report and not expect:
        click.echo(
            f"已中断：报告只包含已完成的 {done} 个材料包 / interrupted: the report covers only "
            f"the {done} packages finished",
            err=True,
        )
        return
    hint = "" if expect else "（--partial-report 可写出已完成部分）"
    hint_en = "" if expect else " (--partial-report writes what was finished)"
    click.echo(
        f"已中断，未写出报告{hint} / interrupted: no report written{hint_en}",
        err=True,
    )
    sys.exit(INTERRUPTED_EXIT)


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
