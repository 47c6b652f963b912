"""``annex profiles``: list the policy profiles, show one, or check a user's profile file.

Registered in ``annexkit/cli.py`` with ``cli.add_command(profiles)``.
"""

from __future__ import annotations

from pathlib import Path

import click

from annexkit.cli.errors import CommandError
from annexkit.policy.profiles import (
    DEFAULT_PROFILE,
    NOT_STATED,
    Profile,
    ProfileError,
    list_profiles,
    load_profile,
)


def _load(name_or_path: str | Path) -> Profile:
    try:
        return load_profile(name_or_path)
    except ProfileError as exc:
        raise CommandError(str(exc)) from None


def _source_line(profile: Profile) -> str:
    return "；".join(source.number or source.title for source in profile.sources)


def _listing(profiles: list[Profile]) -> str:
    lines = []
    for profile in profiles:
        default = "  （默认 default）" if profile.name == DEFAULT_PROFILE else ""
        extends = f"  继承 extends: {profile.extends}" if profile.extends else ""
        lines.append(f"{profile.name}{default}")
        lines.append(f"  {profile.title}  ·  {profile.region}{extends}")
        lines.append(f"  来源 sources: {_source_line(profile)}")
    return "\n".join(lines)


@click.command("profiles")
@click.option(
    "--show",
    "show",
    metavar="NAME",
    help="显示一个政策配置 / Print one profile (a shipped name or a YAML file) as YAML, "
    "inherited keys included.",
)
@click.option(
    "--check",
    "check",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="检查自定义的政策配置文件 / Validate a user's profile file; exit status 2 with every "
    "problem when it is bad.",
)
def profiles(show: str | None, check: Path | None) -> None:
    """列出各地补贴政策配置 / List the policy profiles: name, title, region and sources.

    Cities set filing lead times, claim windows and subsidy amounts differently, so they are
    data. A figure a source does not give is null (来源未载明 / not stated in the source).
    Your own profile may start with `extends: jiangmen-2019` and change only some keys.
    """
    if show and check:
        raise CommandError("--show 与 --check 只能选一个 / give either --show or --check")
    if check is not None:
        profile = _load(check)
        based = f"（继承 extends {profile.extends}）" if profile.extends else ""
        click.echo(
            f"{check}: 政策配置 {profile.name} 有效{based} / profile {profile.name} is valid"
        )
        return
    if show is not None:
        profile = _load(show)
        click.echo(f"# {profile.name}: {profile.title}（{profile.region}）")
        click.echo(f"# null = {NOT_STATED}")
        if profile.extends:
            click.echo(f"# 含继承自 {profile.extends} 的内容 / includes what it inherits")
        click.echo(profile.to_yaml().rstrip("\n"))
        return
    click.echo(_listing(list_profiles()))
