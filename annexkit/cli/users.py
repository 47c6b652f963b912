"""``annex users``: the service's accounts (reviewers and institutions)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annexkit.cli import options as cli_options
from annexkit.cli.errors import CommandError

if TYPE_CHECKING:
    from annexkit.service.db import Database


def _database(db_url: str | None, data_dir: Path) -> Database:
    from annexkit.service import db
    from annexkit.service.settings import Settings

    settings = Settings(data_dir=data_dir, db_url=db_url).resolve()
    database = db.Database(settings.url)
    db.migrate(database)
    return database


@click.group()
def users() -> None:
    """服务的用户（审核人员、培训机构）/ The service's accounts: reviewers and institutions."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["reviewer", "institution"]),
    required=True,
    help="角色 reviewer: sees every submission; institution: its own institution's only.",
)
@click.option(
    "--institution",
    "credit_code",
    default=None,
    help="机构的统一社会信用代码 The institution's credit code (required for --role institution).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="从标准输入读取网页登录密码 Read a web-page password from standard input.",
)
@cli_options.service_db
@cli_options.service_data
def add(
    name: str,
    role: str,
    credit_code: str | None,
    password_stdin: bool,
    db_url: str | None,
    data_dir: Path,
) -> None:
    """创建用户并显示其 API 令牌（仅此一次）/ Create a user; print its API token once.

    The token is the last word of the output (only its hash is stored).
    """
    from annexkit.service.users import add_user

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("标准输入中没有密码 / no password on standard input")
    database = _database(db_url, data_dir)
    try:
        user, token = add_user(database, name, role, credit_code, password)
    finally:
        database.close()
    where = f" ({user.institution})" if user.institution else ""
    click.echo(
        f"已创建用户 created user {user.name}: {user.role}{where}\n"
        f"API 令牌只显示这一次 / the API token is shown only now:\n{token}"
    )


@users.command("token")
@click.argument("name")
@cli_options.service_db
@cli_options.service_data
def token(name: str, db_url: str | None, data_dir: Path) -> None:
    """发放新的 API 令牌（旧令牌立即失效）/ Issue a new API token; the old one stops working.

    Only the token's hash is stored, so a lost token cannot be shown again: this replaces
    it. The new token is the last word of the output.
    """
    from annexkit.service.users import issue_token

    database = _database(db_url, data_dir)
    try:
        user, new = issue_token(database, name)
    finally:
        database.close()
    click.echo(
        f"已为用户 {user.name} 发放新令牌，旧令牌已失效 / new token for {user.name}, the old "
        f"one no longer works.\nAPI 令牌只显示这一次 / the API token is shown only now:\n{new}"
    )


@users.command("password")
@click.argument("name")
@cli_options.service_db
@cli_options.service_data
def password(name: str, db_url: str | None, data_dir: Path) -> None:
    """从标准输入设置网页登录密码 / Set a web-page password, read from standard input."""
    from annexkit.service.users import set_password

    given = sys.stdin.readline().rstrip("\r\n")
    if not given:
        raise CommandError("标准输入中没有密码 / no password on standard input")
    database = _database(db_url, data_dir)
    try:
        user = set_password(database, name, given)
    finally:
        database.close()
    click.echo(f"已设置密码 password set: {user.name}")


@users.command("list")
@cli_options.service_db
@cli_options.service_data
def list_(db_url: str | None, data_dir: Path) -> None:
    """列出用户 / List the users."""
    from annexkit.service.users import list_users

    database = _database(db_url, data_dir)
    try:
        found = list_users(database)
    finally:
        database.close()
    for user in found:
        state = "已停用 disabled" if user.disabled else "active"
        click.echo(
            f"{user.name}\t{user.role}\t{user.institution or '-'}\t{state}\t"
            f"{user.created_at:%Y-%m-%d}"
        )


@users.command("disable")
@click.argument("name")
@cli_options.service_db
@cli_options.service_data
def disable(name: str, db_url: str | None, data_dir: Path) -> None:
    """停用用户（其令牌立即失效）/ Disable a user: its token stops working at once."""
    from annexkit.service.users import disable_user

    database = _database(db_url, data_dir)
    try:
        user = disable_user(database, name)
    finally:
        database.close()
    click.echo(f"已停用 disabled: {user.name}")
