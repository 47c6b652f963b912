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
from typing import NoReturn

import click

from annexkit import __version__
from annexkit.cli.errors import INTERRUPTED_EXIT, USAGE_EXIT, CommandError
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
    "serve": ("annexkit.cli.serve:serve", "运行检查服务 / Run the checking service (HTTP API)."),
    "worker": ("annexkit.cli.serve:worker", "运行检查任务 / Run check jobs (PostgreSQL)."),
    "users": ("annexkit.cli.users:users", "服务的用户 / The service's accounts."),
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
        except KeyboardInterrupt:
            # click would turn Ctrl-C into "Aborted!" and exit status 1, which `annex check`
            # uses for "errors found"; a script must be able to tell the two apart.
            _interrupted()

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


def _safe_streams() -> None:
    """Let every output survive any locale (``LC_ALL=C``, ``PYTHONIOENCODING=latin-1``).

    Every message is bilingual, so a stream whose encoding has no Chinese would fail on the
    first character: there Chinese is written backslash-escaped (``\\u4e2d``) and the
    English stays readable. A file name that is not valid in any encoding (a surrogate
    escape) is escaped the same way on any stream rather than stopping the command. click
    itself writes UTF-8 to a stream that claims ASCII."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue  # replaced by a caller (tests, an embedding program): theirs to set up
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # closed, or not a text stream after all
            continue


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: no traceback reaches the user unless ANNEXKIT_DEBUG is set."""
    _safe_streams()
    try:
        cli.main(args=argv, prog_name="annex", standalone_mode=True)
    except AnnexkitError as exc:
        click.echo(f"错误 Error: {exc}", err=True)
        sys.exit(USAGE_EXIT)
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:
        if os.environ.get("ANNEXKIT_DEBUG"):
            raise
        click.echo(
            f"内部错误 Internal error: {type(exc).__name__}: {exc}\n"
            "（设置 ANNEXKIT_DEBUG=1 可查看详细信息 / set ANNEXKIT_DEBUG=1 for details）",
            err=True,
        )
        sys.exit(USAGE_EXIT)


def _interrupted() -> NoReturn:
    click.echo("\n已中断 / interrupted", err=True)
    sys.exit(INTERRUPTED_EXIT)
