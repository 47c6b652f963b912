"""The ``annex`` command.

The root group loads each command's module only when that command runs, so ``annex --help``
and ``annex calendar`` do not pay for the generator's, the checker's or the registry's
libraries.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from annexkit import __version__
from annexkit.cli.errors import USAGE_EXIT, CommandError
from annexkit.contract.text import AnnexkitError

COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("annexkit.cli.generate:generate", "生成附件材料 / Fill the annex forms."),
    "check": ("annexkit.cli.check:check", "检查提交的材料包 / Check submitted annexes."),
    "schema": ("annexkit.cli.generate:schema", "打印附件的 JSON Schema / Print an annex's schema."),
    "templates": (
        "annexkit.cli.generate:templates",
        "检查机构自制模板 / Work with an institution's own form templates.",
    ),
    "profiles": ("annexkit.cli.profiles:profiles", "各地补贴政策 / The policy profiles."),
    "calendar": (
        "annexkit.cli.calendar:calendar_group",
        "法定工作日历 / The official working-day calendar.",
    ),
    "registry": ("annexkit.cli.registry:registry", "补贴发放登记库 / The registry of subsidies."),
    "rules": ("annexkit.cli.rules:rules", "检查项说明 / The finding codes, with examples."),
}
"""Command name → (``module:attribute``, the short help the root ``--help`` lists)."""


class LazyGroup(click.Group):
    """A group whose commands are imported when used; the listing needs none of them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        # Errors from the layers below are the user's to act on: shown like a usage error.
        try:
            return super().invoke(ctx)
        except AnnexkitError as exc:
            raise CommandError(str(exc)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, short) in COMMANDS.items()]
        with formatter.section("Commands 命令"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annexkit")
def cli() -> None:
    """annexkit：职业技能培训补贴材料（附件5–8）的生成与检查。

    Generate and check the paperwork of subsidised vocational-skills training:
    附件5 filing, 附件6 agreement, 附件7 ledger, 附件8 sign-in sheets.
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: no traceback reaches the user unless ANNEXKIT_DEBUG is set."""
    try:
        cli.main(args=argv, prog_name="annex", standalone_mode=True)
    except AnnexkitError as exc:
        click.echo(f"错误 Error: {exc}", err=True)
        sys.exit(USAGE_EXIT)
    except KeyboardInterrupt as exc:
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
