"""``annex serve`` and ``annex worker``: the checking service and its job workers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from annexkit.cli import options as cli_options
from annexkit.cli.errors import CommandError

if TYPE_CHECKING:
    from annexkit.service.settings import Settings

_check_processes = click.option(
    "--check-processes",
    type=click.IntRange(min=1),
    default=None,
    help="每个任务的检查进程数 Checker processes per job (default: the number of cores).",
)
_stalled = click.option(
    "--stalled-after",
    type=click.FloatRange(min=1),
    default=30.0,
    show_default=True,
    help="PostgreSQL：工作进程无心跳多少秒后其任务重新排队 / seconds without a worker's "
    "heartbeat before its job is queued again.",
)


def _settings(
    data_dir: Path,
    db_url: str | None,
    *,
    workers: int = 1,
    check_processes: int | None = None,
    timeout: float = 120.0,
    max_upload_mb: float = 200.0,
    stalled_after: float = 30.0,
) -> Settings:
    from annexkit.service.settings import Settings

    return Settings(
        data_dir=data_dir,
        db_url=db_url,
        job_workers=workers,
        check_processes=check_processes,
        check_timeout=timeout,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        stalled_after=stalled_after,
        heartbeat=max(1.0, min(10.0, stalled_after / 3)),
    ).resolve()


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址 Address to listen on."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口 Port."
)
@cli_options.service_db
@cli_options.service_data
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="本进程同时运行的检查任务数 Jobs this server runs at once (PostgreSQL: 0 leaves "
    "them to `annex worker`).",
)
@_check_processes
@cli_options.timeout
@click.option(
    "--max-upload-mb",
    type=click.FloatRange(min=0.001),
    default=200.0,
    show_default=True,
    help="上传大小上限（MB）Largest upload (the whole request); larger ones get 413.",
)
@_stalled
def serve(
    host: str,
    port: int,
    db_url: str | None,
    data_dir: Path,
    workers: int,
    check_processes: int | None,
    timeout: float,
    max_upload_mb: float,
    stalled_after: float,
) -> None:
    """运行检查服务（HTTP API，见 docs/api.md）/ Run the checking service (HTTP API).

    Uploads are checked in the background by the same pass as `annex check`. SQLite (the
    default, in --data) needs nothing installed; with --db postgresql+psycopg://… jobs go
    through procrastinate and `annex worker` can run them on other machines. Create
    accounts with `annex users add`.
    """
    import uvicorn

    from annexkit.service.app import create_app

    settings = _settings(
        data_dir,
        db_url,
        workers=workers,
        check_processes=check_processes,
        timeout=timeout,
        max_upload_mb=max_upload_mb,
        stalled_after=stalled_after,
    )
    if workers == 0 and not settings.is_postgres:
        raise CommandError(
            "使用 SQLite 时 --workers 至少为 1（任务只在本进程中运行）/ with SQLite, --workers "
            "must be at least 1 (jobs run inside this server)"
        )
    app = create_app(settings)
    click.echo(
        f"annexkit 服务 service: http://{host}:{port}  数据 data: {settings.data_dir}  "
        f"数据库 database: {settings.url.render_as_string(hide_password=True)}",
        err=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


@click.command()
@click.option(
    "--db", "db_url", required=True, help="数据库 PostgreSQL URL (postgresql+psycopg://…)."
)
@cli_options.service_data
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="同时运行的任务数 Jobs run at once.",
)
@_check_processes
@cli_options.timeout
@_stalled
def worker(
    db_url: str,
    data_dir: Path,
    concurrency: int,
    check_processes: int | None,
    timeout: float,
    stalled_after: float,
) -> None:
    """运行检查任务（PostgreSQL）/ Run check jobs from a PostgreSQL-backed service.

    Any number of workers, on any machines that share --data (the uploaded files) and the
    database. Stops on Ctrl-C or SIGTERM; a job it was running is queued again.
    """
    import asyncio

    from annexkit.service import db
    from annexkit.service.app import load_pgqueue
    from annexkit.service.storage import BlobStore

    settings = _settings(
        data_dir,
        db_url,
        check_processes=check_processes,
        timeout=timeout,
        stalled_after=stalled_after,
    )
    if not settings.is_postgres:
        raise CommandError(
            "annex worker 需要 PostgreSQL（SQLite 时任务在 annex serve 中运行）/ annex worker "
            "needs PostgreSQL: with SQLite, jobs run inside `annex serve`"
        )
    pgqueue = load_pgqueue()
    database = db.Database(settings.url)
    db.migrate(database)
    pgqueue.apply_schema(settings)
    store = BlobStore(settings.blob_dir)
    click.echo(f"annexkit worker: {database.shown}, concurrency {concurrency}", err=True)
    try:
        asyncio.run(pgqueue.work(settings, database, store, concurrency))
    finally:
        database.close()
