"""Options shared by several commands (`check`, `registry add`, `generate`, and the
service's `serve`, `worker` and `users`)."""

from __future__ import annotations

from pathlib import Path

import click

workers = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="检查进程数 / Processes checking documents (default: the number of cores).",
)
timeout = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=120.0,
    show_default=True,
    help="单个文件的检查时限（秒）/ Seconds one document may take before it is reported "
    "unreadable.",
)
reveal = click.option(
    "--reveal",
    is_flag=True,
    help="显示完整的身份证号和电话号码 / Show ID and phone numbers unmasked (they are masked "
    "by default).",
)

# Limits on one document, judged from its headers before anything is decoded.
max_memory = click.option(
    "--max-memory",
    "max_memory_gb",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="每个检查进程的内存上限（GB）/ GB of memory one worker may take; a document that "
    "needs more is reported unreadable instead of exhausting the machine (reading scans "
    "needs about 1 GB).",
)
max_megapixels = click.option(
    "--max-megapixels",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="页面图像像素上限（百万）/ Largest page image, in millions of pixels: larger images "
    "are refused unread, larger scanned PDF pages are read at a lower resolution (with a "
    "finding).",
)
max_pages = click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="每个 PDF 或 TIFF 读取的页数上限 / Pages read from one PDF or TIFF; later pages are "
    "reported as not read.",
)
max_xml_mb = click.option(
    "--max-xml-mb",
    type=click.FloatRange(min=0.01),
    default=50.0,
    show_default=True,
    help="DOCX/XLSX 解压后 XML 的上限（MB）/ A DOCX or XLSX holding more than this many MB of "
    "uncompressed XML is refused unread.",
)
max_cells = click.option(
    "--max-cells",
    type=click.IntRange(min=1),
    default=500_000,
    show_default=True,
    help="XLSX 单元格数上限 / An XLSX defining more cells than this is refused unread.",
)

service_db = click.option(
    "--db",
    "db_url",
    default=None,
    help="数据库 / Database URL: sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB "
    "(default: SQLite in the data folder).",
)
service_data = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("annex-data"),
    show_default=True,
    help="数据文件夹 / The service's folder: uploaded files (by content hash) and the default "
    "SQLite database.",
)
