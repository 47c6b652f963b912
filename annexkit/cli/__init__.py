"""The ``annex`` command."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from annexkit import ANNEXES, __version__
from annexkit.cli import options as cli_options
from annexkit.contract.formats import mask_id, mask_phone
from annexkit.contract.schema import UnknownAnnexError, load_schema, node_at
from annexkit.generator.data import DataFileError, InvalidDataError, load_mapping
from annexkit.generator.output import OutputExistsError, write_documents
from annexkit.generator.package import Document, plan_package, prepare
from annexkit.generator.pdf import PdfConversionError
from annexkit.generator.render import TemplateRenderError
from annexkit.policy.profiles import DEFAULT_PROFILE, Profile

if TYPE_CHECKING:
    from annexkit.checker.result import PackageResult

USAGE_EXIT = 2


class AnnexError(click.ClickException):
    """A failure the user can act on: printed in Chinese and English, exit status 2."""

    exit_code = USAGE_EXIT

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"错误 Error: {self.format_message()}", file=file or sys.stderr)


def _masked(annex: str, path: tuple[str | int, ...], value: object, reveal: bool) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    if reveal or not isinstance(value, str):
        return text
    fmt = (node_at(annex, path) or {}).get("format")
    if fmt == "id_number":
        return mask_id(value)
    if fmt == "phone":
        return mask_phone(value)
    return text


def _invalid_data_message(error: InvalidDataError, reveal: bool) -> str:
    lines = [
        f"数据不符合表格要求，共{len(error.problems)}处，未写入任何文件 / "
        f"the data does not satisfy the forms: {len(error.problems)} problems, nothing written"
    ]
    for source, annex, problem in error.problems:
        value = _masked(annex, problem.path, problem.value, reveal)
        shown = f"  值 value: {value}" if value else ""
        lines.append(
            f"  {source} {problem.pointer or '/'}  {problem.label}  [{problem.code}]  "
            f"{problem.zh} / {problem.en}{shown}"
        )
    return "\n".join(lines)


def _run_generation(action: Callable[[], list[Path]], reveal: bool) -> None:
    try:
        written = action()
    except InvalidDataError as exc:
        raise AnnexError(_invalid_data_message(exc, reveal)) from None
    except (DataFileError, OutputExistsError, PdfConversionError, TemplateRenderError) as exc:
        raise AnnexError(str(exc)) from None
    for path in written:
        click.echo(str(path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annexkit")
def cli() -> None:
    """annexkit：职业技能培训补贴材料（附件5–8）的生成与检查。

    Generate and check the paperwork of subsidised vocational-skills training:
    附件5 filing, 附件6 agreement, 附件7 ledger, 附件8 sign-in sheets.
    """


@cli.command()
@click.argument("annex", type=click.Choice((*ANNEXES, "defs")))
def schema(annex: str) -> None:
    """Print the JSON Schema of ANNEX (filing, agreement, ledger, signin, defs)."""
    click.echo(json.dumps(load_schema(annex), ensure_ascii=False, indent=2))


@cli.group()
def generate() -> None:
    """Fill the annex forms from data (JSON or YAML in the contract's canonical form)."""


_out_docx = click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The DOCX file to write (the PDF goes beside it with --pdf).",
)
_pdf = click.option("--pdf", is_flag=True, help="Also write a PDF through LibreOffice headless.")
_force = click.option("--force", is_flag=True, help="Overwrite files that already exist.")
_reveal = click.option(
    "--reveal", is_flag=True, help="Show ID and phone numbers unmasked in error messages."
)


def _annex_command(annex: str) -> click.Command:
    schema_title = load_schema(annex)["title"]
    number = load_schema(annex)["x-annex"]["number"]

    @_out_docx
    @_pdf
    @_force
    @_reveal
    @click.option(
        "--template",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="An institution's own variant of the form (check it with `annex templates lint`).",
    )
    @click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
    def command(
        data: Path, output: Path, pdf: bool, force: bool, reveal: bool, template: Path | None
    ) -> None:
        def action() -> list[Path]:
            record, problems = prepare(annex, load_mapping(data), str(data))
            if problems:
                raise InvalidDataError(problems)
            if output.suffix.lower() != ".docx":
                raise AnnexError(
                    f"输出文件应以 .docx 结尾：{output} / the output must end in .docx: {output}"
                )
            document = Document(annex, output.stem, record, str(data))
            return write_documents(
                [document], output.parent, pdf=pdf, force=force, template=template
            )

        _run_generation(action, reveal)

    command.__doc__ = (
        f"Fill 附件{number} {schema_title} from DATA (JSON or YAML).\n\n"
        "The data is checked against the schema first: every problem is listed with its "
        "JSON path, Chinese label and reason, and nothing is written (exit status 2)."
    )
    return click.command(annex)(command)


for _annex in ANNEXES:
    generate.add_command(_annex_command(_annex))


@generate.command("package")
@click.argument("class_file", metavar="CLASS.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the package into.",
)
@_pdf
@_force
@_reveal
def package(class_file: Path, outdir: Path, pdf: bool, force: bool, reveal: bool) -> None:
    """Generate a class's whole package from CLASS.yaml.

    CLASS.yaml holds `filing` (required), `agreement` (required when the filing names an
    institution; parties and training are taken from the filing), and optionally `ledger`
    and `signin`. What is not given is derived: the ledger from the roster (results blank),
    one sign-in sheet per scheduled session. The roster may be a .csv or .xlsx path.
    """
    _run_generation(
        lambda: write_documents(plan_package(class_file), outdir, pdf=pdf, force=force), reveal
    )


@cli.group()
def templates() -> None:
    """Work with form templates (an institution's own variants of the forms)."""


@templates.command("lint")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--annex", "annex", required=True, type=click.Choice(ANNEXES))
def lint(form: Path, annex: str) -> None:
    """List template variables not in the ANNEX schema, and required fields never shown.

    Exit status 1 when there are findings, 0 when the template is clean.
    """
    from annexkit.generator.lint import TemplateLintError, lint_template

    try:
        findings = lint_template(form, annex)
    except TemplateLintError as exc:
        raise AnnexError(str(exc)) from None
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(f"{form}: {len(findings)} 处问题 / {len(findings)} findings")
        sys.exit(1)
    click.echo(f"{form}: 模板与 {annex} 架构一致 / template matches the {annex} schema")


def _register_commands() -> None:
    """The command groups that live in their own modules."""
    from annexkit.cli.calendar import calendar_group
    from annexkit.cli.profiles import profiles
    from annexkit.cli.registry import registry

    for command in (calendar_group, profiles, registry):
        cli.add_command(command)


_register_commands()


def _codes(values: tuple[str, ...]) -> set[str] | None:
    """``--select a,b --select c`` → {a, b, c}; None when the option was not given."""
    if not values:
        return None
    return {code.strip() for value in values for code in value.split(",") if code.strip()}


@cli.command()
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
@_reveal
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
    from annexkit.checker.batch import SearchableCheck, default_check, run_batch
    from annexkit.checker.discover import DiscoveryError, discover
    from annexkit.checker.package_check import check_package
    from annexkit.checker.report import (
        FORMATS,
        UnknownSelectorError,
        build_report,
        check_selectors,
        exit_status,
    )

    chosen = list(formats) or ["text"]
    if len(outputs) > len(chosen):
        raise AnnexError("-o 多于 --format / more -o files than --format options")
    to_stdout = chosen[len(outputs) :]
    if len(to_stdout) > 1:
        raise AnnexError(
            "只能有一种格式输出到屏幕，其余请用 -o 指定文件 / only one format can go to "
            "standard output: give -o FILE for the others"
        )
    selected, ignored = _codes(select), _codes(ignore)
    try:
        check_selectors((selected or set()) | (ignored or set()))
        packages = discover(paths)
    except (UnknownSelectorError, DiscoveryError) as exc:
        raise AnnexError(str(exc)) from None
    _check_calendar()
    registry = _open_registry(registry_url) if registry_url else None
    profiles: dict[str, Profile] = {}
    results = []
    if searchable_dir is not None and searchable_dir.exists() and not searchable_dir.is_dir():
        raise AnnexError(
            f"{searchable_dir}：不是文件夹 / --searchable must name a folder, not a file"
        )
    batch = run_batch(
        packages,
        workers=workers,
        timeout=timeout,
        max_bytes=int(max_mb * 1024 * 1024),
        check=SearchableCheck(searchable_dir) if searchable_dir else default_check,
    )
    for source, result in zip(packages, batch, strict=True):
        if _is_package(source.path):
            name = _profile_name(profile_name or source.profile, Path(source.path))
            if name not in profiles:
                profiles[name] = _load_profile(name)
            day = claim_date.date() if claim_date else source.claim_date or dt.date.today()
            check_package(result, profiles[name], day, registry)
        results.append(result)
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
        target.write_text(FORMATS[fmt](report), "utf-8")
    for fmt in to_stdout:
        click.echo(FORMATS[fmt](report).rstrip("\n"))
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


def _is_package(path: str) -> bool:
    """A folder or archive is a package; a lone document named on the command line is
    checked by itself, without the package rules (it cannot have its companions)."""
    candidate = Path(path)
    return not candidate.is_file() or candidate.suffix.lower() == ".zip"


def _profile_name(given: str | None, package: Path) -> str:
    """A profile name, or a profile file; a relative file named by a package.yaml is looked
    for in the package's folder first."""
    if not given:
        return DEFAULT_PROFILE
    if given.endswith((".yaml", ".yml")) and not Path(given).is_absolute():
        beside = package / given
        if beside.is_file():
            return str(beside)
    return given


def _check_calendar() -> None:
    """A broken calendar file of the user's is a usage error, found before any work."""
    from annexkit.policy.workdays import CalendarFileError, default_calendar

    try:
        default_calendar()
    except CalendarFileError as exc:
        raise AnnexError(str(exc)) from None


def _load_profile(name: str) -> Profile:
    from annexkit.policy.profiles import ProfileError, load_profile

    try:
        return load_profile(name)
    except ProfileError as exc:
        raise AnnexError(str(exc)) from None


def _open_registry(url: str) -> Any:
    from annexkit.policy.registry import Registry, RegistryError

    try:
        return Registry(url)
    except RegistryError as exc:
        raise AnnexError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: no traceback reaches the user unless ANNEXKIT_DEBUG is set."""
    try:
        cli.main(args=argv, prog_name="annex", standalone_mode=True)
    except (UnknownAnnexError, KeyboardInterrupt) as exc:
        click.echo(f"错误 Error: {exc}", err=True)
        sys.exit(USAGE_EXIT)
    except Exception as exc:
        if os.environ.get("ANNEXKIT_DEBUG"):
            raise
        click.echo(
            f"内部错误 Internal error: {type(exc).__name__}: {exc}\n"
            "（设置 ANNEXKIT_DEBUG=1 可查看详细信息 / set ANNEXKIT_DEBUG=1 for details）",
            err=True,
        )
        sys.exit(USAGE_EXIT)
