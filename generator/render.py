"""Filling a DOCX form template with a canonical annex record (docxtpl + Jinja2)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate, Listing

from annexkit.contract.files import new_file_mode
from annexkit.contract.schema import load_schema, with_optional_blanks
from annexkit.contract.text import AnnexkitError
from annexkit.generator import text

FILTERS: Mapping[str, Callable[[Any], str]] = {
    "cn_date": text.cn_date,
    "money": text.money,
    "rmb_upper": text.rmb_upper,
    "mark": text.mark,
}
"""Filters a template may use besides Jinja's own (``batch`` splits long tables)."""


class TemplateRenderError(AnnexkitError):
    """A template refers to something the record does not have, or is not valid Jinja."""


def jinja_env() -> jinja2.Environment:
    """Strict: an undefined name is an error, not an empty cell. Values are XML-escaped."""
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=lambda value: "" if value is None else value,
    )
    env.filters.update(FILTERS)
    return env


def default_template(annex: str) -> Path:
    """The shipped form of an annex (``annexkit/forms/ANNEX.docx``)."""
    return Path(str(files("annexkit.forms") / f"{annex}.docx"))


def render_context(annex: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with every schema field present (None when absent) and multi-line text
    kept as line breaks."""
    context: dict[str, Any] = _listings(with_optional_blanks(record, load_schema(annex)))
    return context


def _listings(value: Any) -> Any:
    if isinstance(value, str) and "\n" in value:
        return Listing(value)
    if isinstance(value, dict):
        return {k: _listings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_listings(v) for v in value]
    return value


def render_docx(
    annex: str, record: Mapping[str, Any], out: Path, template: Path | None = None
) -> Path:
    """Render ``record`` into ``out``. The file appears whole or not at all."""
    template = template or default_template(annex)
    if not template.is_file():
        raise TemplateRenderError(f"找不到模板 {template} / template {template} not found")
    document = DocxTemplate(str(template))
    try:
        document.render(render_context(annex, record), jinja_env=jinja_env(), autoescape=True)
    except (jinja2.TemplateError, TypeError, ValueError) as exc:
        raise TemplateRenderError(
            f"模板 {template} 无法填写：{exc} / template {template} cannot be filled: {exc}"
        ) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.", suffix=".docx.part")
    os.close(fd)
    try:
        document.save(tmp)
        # mkstemp makes the file 0600; the form gets the mode of every file annexkit writes.
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
