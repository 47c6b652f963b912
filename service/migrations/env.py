"""Alembic's environment: always run with the connection :func:`annexkit.service.db.migrate`
hands over (``config.attributes["connection"]``), never from an ``alembic.ini``."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from annexkit.service.db import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through annexkit.service.db.migrate()")
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things: later migrations change tables by copying them.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
