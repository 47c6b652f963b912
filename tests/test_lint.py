"""`annex templates lint`: an institution's own form checked against the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from annexkit import ANNEXES
from annexkit.cli import cli
from annexkit.generator.lint import lint_template
from annexkit.generator.render import default_template


@pytest.mark.parametrize("annex", ANNEXES)
def test_shipped_templates_lint_clean(annex: str) -> None:
    assert lint_template(default_template(annex), annex) == []


def signin_variant(path: Path) -> Path:
    """A sign-in sheet as an institution might write it: one typo, one field left out,
    one unknown filter."""
    document = Document()
    document.add_paragraph("培训项目：{{ project }}  日期：{{ date|cn_date }}")
    document.add_paragraph("授课老师：{{ teachr }}")  # typo
    table = document.add_table(rows=3, cols=3)
    table.rows[0].cells[0].text = "姓名"
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    table.rows[2].cells[0].text = "{{ r.name }}"
    table.rows[2].cells[1].text = "{{ r.signed_in|tick }}"
    table.rows[2].cells[2].text = "{{ r.id_card }}"
    document.add_paragraph("{%p if loop_is_not_here %}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%tr endfor %}")
    document.save(str(path))
    return path


def test_lint_reports_unknown_variables_and_missing_fields(tmp_path: Path) -> None:
    findings = lint_template(signin_variant(tmp_path / "mine.docx"), "signin")
    by_field = {(f.code, f.field): f for f in findings}
    assert by_field["unknown-variable", "teachr"].location == "第2段"
    assert by_field["unknown-variable", "rows[].id_card"].location == "表格1 第3行第3列"
    assert by_field["unknown-filter", "tick"].location == "表格1 第3行第2列"
    assert ("unknown-variable", "loop_is_not_here") in by_field
    # required fields the form never shows: the teacher (misspelt) and nothing else
    assert [f.field for f in findings if f.code == "field-not-shown"] == ["teacher"]
    assert "授课老师" in by_field["field-not-shown", "teacher"].zh


def test_lint_command_exit_status(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(
        cli, ["templates", "lint", str(signin_variant(tmp_path / "m.docx")), "--annex", "signin"]
    )
    assert bad.exit_code == 1 and "teachr" in bad.output and "第2段" in bad.output
    good = runner.invoke(
        cli, ["templates", "lint", str(default_template("signin")), "--annex", "signin"]
    )
    assert good.exit_code == 0 and "一致" in good.output
    not_docx = tmp_path / "x.docx"
    not_docx.write_text("not a zip", "utf-8")
    broken = runner.invoke(cli, ["templates", "lint", str(not_docx), "--annex", "signin"])
    assert broken.exit_code == 2 and "cannot be opened as a Word document" in broken.output


def test_lint_syntax_error_names_the_place(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("fine")
    document.add_paragraph("{{ project }")
    document.save(str(tmp_path / "s.docx"))
    result = CliRunner().invoke(
        cli, ["templates", "lint", str(tmp_path / "s.docx"), "--annex", "signin"]
    )
    assert result.exit_code == 2 and "第2段" in result.output
