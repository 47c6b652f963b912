"""Alembic migrations of the service's tables, shipped inside the package and applied by
:func:`annexkit.service.db.migrate` at every start of ``annex serve``/``annex worker``."""
