"""Options shared by several commands (`check`, `registry add`, `generate`)."""

from __future__ import annotations

import click

workers = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes checking documents (default: the number of cores).",
)
timeout = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=120.0,
    show_default=True,
    help="Seconds one document may take before it is reported unreadable.",
)
reveal = click.option(
    "--reveal",
    is_flag=True,
    help="Show ID and phone numbers unmasked (they are masked by default).",
)
