"""``annex templates lint``: does a DOCX template fit its annex schema?

An institution may bring its own variant of a form. Before it is used, two things are worth
knowing: which template variables the schema does not have (a typo prints nothing, or fails
at render time), and which required fields the template never shows (the printed form would
lack them). Each finding names where in the document it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2
from docx import Document as open_docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from jinja2 import nodes

from annexkit.contract.schema import JSON, iter_properties, label_at, load_schema, resolve
from annexkit.contract.text import AnnexkitError
from annexkit.generator.render import FILTERS, jinja_env

ITEM = "[]"
"""Path step for "each element of an array" (the loop variable of a row loop)."""

SchemaPath = tuple[str, ...]


class TemplateLintError(AnnexkitError):
    """The template cannot be read or is not valid Jinja."""


@dataclass(frozen=True)
class LintFinding:
    code: str
    field: str
    location: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.location}: [{self.code}] {self.field}  {self.zh} / {self.en}"


def lint_template(form: Path, annex: str) -> list[LintFinding]:
    """Unknown variables and filters (with their locations), then required fields not shown."""
    lines = list(_template_lines(form))
    source = "\n".join(_plain_tags(text) for text, _ in lines)
    try:
        tree = jinja_env().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        where = lines[exc.lineno - 1][1] if 0 < exc.lineno <= len(lines) else str(form)
        raise TemplateLintError(
            f"{form} {where}: 模板语法错误：{exc.message} / template syntax error: {exc.message}"
        ) from None
    walker = _Walker(annex)
    walker.visit(tree, {})
    findings = []
    for path, lineno in walker.references:
        if not _exists(annex, path):
            findings.append(
                LintFinding(
                    "unknown-variable",
                    _dotted(path),
                    lines[lineno - 1][1],
                    f"架构 {annex} 中没有这一项",
                    f"not a field of the {annex} schema",
                )
            )
    for name, lineno in walker.filters:
        findings.append(
            LintFinding(
                "unknown-filter",
                name,
                lines[lineno - 1][1],
                "不认识的过滤器",
                f"unknown filter; available: {', '.join(sorted(FILTERS))} and Jinja's built-ins",
            )
        )
    shown = {p[:i] for p, _ in walker.references for i in range(1, len(p) + 1)}
    for path in _expected_fields(annex, shown):
        findings.append(
            LintFinding(
                "field-not-shown",
                _dotted(path),
                str(form.name),
                f"必填项“{label_at(annex, _schema_steps(path))}”未在模板中出现",
                "required field never shown by the template",
            )
        )
    return findings


# ------------------------------------------------------------------- document → lines


def _template_lines(form: Path) -> Iterator[tuple[str, str]]:
    """Each text line of the document with where it is (段落 N, 表格 T 第R行第C列)."""
    try:
        document: DocxDocument = open_docx(str(form))
    except Exception as exc:  # python-docx raises several kinds for a file that is no DOCX
        raise TemplateLintError(
            f"{form}: 无法作为Word文档打开 / cannot be opened as a Word document: {exc}"
        ) from None
    paragraph_no = 0
    table_no = 0

    def table_lines(table: Table, where: str) -> Iterator[tuple[str, str]]:
        nonlocal table_no
        table_no += 1
        here = f"{where}表格{table_no}"
        for r, row in enumerate(table.rows, start=1):
            seen: set[object] = set()  # the elements themselves: ids of lxml proxies are reused
            for c, cell in enumerate(row.cells, start=1):
                if cell._tc in seen:  # a merged cell repeats in row.cells
                    continue
                seen.add(cell._tc)
                for paragraph in cell.paragraphs:
                    yield from _split(paragraph, f"{here} 第{r}行第{c}列")
                for inner in cell.tables:
                    yield from table_lines(inner, f"{here} 第{r}行第{c}列 ")

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraph_no += 1
            yield from _split(block, f"第{paragraph_no}段")
        else:
            yield from table_lines(block, "")
    for s, section in enumerate(document.sections, start=1):
        for part, name in ((section.header, "页眉"), (section.footer, "页脚")):
            for paragraph in part.paragraphs:
                yield from _split(paragraph, f"第{s}节{name}")


def _split(paragraph: Paragraph, where: str) -> Iterator[tuple[str, str]]:
    for line in paragraph.text.split("\n"):
        yield line, where


def _plain_tags(text: str) -> str:
    """docxtpl's tag prefixes (``{%tr``, ``{%p``, ``{{r`` …) as plain Jinja."""
    return re.sub(r"\{([%{])-?\s*(?:tr|tc|p|r|tch|tcw)\s", r"{\1 ", text)


# --------------------------------------------------------------------- walking the AST


class _Walker:
    """Collects every variable path the template reads, with loop variables resolved to
    the array they iterate (``row`` in ``for row in rows`` is ``rows[]``)."""

    def __init__(self, annex: str) -> None:
        self.annex = annex
        self.references: list[tuple[SchemaPath, int]] = []
        self.filters: list[tuple[str, int]] = []
        self.builtins = set(jinja_env().filters)

    def visit(self, node: nodes.Node, scope: dict[str, SchemaPath | None]) -> None:
        if isinstance(node, nodes.For):
            iterated = self.expression(node.iter, scope)
            inner = dict(scope)
            element = None if iterated is None else (*iterated, ITEM)
            if isinstance(node.iter, nodes.Filter) and node.iter.name == "batch":
                element = iterated  # a batch of rows is iterated again for the rows
            target = node.target
            names = [target] if isinstance(target, nodes.Name) else target.find_all(nodes.Name)
            for name in names:
                inner[name.name] = element
            inner["loop"] = None
            for child in (*node.body, *node.else_):
                self.visit(child, inner)
            if node.test is not None:
                self.visit(node.test, inner)
            return
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Filter)):
            self.expression(node, scope)
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def expression(
        self, node: nodes.Node, scope: dict[str, SchemaPath | None]
    ) -> SchemaPath | None:
        """The schema path an expression reads (recorded), or None when it is no field."""
        if isinstance(node, nodes.Filter):
            if node.name not in self.builtins:
                self.filters.append((node.name, node.lineno))
            for argument in (*node.args, *(k.value for k in node.kwargs)):
                self.visit(argument, scope)
            return self.expression(node.node, scope) if node.node is not None else None
        chain: list[str] = []
        current = node
        while isinstance(current, (nodes.Getattr, nodes.Getitem)):
            if isinstance(current, nodes.Getattr):
                chain.append(current.attr)
            elif isinstance(current.arg, nodes.Const) and isinstance(current.arg.value, str):
                chain.append(current.arg.value)
            else:
                self.visit(current.arg, scope)
                chain.clear()  # rows[i].name: only the array itself is known
            current = current.node
        if not isinstance(current, nodes.Name):
            self.visit(current, scope)
            return None
        if current.name in scope:
            base = scope[current.name]
            if base is None:
                return None
        else:
            base = (current.name,)
        path = (*base, *reversed(chain))
        self.references.append((path, node.lineno))
        return path


# ------------------------------------------------------------------------ schema side


def _schema_steps(path: SchemaPath) -> tuple[str | int, ...]:
    return tuple(0 if step == ITEM else step for step in path)


def _dotted(path: SchemaPath) -> str:
    return ".".join(path).replace("." + ITEM, ITEM)


def _exists(annex: str, path: SchemaPath) -> bool:
    node: JSON = load_schema(annex)
    for step in path:
        node = resolve(node)
        if step == ITEM:
            if node.get("type") != "array":
                return False
            node = node.get("items", {})
        else:
            properties = node.get("properties", {})
            if step not in properties:
                return False
            node = properties[step]
    return True


def _expected_fields(annex: str, shown: set[SchemaPath]) -> list[SchemaPath]:
    """Required leaf fields whose parents are required or shown, and that are not shown."""
    expected: dict[SchemaPath, bool] = {(): True}
    missing = []
    for steps, node, required in iter_properties(load_schema(annex)):
        path = tuple(ITEM if isinstance(s, int) else s for s in steps)
        parent = path[:-2] if len(path) >= 2 and path[-2] == ITEM else path[:-1]
        wanted = required and (expected.get(parent, False) or parent in shown)
        expected[path] = wanted
        if node.get("type") == "array" and resolve(node.get("items", {})).get("type") == "object":
            expected[(*path, ITEM)] = wanted
            continue
        if node.get("type") == "object":
            continue
        if wanted and path not in shown:
            missing.append(path)
    return missing
