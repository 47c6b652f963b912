"""``annex rules [CODE]``: the finding codes, like ``ruff rule``.

Everything shown comes from the codes' declarations (``checker/rules/*``): severity, scope,
title, description, and each message's example, rendered by the code that renders real
findings (identifiers masked).
"""

from __future__ import annotations

import json

import click

from annexkit.checker.findings import CATALOGUE, Code
from annexkit.checker.rules_doc import SCOPE_LABELS, SEVERITY_LABELS, describe
from annexkit.cli.errors import CommandError


def _scope(scope: str) -> str:
    return " / ".join(SCOPE_LABELS.get(part, part) for part in scope.split("/"))


def _text(code: Code, *, every_message: bool) -> list[str]:
    lines = [
        f"{code.name}  {code.title}",
        f"  级别 severity: {SEVERITY_LABELS.get(code.severity, code.severity)}"
        f"    范围 scope: {_scope(code.scope)}",
        f"  {code.description}",
    ]
    messages = list(code.messages.values()) if every_message else [code.message]
    for message in messages:
        severity = message.severity or code.severity
        marker = f" [{severity}]" if severity != code.severity else ""
        lines.append(f"  示例 example{marker}: {message.example_text()}")
    return lines


def _chosen(selector: str | None) -> list[Code]:
    if selector is None:
        return list(CATALOGUE.values())
    if selector in CATALOGUE:
        return [CATALOGUE[selector]]
    found = [c for name, c in CATALOGUE.items() if selector and name.startswith(selector)]
    if not found:
        raise CommandError(
            f"未知的检查代码：{selector!r}（annex rules 列出全部） / unknown finding code or "
            f"prefix: {selector!r} (annex rules lists them all)"
        )
    return found


@click.command("rules")
@click.argument("code", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式 / Output format.",
)
def rules(code: str | None, fmt: str) -> None:
    """检查项说明 / The finding codes: severity, scope, description and example messages.

    Without CODE every code is listed with one example; with a CODE (or a prefix such as
    `invalid-`) each of its messages is shown. The examples are rendered as a report shows
    messages, identifiers masked.
    """
    chosen = _chosen(code)
    exact = code is not None and code in CATALOGUE
    if fmt == "json":
        entries = [describe(c) for c in chosen]
        click.echo(json.dumps(entries[0] if exact else entries, ensure_ascii=False, indent=2))
        return
    blocks = ["\n".join(_text(c, every_message=code is not None)) for c in chosen]
    click.echo("\n\n".join(blocks))
