"""The checking service (``annex serve``, ``annex worker``): an HTTP API over the checker.

Institutions upload packages, the same check pass as ``annex check`` runs in worker processes
(:func:`annexkit.checker.engine.check_sources`, with its crash-isolated pool), and reviewers
read the contract's JSON report, decide on findings and pass or return packages.

Rooms: ``cli → service → checker / generator → policy → contract``. Modules:

- :mod:`.settings` — what a server is started with;
- :mod:`.db` — the tables and one SQLAlchemy engine (SQLite by default, PostgreSQL by URL),
  migrated by Alembic (:mod:`.migrations`) at start;
- :mod:`.storage` — uploaded files by content hash;
- :mod:`.users`, :mod:`.auth` — accounts, API tokens, passwords, who is asking;
- :mod:`.jobs` — the one job function (check a submission, store its report);
- :mod:`.runner` (SQLite: a local pool inside ``annex serve``) and :mod:`.pgqueue`
  (PostgreSQL: procrastinate, ``annex worker`` on any machine) run it;
- :mod:`.app` — :func:`~annexkit.service.app.create_app`, the routers in :mod:`.api`, and
  ``templates/`` reserved for the reviewers' web page.
"""
