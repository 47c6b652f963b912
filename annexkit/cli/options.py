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

# Limits on one document, judged from its headers before anything is decoded.
max_memory = click.option(
    "--max-memory",
    "max_memory_gb",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="GB of memory one worker may take; a document that needs more is reported "
    "unreadable instead of exhausting the machine (reading scans needs about 1 GB).",
)
max_megapixels = click.option(
    "--max-megapixels",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Largest page image, in millions of pixels: larger images are refused unread, "
    "larger scanned PDF pages are read at a lower resolution (with a finding).",
)
max_pages = click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Pages read from one PDF or TIFF; later pages are reported as not read.",
)
max_xml_mb = click.option(
    "--max-xml-mb",
    type=click.FloatRange(min=0.01),
    default=50.0,
    show_default=True,
    help="A DOCX or XLSX holding more than this many MB of uncompressed XML is refused unread.",
)
max_cells = click.option(
    "--max-cells",
    type=click.IntRange(min=1),
    default=500_000,
    show_default=True,
    help="An XLSX defining more cells than this is refused unread.",
)
