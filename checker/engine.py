"""The checking engine: what ``annex check``, ``annex registry add`` and the service run.

One pass per call: discovery (packages, their ``package.yaml``, a profile file beside the
package) → the crash-isolated batch of documents → the package phase (the profile's package
rules, the subsidy estimate) → the registry's findings. Callers differ only in what they do
with the results: report them, register them, store them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annexkit.checker.batch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    SearchableCheck,
    run_batch,
)
from annexkit.checker.batch import default_check as _default_check
from annexkit.checker.discover import PackageSource, discover
from annexkit.checker.package_check import GrantHistory, check_package, check_registry
from annexkit.checker.readers.limits import ReadLimits
from annexkit.checker.result import PackageResult
from annexkit.contract.text import AnnexkitError
from annexkit.policy.profiles import DEFAULT_PROFILE, Profile, ProfileError, load_profile

if TYPE_CHECKING:
    from annexkit.checker.batch import Checker


class CheckError(AnnexkitError):
    """The check cannot start: a PATH that does not exist, a profile or calendar file that
    cannot be used. Raised before any document is read."""


@dataclass(frozen=True)
class CheckOptions:
    """How to check. Every field has the CLI's default."""

    profile: str | None = None
    """Profile NAME or FILE for every package; None: each package's ``package.yaml``, else
    :data:`~annexkit.policy.profiles.DEFAULT_PROFILE`."""
    claim_date: dt.date | None = None
    """Claim date for every package; None: each package's ``package.yaml``, else today."""
    registry: GrantHistory | None = None
    """Registry of granted subsidies: adds its findings to each package."""
    per_year: int | None = None
    """Subsidies a person may get a year, instead of the profile's (``registry add``)."""
    workers: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    limits: ReadLimits = field(default_factory=ReadLimits)
    """What one document may make the readers decode (pixels, pages, XML, cells)."""
    max_memory: int | None = DEFAULT_MAX_MEMORY
    """Bytes of memory each worker may take (None: no cap)."""
    searchable: Path | None = None
    """Folder for searchable copies of scanned files (``--searchable``)."""
    progress: bool | None = None
    """A progress line on stderr (None: only when stderr is a terminal)."""
    today: dt.date = field(default_factory=dt.date.today)


def is_package(source: PackageSource) -> bool:
    """A folder or archive is a package; a lone document named by the user is checked by
    itself, without the package rules (it cannot have its companions)."""
    path = source.location or Path(source.path)
    return source.archive is not None or not path.is_file() or path.suffix.lower() == ".zip"


def profile_reference(given: str | None, package: Path) -> str:
    """A profile name or file; a relative file named by ``package.yaml`` (or the option) is
    looked for in the package's folder first."""
    if not given:
        return DEFAULT_PROFILE
    if given.endswith((".yaml", ".yml")) and not Path(given).is_absolute():
        beside = package / given
        if beside.is_file():
            return str(beside)
    return given


class _Profiles:
    """Each profile loaded once per run; a bad one is a :class:`CheckError`."""

    def __init__(self) -> None:
        self._loaded: dict[str, Profile] = {}

    def get(self, reference: str) -> Profile:
        if reference not in self._loaded:
            try:
                self._loaded[reference] = load_profile(reference)
            except ProfileError as exc:
                raise CheckError(str(exc)) from None
        return self._loaded[reference]


def _check_calendar() -> None:
    """A broken calendar file of the user's is a usage error, found before any work."""
    from annexkit.policy.workdays import CalendarFileError, default_calendar

    try:
        default_calendar()
    except CalendarFileError as exc:
        raise CheckError(str(exc)) from None


def find_packages(paths: Iterable[str | os.PathLike[str]]) -> list[PackageSource]:
    """The packages under PATHs (see :func:`annexkit.checker.discover.discover`)."""
    from annexkit.checker.discover import DiscoveryError

    try:
        return discover(paths)
    except DiscoveryError as exc:
        raise CheckError(str(exc)) from None


def check(
    paths: Iterable[str | os.PathLike[str]], options: CheckOptions | None = None
) -> Iterator[PackageResult]:
    """Check every package under ``paths``; yield each :class:`PackageResult` in input order
    as soon as it is complete (documents, package rules, registry findings).

    Usage errors (a missing PATH, an unusable profile or calendar file) raise
    :class:`CheckError` here, before any document is read. A bad document never stops the
    run: it gets a finding.
    """
    return check_sources(find_packages(paths), options)


def check_sources(
    sources: list[PackageSource], options: CheckOptions | None = None
) -> Iterator[PackageResult]:
    """:func:`check` for packages already found (``find_packages``), e.g. to count them."""
    options = options or CheckOptions()
    _check_calendar()
    profiles = _Profiles()
    if options.profile is not None:
        profiles.get(profile_reference(options.profile, Path.cwd()))  # fail before any work
    return _run(sources, options, profiles)


def _run(
    packages: list[PackageSource], options: CheckOptions, profiles: _Profiles
) -> Iterator[PackageResult]:
    checker: Checker = SearchableCheck(options.searchable) if options.searchable else _default_check
    batch = run_batch(
        packages,
        workers=options.workers,
        timeout=options.timeout,
        max_bytes=options.max_bytes,
        progress=options.progress,
        check=checker,
        limits=options.limits,
        max_memory=options.max_memory,
    )
    # closing: a caller that stops early (or a failing registry) stops the workers at once.
    with closing(batch) as results:
        for source, result in zip(packages, results, strict=True):
            where = source.location or Path(source.path)
            reference = profile_reference(options.profile or source.profile, where)
            profile = profiles.get(reference)
            if is_package(source):
                day = options.claim_date or source.claim_date or options.today
                check_package(result, profile, day)
            if options.registry is not None:
                check_registry(result, profile, options.registry, per_year=options.per_year)
            yield result
