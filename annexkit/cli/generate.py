"""``annex schema``, ``annex generate`` and ``annex templates``: filling the annex forms."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from annexkit import ANNEXES
from annexkit.cli import options as cli_options
from annexkit.cli.errors import CommandError
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
    for path in written:
        click.echo(str(path))


@click.command()
@click.argument("annex", type=click.Choice((*ANNEXES, "defs")))
def schema(annex: str) -> None:
    """Print the JSON Schema of ANNEX (filing, agreement, ledger, signin, defs)."""
    click.echo(json.dumps(load_schema(annex), ensure_ascii=False, indent=2))


@click.group()
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
                raise CommandError(
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
@cli_options.reveal
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


@click.group()
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
        raise CommandError(str(exc)) from None
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(f"{form}: {len(findings)} 处问题 / {len(findings)} findings")
        sys.exit(1)
    click.echo(f"{form}: 模板与 {annex} 架构一致 / template matches the {annex} schema")
