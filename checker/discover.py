"""From the user's PATH arguments to packages (data contract, "A package").

A PATH is a file (one package of that file), a folder of documents (one package), a folder
whose sub-folders are packages (a batch: each sub-folder, each ``.zip`` beside them, and the
loose files together are packages) or a ``.zip`` (one package, or a batch when its top level
holds folders).

Archives are untrusted input. Discovery reads only a zip's central directory: it refuses the
whole archive when it would unpack to too much (size, compression ratio, entry count), and
refuses single entries whose names could escape a folder (``..``, absolute paths) or that
are symbolic links. Members are extracted only inside :meth:`PackageSource.open`, into a
private temporary folder removed on exit, so a batch of thousands of zips needs disk space
for the packages being checked, not for all of them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from annexkit.checker.findings import Finding
from annexkit.checker.normalize import parse_date
from annexkit.contract.text import AnnexkitError, Text
from annexkit.policy.values import as_date

MB = 1024 * 1024
DEFAULT_MAX_ARCHIVE_BYTES = 500 * MB
DEFAULT_MAX_RATIO = 100.0
DEFAULT_MAX_MEMBERS = 100_000
MAX_SETTINGS_BYTES = 64 * 1024
SETTINGS_NAMES = frozenset(("package.yaml", "package.yml"))
SETTINGS_KEYS = ("profile", "claim_date")

# Entries above this size are checked for their own compression ratio too: a bomb hidden among
# large incompressible scans could keep the archive's overall ratio under the limit. Small
# members (an XML or text file of repeated spaces) legitimately reach high ratios.
_RATIO_CHECK_MIN_BYTES = 1 * MB
# Files that operating systems and Office leave beside documents; never annexes.
_SYSTEM_FILES = frozenset((".ds_store", "thumbs.db", "desktop.ini"))
_UTF8_FLAG = 0x800
_COPY_CHUNK = 1 * MB


class DiscoveryError(AnnexkitError, ValueError):
    """A PATH argument does not exist or cannot be listed at all: a usage error, not a
    finding, since nothing was submitted under that name."""


@dataclass(frozen=True)
class ZipMember:
    """A document still inside an archive: its entry in the zip and its size when unpacked."""

    name: str
    """The entry name exactly as :mod:`zipfile` knows it (used to read it)."""
    display: str
    """Path inside the package, as shown in reports (decoded, relative to the package)."""
    size: int


@dataclass
class OpenedPackage:
    """A package's documents as readable files, valid inside :meth:`PackageSource.open`."""

    documents: list[tuple[Path, str]]
    """Readable file and display path, in package order."""
    unreadable: list[Finding] = field(default_factory=list)
    """``unreadable-document`` findings (one per document, ``document`` set) for archive
    members that could not be unpacked: encrypted, corrupt, unsupported compression, or
    larger than the per-document limit."""


@dataclass
class PackageSource:
    """One package as found on disk, before any document is read."""

    path: str
    """The package as reports show it: the PATH argument, ``batch/sub``, ``x.zip``,
    ``x.zip/sub``."""
    documents: list[tuple[Path, str]] = field(default_factory=list)
    """Every document and its display path inside the package. For a package inside an
    archive the paths point into the zip (``x.zip/a.docx``) and are not files: use
    :meth:`open` to read them."""
    profile: str | None = None
    """Policy profile named by ``package.yaml`` (None: the checker's default)."""
    claim_date: dt.date | None = None
    """Claim date named by ``package.yaml``."""
    refusals: list[Finding] = field(default_factory=list)
    """Package-level findings from discovery: refused archives and archive entries, a bad
    ``package.yaml``, folders that could not be listed."""
    archive: Path | None = None
    """The zip holding the documents, when they come from one."""
    members: list[ZipMember] = field(default_factory=list, repr=False)
    """The archive entries behind :attr:`documents`, same order."""
    location: Path | None = None
    """The folder or file on disk, for a package not inside an archive. :attr:`path` is
    for people and may differ from it: a name that is not valid UTF-8 is shown decoded
    (:func:`display_path`)."""

    @contextmanager
    def open(self, max_bytes: int | None = None) -> Iterator[OpenedPackage]:
        """The documents as readable files. Archive members are unpacked into a temporary
        folder that is removed when the block ends; members over ``max_bytes`` are not
        unpacked at all but reported in :attr:`OpenedPackage.unreadable`. Never raises for
        a bad member."""
        if self.archive is None:
            yield OpenedPackage(list(self.documents))
            return
        with tempfile.TemporaryDirectory(prefix="annexkit-") as tmp:
            yield _extract(self.archive, self.members, Path(tmp), max_bytes)


def discover(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_archive_bytes: int = DEFAULT_MAX_ARCHIVE_BYTES,
    max_ratio: float = DEFAULT_MAX_RATIO,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> list[PackageSource]:
    """The packages under the user's PATH arguments, in argument order, each argument's
    packages in natural name order (``班2`` before ``班10``). Raises :class:`DiscoveryError`
    when a PATH does not exist; every other problem becomes a finding on its package."""
    given = [os.fspath(p) for p in paths]
    missing = [p for p in given if not os.path.lexists(p)]
    if missing:
        names = "、".join(missing)
        raise DiscoveryError(f"路径不存在：{names} / no such file or folder: {', '.join(missing)}")
    limits = _Limits(max_archive_bytes, max_ratio, max_members)
    packages: list[PackageSource] = []
    for shown in given:
        path = Path(shown)
        if path.is_dir():
            packages.extend(_scan_top_folder(path, shown, _Settings(), limits, path.resolve()))
        elif _is_zip(path.name):
            packages.extend(_scan_zip(path, shown, _Settings(), limits))
        else:
            # A file named explicitly is a document even if it looks like a lock file: the
            # user asked for it.
            packages.append(PackageSource(shown, documents=[(path, path.name)]))
    return [_displayed(package) for package in packages]


# --- messages ------------------------------------------------------------------------------


def unreadable(document: str | None, zh: str, en: str) -> Finding:
    """An ``unreadable-document`` finding whose message names the file in both languages."""
    params = {"document": document or "", "reason": Text(zh, en)}
    return Finding("unreadable-document", params, document=document)


def too_large(document: str, size: int, limit: int) -> Finding:
    """The finding for a document refused before reading because of its size."""
    return unreadable(
        document,
        f"文件过大（{size_text(size)}，超过上限 {size_text(limit)}），未读取",
        f"file too large ({size_text(size)} > limit {size_text(limit)}), not read",
    )


def size_text(size: float) -> str:
    """``300 MB``, ``1.5 MB``, ``20 KB``, ``999 B``: as precise as a reader needs."""
    for unit, factor in (("MB", MB), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{size:.0f} B"


# --- names ---------------------------------------------------------------------------------

# Python turns bytes of a file name that are not valid in the file system encoding into lone
# surrogates U+DC80–U+DCFF (PEP 383); no report format can encode them.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def display_path(text: str) -> str:
    """``text``, a path from the file system, as people read it. A name whose bytes are not
    UTF-8 — typically GBK, from a zip made on a Chinese Windows and unpacked by a tool that
    kept the bytes — is shown decoded as GB18030 when that decodes cleanly, else with its
    undecodable bytes escaped (``\\xff``). Each path part is decoded by itself, since a
    GBK folder may sit in a UTF-8 one. Text without such bytes is returned unchanged."""
    if not _ESCAPED_BYTE.search(text):
        return text
    # Split on "/" only: a GBK character's second byte may be 0x5C, a backslash.
    return "/".join(_display_part(part) for part in text.split("/"))


def _display_part(part: str) -> str:
    if not _ESCAPED_BYTE.search(part):
        return part
    raw = os.fsencode(part)
    # UTF-8 first: under a C locale without UTF-8 mode even UTF-8 names arrive escaped.
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def _displayed(source: PackageSource) -> PackageSource:
    """``source`` with every name it shows (its path, its documents' paths, its findings)
    made printable by :func:`display_path`; the files are still reached by their real
    names (:attr:`PackageSource.location`, the paths in :attr:`PackageSource.documents`)."""
    if source.archive is None and source.location is None:
        source.location = Path(source.path)
    source.path = display_path(source.path)
    source.documents = [(path, display_path(shown)) for path, shown in source.documents]
    for finding in source.refusals:
        if finding.document is not None:
            finding.document = display_path(finding.document)
        finding.params = {key: _displayed_param(value) for key, value in finding.params.items()}
    return source


def _displayed_param(value: Any) -> Any:
    if isinstance(value, str):
        return display_path(value)
    if isinstance(value, Text):
        return Text(display_path(value.zh), display_path(value.en))
    return value


# --- folders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    archive_bytes: int
    ratio: float
    members: int


@dataclass
class _Settings:
    """What a ``package.yaml`` says; a batch's own file gives defaults to its packages."""

    profile: str | None = None
    claim_date: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)

    def under(self, inner: _Settings) -> _Settings:
        """``inner`` (a package's own file) overriding self (the batch's)."""
        return _Settings(
            inner.profile or self.profile,
            inner.claim_date or self.claim_date,
            self.findings + inner.findings,
        )

    def package(self, path: str, **kwargs: Any) -> PackageSource:
        source = PackageSource(path, profile=self.profile, claim_date=self.claim_date, **kwargs)
        source.refusals[:0] = self.findings
        return source


def _natural(name: str) -> list[Any]:
    """Sort key: digit runs compare as numbers. ``re.split`` with a group alternates text and
    digits starting with text, so positions always hold comparable types."""
    return [int(t) if i % 2 else t.casefold() for i, t in enumerate(re.split(r"(\d+)", name))]


def _hidden_folder(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def _not_a_document(name: str) -> bool:
    """Hidden files, Office lock files (``~$报名表.docx``), OS litter, and YAML: ``package.yaml``,
    the ``expected.yaml`` of sample packages, a profile file a package.yaml names. No annex
    is ever submitted as YAML."""
    folded = name.casefold()
    return (
        name.startswith((".", "~$"))
        or folded in _SYSTEM_FILES
        or folded in SETTINGS_NAMES
        or folded.endswith((".yaml", ".yml"))
    )


def _is_zip(name: str) -> bool:
    return name.casefold().endswith(".zip")


def _is_settings(name: str) -> bool:
    return name.casefold() in SETTINGS_NAMES


def _join(shown: str, name: str) -> str:
    """A child's display path, in the separator style of what the user typed."""
    return os.path.join(shown, name)


def _scan_top_folder(
    folder: Path, shown: str, inherited: _Settings, limits: _Limits, root: Path
) -> list[PackageSource]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: _natural(e.name))
    except OSError as exc:
        return [
            inherited.package(
                shown, refusals=[unreadable(shown, "无法读取文件夹", f"cannot list folder: {exc}")]
            )
        ]
    subfolders: list[os.DirEntry[str]] = []
    archives: list[os.DirEntry[str]] = []
    loose: list[os.DirEntry[str]] = []
    settings_file: Path | None = None
    links: list[Finding] = []
    for entry in entries:
        refusal = _link_refusal(Path(entry.path), _join(shown, entry.name), root)
        if refusal is not None:
            links.append(refusal)
        elif _safe_is_dir(entry):
            if not _hidden_folder(entry.name):
                subfolders.append(entry)
        elif _is_settings(entry.name):
            settings_file = Path(entry.path)
        elif _not_a_document(entry.name):
            continue
        elif _is_zip(entry.name):
            archives.append(entry)
        else:
            loose.append(entry)
    if not subfolders and not archives:
        return [_folder_package(folder, shown, inherited, root)]
    # A batch. Its package.yaml applies to every package in it (a package's own overrides).
    own = inherited.under(_read_settings_file(settings_file, _join(shown, "package.yaml")))
    packages: list[PackageSource] = []
    if loose:
        packages.append(own.package(shown, documents=[(Path(e.path), e.name) for e in loose]))
    for entry in sorted(subfolders + archives, key=lambda e: _natural(e.name)):
        child = _join(shown, entry.name)
        if _safe_is_dir(entry):
            packages.append(_folder_package(Path(entry.path), child, own, root))
        else:
            packages.extend(_scan_zip(Path(entry.path), child, own, limits))
    # Refused links belong to no package; the first carries them, as for refused zip entries.
    if links:
        packages[0].refusals.extend(links)
    return packages


def _link_refusal(path: Path, shown: str, root: Path) -> Finding | None:
    """A symbolic link is followed only to a file inside the checked folder ``root``: one
    leading outside would check (and list in the report) files nobody submitted, and one to
    a folder inside would check its documents twice or loop. None for anything else."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop of links, or one to nothing
        return unreadable(
            shown,
            "符号链接循环或指向不存在的位置，已拒绝",
            "symbolic link that loops or leads nowhere, refused",
        )
    inside = target == root or root in target.parents
    if not inside:
        return unreadable(
            shown,
            "符号链接指向检查的文件夹之外，已拒绝",
            "symbolic link leading outside the checked folder, refused",
        )
    if not target.is_dir():
        return None
    here = path.parent.resolve()
    if target == here or target in here.parents:
        return unreadable(
            shown,
            "符号链接指向其所在的文件夹（循环），已拒绝",
            "symbolic link to a folder containing it (a loop), refused",
        )
    return unreadable(
        shown,
        "指向文件夹的符号链接不跟随（其中的文件在原位置检查）",
        "symbolic link to a folder is not followed (its files are checked where they are)",
    )


def _safe_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _folder_package(
    folder: Path, shown: str, inherited: _Settings, root: Path | None = None
) -> PackageSource:
    """Every document under ``folder`` (nested folders included: a package may keep its
    sign-in sheets in a sub-folder). Symbolic links to folders are not followed, so a link
    loop cannot make the walk endless; they, and links to files outside the checked folder
    ``root`` (default ``folder``), get a finding naming the link (:func:`_link_refusal`)."""
    root = root or folder.resolve()
    problems: list[Finding] = []

    def walk_error(exc: OSError) -> None:
        where = exc.filename or shown
        problems.append(unreadable(str(where), "无法读取文件夹", f"cannot list folder: {exc}"))

    documents: list[tuple[Path, str]] = []
    settings_file = next(
        (
            folder / n
            for n in _listdir(folder)
            if _is_settings(n)
            and (folder / n).is_file()
            and _link_refusal(folder / n, n, root) is None
        ),
        None,
    )
    for walked, dirs, files in os.walk(folder, onerror=walk_error):
        base = Path(walked)
        for name in dirs:
            if not _hidden_folder(name):
                refusal = _link_refusal(
                    base / name, (base / name).relative_to(folder).as_posix(), root
                )
                if refusal is not None:
                    problems.append(refusal)
        dirs[:] = sorted(
            (d for d in dirs if not _hidden_folder(d) and not (base / d).is_symlink()),
            key=_natural,
        )
        for name in sorted(files, key=_natural):
            if _not_a_document(name):
                continue
            path = base / name
            refusal = _link_refusal(path, path.relative_to(folder).as_posix(), root)
            if refusal is not None:
                problems.append(refusal)
                continue
            documents.append((path, path.relative_to(folder).as_posix()))
    settings = inherited.under(_read_settings_file(settings_file, "package.yaml"))
    source = settings.package(shown, documents=documents)
    source.refusals.extend(problems)
    return source


def _listdir(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


# --- package.yaml --------------------------------------------------------------------------


def _read_settings_file(path: Path | None, label: str) -> _Settings:
    if path is None:
        return _Settings()
    try:
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            return _settings_too_large(label)
        raw = path.read_bytes()
    except OSError as exc:
        return _Settings(findings=[unreadable(label, "无法读取", f"cannot read: {exc}")])
    return _parse_settings(raw, label)


def _settings_too_large(label: str) -> _Settings:
    limit = MAX_SETTINGS_BYTES // 1024
    return _Settings(
        findings=[
            unreadable(label, f"文件超过 {limit} KB，已忽略", f"larger than {limit} KB, ignored")
        ]
    )


class _SettingsLoader(yaml.SafeLoader):
    """The safe loader without implicit timestamps: PyYAML turns ``2025-02-30`` into a
    ValueError from deep inside the parser; as text it is reported as an invalid claim date
    like any other, and ``2025年6月30日`` is accepted the same way."""


_SettingsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_settings(raw: bytes, label: str) -> _Settings:
    """``profile`` and ``claim_date`` from a package.yaml. Anything wrong is a finding and the
    package is checked with defaults for what could not be read."""
    text: str | None = None
    # Notepad on a Chinese Windows saves GBK unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return _Settings(findings=[unreadable(label, "编码无法识别", "unknown text encoding")])
    try:
        loaded = yaml.load(text, Loader=_SettingsLoader)  # a SafeLoader: builds no objects
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        reason = str(exc).replace("\n", " ")
        return _Settings(findings=[unreadable(label, "YAML 格式错误", f"invalid YAML: {reason}")])
    if loaded is None:
        return _Settings()
    if not isinstance(loaded, dict):
        return _Settings(
            findings=[
                unreadable(label, "内容应为“键: 值”映射", "must be a mapping of keys to values")
            ]
        )
    settings = _Settings()
    for key, value in loaded.items():
        if key == "profile":
            if isinstance(value, str) and value.strip():
                settings.profile = value.strip()
            else:
                settings.findings.append(
                    _bad_setting(
                        label, "profile", value, "应为政策配置名称", "must be a profile name"
                    )
                )
        elif key == "claim_date":
            claim = _as_date(value)
            if claim is None:
                settings.findings.append(
                    _bad_setting(
                        label,
                        "claim_date",
                        value,
                        "不是有效日期",
                        "is not a valid date (YYYY-MM-DD)",
                    )
                )
            settings.claim_date = claim
        else:
            # A misspelt key (claim-date) would otherwise be silently ignored.
            known = ", ".join(SETTINGS_KEYS)
            settings.findings.append(
                Finding(
                    "invalid-value",
                    {"document": label, "key": key, "known": known},
                    document=label,
                    path=f"/{key}",
                    value=key,
                    variant="unknown-setting",
                )
            )
    return settings


def _bad_setting(label: str, key: str, value: object, zh: str, en: str) -> Finding:
    shown = repr(value)
    return Finding(
        "invalid-value",
        {"document": label, "key": key, "value": shown, "reason": Text(zh, en)},
        document=label,
        path=f"/{key}",
        value=value if isinstance(value, str | int | float) else shown,
        variant="bad-setting",
    )


def _as_date(value: object) -> dt.date | None:
    """A claim date as a package.yaml writes it (any date notation, or a YAML date)."""
    return as_date(parse_date(value) if isinstance(value, str) else value)


# --- archives ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]
    """The decoded name split on ``/``, never empty, no ``..``."""


def _scan_zip(path: Path, shown: str, inherited: _Settings, limits: _Limits) -> list[PackageSource]:
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return [
            inherited.package(
                shown,
                refusals=[
                    unreadable(name, "无法打开压缩包", f"cannot open the zip archive: {exc}")
                ],
            )
        ]
    with archive:
        infos = archive.infolist()
        refusal = _refuse_archive(name, infos, limits)
        if refusal is not None:
            return [inherited.package(shown, refusals=[refusal])]
        entries, refused = _safe_entries(infos)
        return _zip_packages(archive, path, shown, entries, refused, inherited)


def _refuse_archive(name: str, infos: list[zipfile.ZipInfo], limits: _Limits) -> Finding | None:
    """Why the whole archive must not be unpacked, judged from the central directory alone.
    The declared sizes bound what extraction can produce: :mod:`zipfile` stops at the
    declared size and then fails the CRC, and :func:`_extract` counts bytes as well."""
    if len(infos) > limits.members:
        return unreadable(
            name,
            f"压缩包被拒绝：含 {len(infos)} 个条目，超过上限 {limits.members}，未解压",
            f"archive refused: {len(infos)} entries exceed the limit of {limits.members}; "
            "nothing extracted",
        )
    total = sum(i.file_size for i in infos)
    if total > limits.archive_bytes:
        return unreadable(
            name,
            f"压缩包被拒绝：解压后共 {size_text(total)}，"
            f"超过上限 {size_text(limits.archive_bytes)}，未解压",
            f"archive refused: {size_text(total)} uncompressed exceeds the limit of "
            f"{size_text(limits.archive_bytes)}; nothing extracted",
        )
    packed = sum(i.compress_size for i in infos)
    # Below a megabyte in all, no ratio is dangerous, and small text-like files compress well.
    ratio = total / max(packed, 1) if total > _RATIO_CHECK_MIN_BYTES else 0.0
    for info in infos:
        if info.file_size > _RATIO_CHECK_MIN_BYTES:
            ratio = max(ratio, info.file_size / max(info.compress_size, 1))
    if ratio > limits.ratio:
        return unreadable(
            name,
            f"压缩包被拒绝：压缩比 {ratio:.0f}:1 超过上限 {limits.ratio:.0f}:1"
            "（疑似压缩炸弹），未解压",
            f"archive refused: compression ratio {ratio:.0f}:1 exceeds the limit of "
            f"{limits.ratio:.0f}:1 (likely a zip bomb); nothing extracted",
        )
    return None


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry name as its author saw it. Zips made by Windows Explorer and many Chinese
    tools store GBK names without the UTF-8 flag; :mod:`zipfile` then decodes them as CP437
    (mojibake), which this undoes."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            raw = b""
        if raw:
            name = _decoded_bytes(raw)
    # Escaped only now: the escapes' backslashes must not become separators.
    name = name.replace("\\", "/")
    return _ESCAPED_BYTE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", name)


def _decoded_bytes(raw: bytes) -> str:
    """An entry name stored without the UTF-8 flag: UTF-8 anyway (many tools forget the
    flag), else GBK/GB18030 (Windows Explorer on a Chinese system), else with its
    undecodable bytes as surrogate escapes, for :func:`_decoded_name` to show escaped
    (``\\xff``) rather than as CP437 mojibake."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "surrogateescape")


def _safe_entries(infos: list[zipfile.ZipInfo]) -> tuple[list[_Entry], list[Finding]]:
    """Entries that may be unpacked, and a refusal for each that may not. Extraction writes
    to names of its own choosing, so these names never reach the file system; they are
    refused because an archive containing them is malformed or hostile, and a reviewer
    should see that rather than have the entry silently vanish."""
    entries: list[_Entry] = []
    refused: list[Finding] = []
    for info in infos:
        name = _decoded_name(info)
        if info.is_dir() or name.endswith("/"):
            continue
        raw_parts = name.split("/")
        if stat.S_ISLNK(info.external_attr >> 16):
            refused.append(
                unreadable(name, "压缩包中的符号链接，已拒绝", "symbolic link in archive, refused")
            )
        elif name.startswith("/") or re.match(r"[A-Za-z]:", name):
            refused.append(
                unreadable(name, "压缩包中的绝对路径，已拒绝", "absolute path in archive, refused")
            )
        elif ".." in raw_parts:
            refused.append(
                unreadable(
                    name,
                    "压缩包中的路径含“..”（可能写到包外），已拒绝",
                    "path in archive contains '..' (could escape the folder), refused",
                )
            )
        elif "\0" in name:
            refused.append(unreadable(name, "文件名无效，已拒绝", "invalid file name, refused"))
        else:
            parts = tuple(p for p in raw_parts if p not in ("", "."))
            # Litter (__MACOSX/, .DS_Store, lock files) is dropped here, before the layout
            # is judged, so it cannot turn a wrapped package into a batch.
            if (
                parts
                and not any(_hidden_folder(p) for p in parts[:-1])
                and (_is_settings(parts[-1]) or not _not_a_document(parts[-1]))
            ):
                entries.append(_Entry(info, parts))
    return entries, refused


def _zip_packages(
    archive: zipfile.ZipFile,
    path: Path,
    shown: str,
    entries: list[_Entry],
    refused: list[Finding],
    inherited: _Settings,
) -> list[PackageSource]:
    # "Compress this folder" wraps everything in one folder named after it: look through
    # such wrappers, so a zipped package is a package and not a batch of one.
    depth = 0
    while entries and all(len(e.parts) > depth + 1 for e in entries):
        tops = {e.parts[depth] for e in entries}
        if len(tops) != 1:
            break
        depth += 1
    rel = [(e, e.parts[depth:]) for e in entries]
    groups: dict[str, list[tuple[_Entry, tuple[str, ...]]]] = {}
    loose: list[tuple[_Entry, tuple[str, ...]]] = []
    for entry, parts in rel:
        if len(parts) == 1:
            loose.append((entry, parts))
        else:
            groups.setdefault(parts[0], []).append((entry, parts[1:]))

    if not groups:
        source = _zip_package(archive, path, shown, loose, inherited)
        source.refusals.extend(refused)
        return [source]
    root_settings = next((e for e, p in loose if _is_settings(p[0])), None)
    own = inherited.under(_read_settings_member(archive, root_settings, "package.yaml"))
    packages: list[PackageSource] = []
    if any(not _not_a_document(p[0]) for _, p in loose):
        packages.append(_zip_package(archive, path, shown, loose, own, read_settings=False))
    for group in sorted(groups, key=_natural):
        packages.append(_zip_package(archive, path, f"{shown}/{group}", groups[group], own))
    # Refused entries belong to no package for sure; the first package carries them so
    # they are reported once.
    packages[0].refusals.extend(refused)
    return packages


def _zip_package(
    archive: zipfile.ZipFile,
    path: Path,
    shown: str,
    entries: list[tuple[_Entry, tuple[str, ...]]],
    inherited: _Settings,
    *,
    read_settings: bool = True,
) -> PackageSource:
    members: list[ZipMember] = []
    duplicates: list[Finding] = []
    seen: set[str] = set()
    settings_entry: _Entry | None = None
    for entry, parts in sorted(entries, key=lambda ep: [_natural(p) for p in ep[1]]):
        if len(parts) == 1 and _is_settings(parts[0]):
            settings_entry = entry
            continue
        if _not_a_document(parts[-1]):
            continue  # a package.yaml in a nested folder
        display = "/".join(parts)
        if display in seen:
            duplicates.append(
                unreadable(
                    display,
                    "压缩包中有同名文件，已跳过后一个",
                    "the archive holds two files of this name, the second is skipped",
                )
            )
            continue
        seen.add(display)
        members.append(ZipMember(entry.info.filename, display, entry.info.file_size))
    settings = inherited
    if read_settings:
        settings = inherited.under(_read_settings_member(archive, settings_entry, "package.yaml"))
    source = settings.package(
        shown,
        documents=[(path / m.display, m.display) for m in members],
        archive=path,
        members=members,
    )
    source.refusals.extend(duplicates)
    return source


def _read_settings_member(archive: zipfile.ZipFile, entry: _Entry | None, label: str) -> _Settings:
    if entry is None:
        return _Settings()
    if entry.info.file_size > MAX_SETTINGS_BYTES:
        return _settings_too_large(label)
    try:
        with archive.open(entry.info) as stream:
            raw = stream.read(MAX_SETTINGS_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        return _Settings(findings=[unreadable(label, "无法读取", f"cannot read: {exc}")])
    return _parse_settings(raw, label)


def _extract(
    path: Path, members: list[ZipMember], folder: Path, max_bytes: int | None
) -> OpenedPackage:
    """Unpack ``members`` into ``folder`` under generated names (``00001.pdf``): entry names
    never become paths, so nothing can be written outside ``folder`` and odd or over-long
    names cannot fail on the local file system. The suffix is kept because readers choose
    by it."""
    opened = OpenedPackage([])
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        for member in members:
            opened.unreadable.append(
                unreadable(member.display, "无法打开压缩包", f"cannot open the zip archive: {exc}")
            )
        return opened
    with archive:
        for index, member in enumerate(members, 1):
            if max_bytes is not None and member.size > max_bytes:
                opened.unreadable.append(too_large(member.display, member.size, max_bytes))
                continue
            suffix = PurePosixPath(member.display).suffix.lower()
            suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
            target = folder / f"{index:05d}{suffix}"
            problem = _extract_member(archive, member, target)
            if problem is None:
                opened.documents.append((target, member.display))
            else:
                target.unlink(missing_ok=True)
                opened.unreadable.append(problem)
    return opened


def _extract_member(archive: zipfile.ZipFile, member: ZipMember, target: Path) -> Finding | None:
    try:
        info = archive.getinfo(member.name)
        if info.flag_bits & 0x1:
            return unreadable(
                member.display, "压缩包中的文件已加密，无法读取", "encrypted in the archive"
            )
        written = 0
        with archive.open(info) as stream, open(target, "wb") as out:
            while chunk := stream.read(_COPY_CHUNK):
                written += len(chunk)
                # The declared size was what discovery approved; zipfile enforces it too,
                # this is the belt to its braces.
                if written > member.size:
                    return unreadable(
                        member.display,
                        "解压后大小与声明不符，已拒绝",
                        "unpacks to more than its declared size, refused",
                    )
                out.write(chunk)
    except KeyError:
        return unreadable(
            member.display, "压缩包已改变，找不到该文件", "no longer in the archive (it changed)"
        )
    except NotImplementedError as exc:
        return unreadable(
            member.display, "不支持的压缩方式", f"unsupported compression method: {exc}"
        )
    except RuntimeError as exc:  # zipfile's "password required"
        return unreadable(member.display, "无法解压", f"cannot unpack: {exc}")
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        return unreadable(member.display, "压缩包中的文件已损坏", f"damaged in the archive: {exc}")
    except OSError as exc:  # disk full, temp folder gone
        return unreadable(member.display, "解压失败", f"could not be unpacked: {exc}")
    return None


__all__ = [
    "DEFAULT_MAX_ARCHIVE_BYTES",
    "DEFAULT_MAX_MEMBERS",
    "DEFAULT_MAX_RATIO",
    "DiscoveryError",
    "OpenedPackage",
    "PackageSource",
    "ZipMember",
    "discover",
    "display_path",
    "size_text",
    "too_large",
    "unreadable",
]
