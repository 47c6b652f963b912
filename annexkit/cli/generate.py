"""``annex schema``, ``annex generate`` and ``annex templates``: filling the annex forms."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from annexkit import ANNEXES
from annexkit.cli import options as cli_options
from annexkit.cli.errors import CommandError
from annexkit.cli.output import is_stdout, refuse_binary_terminal, write_output
from annexkit.contract.masking import mask_id, mask_phone
from annexkit.contract.schema import load_schema, node_at
from annexkit.generator.data import DataFileError, InvalidDataError, load_mapping
from annexkit.generator.output import OutputExistsError, write_documents
from annexkit.generator.package import Document, plan_package, prepare
from annexkit.generator.pdf import PdfConversionError
from annexkit.generator.render import TemplateRenderError


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
        raise CommandError(_invalid_data_message(exc, reveal)) from None
    except (DataFileError, OutputExistsError, PdfConversionError, TemplateRenderError) as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        # The output folder cannot be created or written (read-only, no such drive, a file
        # where a folder should be): nothing was written, since files appear whole or not
        # at all.
        where = exc.filename or ""
        reason = exc.strerror or type(exc).__name__
        raise CommandError(
            f"无法写入 {where}（{reason}），未写入任何文件 / cannot write {where}: {reason}; "
            "nothing written"
        ) from None
    for path in written:
        click.echo(str(path))


def _to_stdout(
    annex: str, record: dict[str, Any], source: str, *, pdf: bool, template: Path | None
) -> list[Path]:
    """``-o -``: the DOCX on standard output, for a pipeline; nothing is listed as written."""
    if pdf:
        raise CommandError(
            "-o - 只能输出 DOCX，不能与 --pdf 同用 / -o - writes only the DOCX: --pdf needs "
            "a file name"
        )
    refuse_binary_terminal("DOCX ")
    with tempfile.TemporaryDirectory(prefix="annexkit-") as scratch:
        [written] = write_documents(
            [Document(annex, annex, record, source)], Path(scratch), template=template
        )
        write_output(None, written.read_bytes())
    return []


@click.command()
@click.argument("annex", type=click.Choice((*ANNEXES, "defs", "report")))
def schema(annex: str) -> None:
    """打印 JSON 架构 / Print the JSON Schema of ANNEX (filing, agreement, ledger, signin,
    defs), or of the JSON report of `annex check --format json` (report)."""
    if annex == "report":
        # imported here: the checker's catalogue is not needed to print an annex schema
        from annexkit.checker.report_schema import report_schema

        click.echo(json.dumps(report_schema(), ensure_ascii=False, indent=2))
        return
    click.echo(json.dumps(load_schema(annex), ensure_ascii=False, indent=2))


@click.group()
def generate() -> None:
    """生成附件材料 / Fill the annex forms from data (JSON or YAML, the contract's form)."""


_out_docx = click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="要写入的 DOCX 文件，- 为标准输出 / The DOCX file to write (the PDF goes beside it "
    "with --pdf); - writes the DOCX to standard output (not to a terminal, not with --pdf).",
)
_pdf = click.option(
    "--pdf", is_flag=True, help="同时生成 PDF / Also write a PDF through LibreOffice headless."
)
_force = click.option(
    "--force", is_flag=True, help="覆盖已有文件 / Overwrite files that already exist."
)


def _annex_command(annex: str) -> click.Command:
    schema_title = load_schema(annex)["title"]
    number = load_schema(annex)["x-annex"]["number"]

    @_out_docx
    @_pdf
    @_force
    @cli_options.reveal
    @click.option(
        "--template",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="机构自制的表格模板 / An institution's own variant of the form (check it with "
        "`annex templates lint`).",
    )
    @click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
    def command(
        data: Path, output: Path, pdf: bool, force: bool, reveal: bool, template: Path | None
    ) -> None:
        def action() -> list[Path]:
            record, problems = prepare(annex, load_mapping(data), str(data))
            if problems:
                raise InvalidDataError(problems)
            if is_stdout(output):
                return _to_stdout(annex, record, str(data), pdf=pdf, template=template)
            if output.suffix.lower() != ".docx":
                raise CommandError(
                    f"输出文件应以 .docx 结尾：{output} / the output must end in .docx: {output}"
                )
            document = Document(annex, output.stem, record, str(data))
            return write_documents(
                [document], output.parent, pdf=pdf, force=force, template=template
            )

        _run_generation(action, reveal)

    command.__doc__ = (
        f"填写附件{number} {schema_title} / Fill annex {number} from DATA (JSON or YAML).\n\n"
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
    help="写入材料包的文件夹 / The folder to write the package into.",
)
@_pdf
@_force
@cli_options.reveal
def package(class_file: Path, outdir: Path, pdf: bool, force: bool, reveal: bool) -> None:
    """由 CLASS.yaml 生成整套材料 / Generate a class's whole package from CLASS.yaml.

    CLASS.yaml holds `filing` (required), `agreement` (required when the filing names an
    institution; parties and training are taken from the filing), and optionally `ledger`
    and `signin`. What is not given is derived: the ledger from the roster (results blank),
    one sign-in sheet per scheduled session. The roster may be a .csv or .xlsx path.
    """
    _run_generation(
        lambda: write_documents(plan_package(class_file), outdir, pdf=pdf, force=force), reveal
    )


@click.group()
def templates() -> None:
    """检查机构自制模板 / Work with form templates (an institution's own variants)."""


@templates.command("lint")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--annex",
    "annex",
    required=True,
    type=click.Choice(ANNEXES),
    help="模板对应的附件 / The annex the template is a form of.",
)
def lint(form: Path, annex: str) -> None:
    """检查模板的变量与必填项 / List template variables not in the ANNEX schema, and
    required fields never shown.

    Exit status 1 when there are findings, 0 when the template is clean.
    """
    from annexkit.generator.lint import TemplateLintError, lint_template

    try:
        findings = lint_template(form, annex)
    except TemplateLintError as exc:
        raise CommandError(str(exc)) from None
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(f"{form}: {len(findings)} 处问题 / {len(findings)} findings")
        sys.exit(1)
    click.echo(f"{form}: 模板与 {annex} 架构一致 / template matches the {annex} schema")
