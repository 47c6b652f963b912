"""Checking many packages at once, so that one bad document never stops a batch.

Every document is checked in a child process, even with one worker: the readers parse
untrusted files with C libraries, and a segfault, an ``os._exit``, the kernel's OOM killer or
an endless loop must cost that one document (an ``unreadable-document`` finding), never the
batch or other documents' results. :mod:`concurrent.futures` is not used because a dead
worker breaks a ``ProcessPoolExecutor`` for every pending future and it cannot kill one
stuck task; here each worker has its own pipe and at most one document, so the parent always
knows which document a dead or overdue worker held, kills just that worker and starts
another.

Workers are long-lived (the checker imports heavy libraries once per worker, not per
document) and are started from a fork server that has already imported the checker, so
replacing a crashed worker costs a ``fork``, not an interpreter start.

Results stream: packages are opened (zips unpacked) only a bounded window ahead of the
oldest unfinished one and yielded in input order as soon as they are complete, so memory and
temporary disk stay flat over thousands of packages.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sized
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from annexkit.checker.discover import OpenedPackage, PackageSource, too_large, unreadable
from annexkit.checker.findings import Finding
from annexkit.checker.layout import Extraction
from annexkit.checker.readers.limits import ReadLimits
from annexkit.checker.result import DocumentResult, PackageResult

MB = 1024 * 1024
GB = 1024 * MB
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_BYTES = 100 * MB
DEFAULT_MAX_MEMORY = 2 * GB
"""Memory one worker may take (``--max-memory``): a document that needs more gets
``unreadable-document``; the OCR stack checking a 300 dpi page takes about 600 MB."""

Checker = Callable[[Path, str], list[DocumentResult]]
"""Checks one file: ``(path, display path inside the package) -> results``. Must be a
module-level function (it is pickled to the workers)."""
StartMethod = Literal["forkserver", "spawn", "fork"]

_CHECKER_MODULE = "annexkit.checker.document"
_PRELOADED_READERS = ("annexkit.checker.readers.docx", "annexkit.checker.readers.pdf")


def default_check(path: Path, display: str) -> list[DocumentResult]:
    """:func:`annexkit.checker.document.check_document`, imported where it runs. The parent
    of a batch never reads a document, so it need not import the readers' heavy libraries,
    and this module stays importable while the checker is being changed."""
    module = importlib.import_module(_CHECKER_MODULE)
    results: list[DocumentResult] = module.check_document(path, display)
    return results


@dataclass(frozen=True)
class SearchableCheck:
    """:func:`default_check` that also writes a searchable copy of each scanned file into
    ``folder``, under the package's name (``annex check --searchable``). An instance pickles
    to the workers."""

    folder: Path
    wants_package = True
    """The worker passes the package's report path as a third argument."""

    def __call__(self, path: Path, display: str, package: str = "") -> list[DocumentResult]:
        # A lone file is its own package: its copy goes straight into the folder.
        name = Path(package).name if package else ""
        lone = name == Path(display).name
        target = self.folder / name if name not in ("", ".", "..") and not lone else self.folder
        module = importlib.import_module(_CHECKER_MODULE)
        results: list[DocumentResult] = module.check_document(path, display, target)
        return results


# A worker that dies this many times in a row before it is ready means the checker cannot
# start at all (an import error): that is an installation fault, not a document's.
_MAX_FAILED_STARTS = 5
# How long a worker may take to import the checker before it counts as a failed start.
_MIN_START_SECONDS = 60.0
# Progress redraws at most this often, so a fast batch is not slowed by terminal output.
_PROGRESS_INTERVAL = 0.2
_MAX_ERROR_TEXT = 500


def run_batch(
    packages: Iterable[PackageSource],
    *,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool | None = None,
    check: Checker = default_check,
    start_method: StartMethod | None = None,
    limits: ReadLimits | None = None,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
) -> Generator[PackageResult, None, None]:
    """Check every document of every package; yield one :class:`PackageResult` per package,
    in input order, as each completes.

    ``workers``: processes checking documents (default: the number of CPU cores); at least
    one, and documents are always checked in a child process. ``timeout``: seconds one
    document may take before its worker is killed. ``max_bytes``: larger files are refused
    unread. ``progress``: a progress line on stderr (None: only when stderr is a terminal).
    ``check``: the per-document function (module-level, so it can be pickled; default
    :func:`annexkit.checker.document.check_document`).
    ``start_method``: how workers start (default ``forkserver`` where available, else
    ``spawn``). ``limits``: what one document may make the readers decode (pixels, pages,
    XML, cells; default :class:`~annexkit.checker.readers.limits.ReadLimits`), installed in
    each worker. ``max_memory``: bytes of memory each worker may take (None: no cap); a
    document that needs more gets ``unreadable-document`` and its worker is replaced.

    Each document that crashes its worker, times out, raises, is too large or cannot be
    accessed gets an ``unreadable-document`` finding; discovery's refusals become package
    findings. Closing the generator early (``close()``, or Ctrl-C) kills the workers and
    removes unpacked files.
    """
    count = (os.cpu_count() or 1) if workers is None else workers
    if count < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout}")
    if max_memory is not None and max_memory < 64 * MB:
        raise ValueError(f"max_memory must be at least 64 MB, not {max_memory}")
    method = start_method or _default_start_method()
    if method != "fork":
        # Fail here, with a clear message, rather than in every worker start.
        try:
            pickle.dumps(check)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise TypeError(
                f"check must be a module-level function to reach worker processes: {exc}"
            ) from None
    total = len(packages) if isinstance(packages, Sized) else None
    show = sys.stderr.isatty() if progress is None else progress
    batch = _Batch(
        packages,
        workers=count,
        timeout=timeout,
        max_bytes=max_bytes,
        check=check,
        context=_context(method, check),
        setup=_WorkerSetup(limits or ReadLimits(), max_memory),
        progress=_Progress(total, sys.stderr) if show else None,
    )
    return batch.run()


def _default_start_method() -> StartMethod:
    # Fork server where it exists (Linux, macOS): workers fork from a clean single-threaded
    # process that has imported the checker, so they start in milliseconds and inherit no
    # threads, locks or pipe ends from the caller. Windows has only spawn.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _preload(check: Checker) -> list[str]:
    """Modules a worker imports before it takes its first document, so that import time is
    not charged to that document's time limit."""
    # This module too: the worker's entry point lives here, and importing it (with the
    # discovery and schema modules behind it) would otherwise be paid by every new worker.
    modules = [__name__]
    if check is default_check or isinstance(check, SearchableCheck):
        # The readers most documents need, loaded once in the fork server rather than by
        # every worker; openpyxl (and numpy behind it) and the OCR stack load where used.
        modules += [_CHECKER_MODULE, *_PRELOADED_READERS]
    module = getattr(check, "__module__", None)
    if isinstance(module, str) and module != "__main__":
        modules.append(module)
    return modules


def _context(method: StartMethod, check: Checker) -> tuple[BaseContext, type[BaseProcess]]:
    if method == "forkserver":
        server = multiprocessing.get_context("forkserver")
        # Takes effect only if this process has not started its fork server yet; otherwise
        # workers import the checker themselves, which is slower but correct.
        server.set_forkserver_preload(_preload(check))
        return server, server.Process
    if method == "fork":
        forked = multiprocessing.get_context("fork")
        return forked, forked.Process
    spawned = multiprocessing.get_context("spawn")
    return spawned, spawned.Process


# --- the worker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _WorkerSetup:
    """What every worker installs before its first document."""

    limits: ReadLimits
    max_memory: int | None


def _cap_memory(limit: int) -> None:
    """Cap this process's memory at ``limit`` bytes, so that a document needing more fails
    an allocation here (:class:`MemoryError`, an OpenCV or PDFium allocation error) instead
    of the kernel's OOM killer taking the machine's other work with it.

    ``RLIMIT_DATA`` (heap and private writable mappings: what numpy, PDFium, OpenCV and
    onnxruntime allocate), not ``RLIMIT_AS``: the address space also counts reservations
    that are not memory — glibc reserves 64 MB per thread arena, OpenBLAS and onnxruntime
    reserve per-thread buffers — so an address-space cap of 2 GB refuses ordinary work on
    a machine with many cores. Where the platform has no such limit (Windows) or refuses it
    (macOS enforces none), the batch runs uncapped."""
    try:
        import resource
    except ImportError:
        return
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ValueError, OSError):
        return


def _worker_main(
    conn: Connection, check: Checker, preload: list[str], setup: _WorkerSetup | None = None
) -> None:
    """A worker's life: import the checker, say it is ready, then check one document per
    request until told to stop or the parent goes away."""
    # Ctrl-C reaches the whole process group; the parent decides what stops and kills us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # An import error kills the worker before it is ready: the parent counts failed starts
    # and stops the batch with an installation error instead of failing every document.
    for module in preload:
        importlib.import_module(module)
    if setup is not None:
        from annexkit.checker.readers import limits

        limits.configure(setup.limits)
        if setup.max_memory is not None:
            _cap_memory(setup.max_memory)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        task_id, path, display, package = job
        started = time.perf_counter()
        fatal = False
        reply: tuple[Any, ...]
        try:
            if getattr(check, "wants_package", False):
                results = check(Path(path), display, package)  # type: ignore[call-arg]
            else:
                results = check(Path(path), display)
            if not isinstance(results, list) or not all(
                isinstance(r, DocumentResult) for r in results
            ):
                raise TypeError(
                    f"checker returned {type(results).__name__}, not list[DocumentResult]"
                )
            reply = ("ok", task_id, results, time.perf_counter() - started, False)
        except MemoryError:
            # The heap may be in any state now: report, then exit so that the parent starts
            # a fresh worker. The last field tells the parent not to send another document.
            fatal = True
            reply = ("memory", task_id, None, time.perf_counter() - started, True)
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_TEXT]
            reply = ("error", task_id, text, time.perf_counter() - started, False)
        try:
            try:
                conn.send(reply)
            except Exception as exc:
                # The results do not pickle (pickling happens before anything is written, so
                # the pipe is still sound).
                text = f"result cannot be sent back ({type(exc).__name__}: {exc})"
                conn.send(("error", task_id, text[:_MAX_ERROR_TEXT], reply[3], fatal))
        except OSError:
            return  # the parent is gone
        if fatal:
            return


# --- the parent ----------------------------------------------------------------------------


@dataclass
class _Package:
    """A package being checked: its unpacked documents stay open until it is yielded."""

    source: PackageSource
    stack: ExitStack
    findings: list[Finding]
    slots: list[list[DocumentResult] | None]
    remaining: int = 0

    def fill(self, slot: int, results: list[DocumentResult]) -> None:
        self.slots[slot] = results
        self.remaining -= 1

    def result(self) -> PackageResult:
        result = PackageResult(
            path=self.source.path,
            documents=[r for slot in self.slots for r in slot or []],
            findings=self.findings,
        )
        if self.source.profile:
            result.profile = self.source.profile
        return result


@dataclass
class _Task:
    id: int
    package: _Package
    slot: int
    path: Path
    display: str


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    born: float
    ready: bool = False
    retiring: bool = False
    """It said it will exit after its last reply: it must not be given another document."""
    task: _Task | None = None
    started: float = 0.0


@dataclass
class _Batch:
    packages: Iterable[PackageSource]
    workers: int
    timeout: float
    max_bytes: int
    check: Checker
    context: tuple[BaseContext, type[BaseProcess]]
    progress: _Progress | None
    setup: _WorkerSetup = field(default_factory=lambda: _WorkerSetup(ReadLimits(), None))
    pool: list[_Worker] = field(default_factory=list)
    active: deque[_Package] = field(default_factory=deque)
    queue: deque[_Task] = field(default_factory=deque)
    exhausted: bool = False
    failed_starts: int = 0
    next_id: int = 0

    @property
    def window(self) -> int:
        # Packages opened ahead of the oldest unfinished one: enough to keep every worker
        # busy while one package waits for a slow document, few enough that buffered
        # results and unpacked zips stay small.
        return 4 * self.workers + 4

    def run(self) -> Generator[PackageResult, None, None]:
        source = iter(self.packages)
        try:
            while True:
                while not self.exhausted and len(self.active) < self.window:
                    package = next(source, None)
                    if package is None:
                        self.exhausted = True
                    else:
                        self._open(package)
                if not self.active:
                    return
                if self.active[0].remaining == 0:
                    done = self.active.popleft()
                    done.stack.close()  # removes its unpacked files
                    result = done.result()
                    if self.progress:
                        self.progress.package_done()
                    # Idle workers get their next documents before the caller takes its
                    # time over this result (package rules, a report, a database write).
                    self._dispatch()
                    yield result
                    continue  # refill the window before waiting on workers
                self._dispatch()
                self._wait()
        finally:
            self._shutdown()

    # packages and tasks

    def _open(self, source: PackageSource) -> None:
        stack = ExitStack()
        findings = list(source.refusals)
        try:
            opened = stack.enter_context(source.open(self.max_bytes))
        except Exception as exc:  # e.g. no space for a temporary folder
            stack.close()
            opened = OpenedPackage([])
            findings.append(
                unreadable(source.path, "无法打开材料包", f"cannot open the package: {exc}")
            )
        order = {display: i for i, (_, display) in enumerate(source.documents)}
        entries: list[tuple[Path | None, str, Finding | None]] = [
            (path, display, None) for path, display in opened.documents
        ]
        entries += [(None, f.document or "", f) for f in opened.unreadable]
        entries.sort(key=lambda e: order.get(e[1], len(order)))
        package = _Package(source, stack, findings, [None] * len(entries), len(entries))
        for slot, (path, display, refusal) in enumerate(entries):
            if path is not None:
                refusal = self._refusal_before_reading(path, display)
            if refusal is not None:
                package.fill(slot, [_unread(display, refusal)])
                self._document_done()
            elif path is not None:
                self.next_id += 1
                self.queue.append(_Task(self.next_id, package, slot, path, display))
        self.active.append(package)

    def _refusal_before_reading(self, path: Path, display: str) -> Finding | None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            return unreadable(display, "无法访问文件", f"cannot access the file: {exc.strerror}")
        return too_large(display, size, self.max_bytes) if size > self.max_bytes else None

    def _document_done(self) -> None:
        if self.progress:
            self.progress.document_done()

    def _finish(self, worker: _Worker, results: list[DocumentResult], seconds: float) -> None:
        task = worker.task
        assert task is not None
        worker.task = None
        # The checker may time the parts of a multi-annex PDF itself; otherwise the file's
        # time is shared among its parts so that seconds add up over a package.
        if results and all(r.seconds == 0.0 for r in results):
            for r in results:
                r.seconds = seconds / len(results)
        task.package.fill(task.slot, results)
        self._document_done()

    def _fail(self, worker: _Worker, zh: str, en: str, seconds: float) -> None:
        task = worker.task
        assert task is not None
        finding = unreadable(task.display, zh, en)
        self._finish(worker, [_unread(task.display, finding, seconds)], seconds)

    # workers

    def _spawn(self) -> None:
        context, process_type = self.context
        parent_end, child_end = context.Pipe()
        process = process_type(
            target=_worker_main,
            args=(child_end, self.check, _preload(self.check), self.setup),
            name="annexkit-checker",
            daemon=True,  # killed by multiprocessing's exit handler if we die abruptly
        )
        process.start()
        child_end.close()
        self.pool.append(_Worker(process, parent_end, time.monotonic()))

    def _dispatch(self) -> None:
        idle = [w for w in self.pool if w.ready and not w.retiring and w.task is None]
        starting = sum(1 for w in self.pool if not w.ready)
        # Start workers lazily: three documents need no sixteen imports of the checker.
        while len(self.pool) < self.workers and len(self.queue) > len(idle) + starting:
            self._spawn()
            starting += 1
        for worker in idle:
            if not self.queue:
                break
            task = self.queue.popleft()
            try:
                worker.conn.send((task.id, str(task.path), task.display, task.package.source.path))
            except OSError:
                # It died between jobs; the task was never started, so it goes back.
                self.queue.appendleft(task)
                continue
            worker.task = task
            worker.started = time.monotonic()

    def _wait(self) -> None:
        now = time.monotonic()
        deadlines = [w.started + self.timeout for w in self.pool if w.task is not None]
        deadlines += [w.born + self._start_limit for w in self.pool if not w.ready]
        # Wake up at least once a second to redraw progress and re-check deadlines.
        delay = max(0.0, min([*deadlines, now + 1.0]) - now)
        objects: list[Any] = [w.conn for w in self.pool] + [w.process.sentinel for w in self.pool]
        ready = set(wait(objects, delay)) if objects else set()
        if not objects:
            time.sleep(delay)
        for worker in list(self.pool):
            if worker.conn in ready or worker.process.sentinel in ready:
                self._service(worker)
        now = time.monotonic()
        for worker in list(self.pool):
            if worker.task is not None and now - worker.started > self.timeout:
                self._service(worker)  # a reply may have arrived at the last moment
                if worker.task is not None and worker in self.pool:
                    self._kill(worker)
                    self._fail(
                        worker,
                        f"处理超时（超过 {self.timeout:g} 秒），已终止",
                        f"timed out (more than {self.timeout:g} s), stopped",
                        now - worker.started,
                    )
                    self._discard(worker)
            elif not worker.ready and now - worker.born > self._start_limit:
                self._kill(worker)
                self._discard(worker)
        if self.progress:
            self.progress.draw()

    @property
    def _start_limit(self) -> float:
        return max(self.timeout, _MIN_START_SECONDS)

    def _service(self, worker: _Worker) -> None:
        """Read what the worker sent; if it has died, give its document the finding."""
        alive = True
        try:
            while worker.conn.poll():
                self._handle(worker, worker.conn.recv())
        except (EOFError, OSError):
            alive = False
        if alive and worker.process.is_alive():
            return
        worker.process.join(5)
        if worker.process.is_alive():
            self._kill(worker)
        if worker.task is not None:
            zh, en = _death(worker.process.exitcode, self.setup.max_memory)
            self._fail(worker, zh, en, time.monotonic() - worker.started)
        self._discard(worker)

    def _handle(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            self.failed_starts = 0
            return
        _, task_id, payload, seconds, retiring = message
        worker.retiring = worker.retiring or retiring
        if worker.task is None or worker.task.id != task_id:
            return  # cannot happen: one task per worker at a time
        if kind == "ok":
            self._finish(worker, payload, seconds)
        elif kind == "memory":
            zh, en = _out_of_memory(self.setup.max_memory)
            self._fail(worker, zh, en, seconds)
        else:
            self._fail(worker, f"处理出错（{payload}）", f"checker failed ({payload})", seconds)

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)

    def _discard(self, worker: _Worker) -> None:
        if worker not in self.pool:
            return
        self.pool.remove(worker)
        worker.conn.close()
        if not worker.ready:
            self.failed_starts += 1
            if self.failed_starts >= _MAX_FAILED_STARTS:
                raise RuntimeError(
                    "检查进程无法启动（见上方错误信息）/ the checker's worker processes fail to "
                    f"start (exit status {worker.process.exitcode}; see the error above)"
                )
        if worker.process.exitcode is not None:
            worker.process.close()

    def _shutdown(self) -> None:
        # Idle workers exit when asked; a busy one (the caller stopped early, or Ctrl-C) may
        # be stuck in a document, and its result is no longer wanted.
        for worker in self.pool:
            if worker.task is None:
                with suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.kill()
        deadline = time.monotonic() + 2.0
        for worker in self.pool:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.conn.close()
        self.pool.clear()
        while self.active:
            self.active.popleft().stack.close()
        self.queue.clear()
        if self.progress:
            self.progress.close()


# C libraries that meet a failed allocation (under the memory cap) may crash instead of
# reporting it: these deaths get a hint naming the cap.
_ALLOCATION_CRASHES = frozenset(("SIGSEGV", "SIGABRT", "SIGBUS"))


def _death(exitcode: int | None, max_memory: int | None = None) -> tuple[str, str]:
    """Why a worker died, in both languages."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if max_memory is not None and name in _ALLOCATION_CRASHES:
            zh, en = _out_of_memory(max_memory)
            return (
                f"处理崩溃（检查进程被信号 {name} 终止；可能{zh.split('（')[0]}）",
                f"crashed (the checking process was killed by {name}; it may have "
                f"{en.split(' (')[0].replace('needs', 'needed')})",
            )
        return (
            f"处理崩溃（检查进程被信号 {name} 终止）",
            f"crashed (the checking process was killed by {name})",
        )
    return (
        f"处理崩溃（检查进程意外退出，退出码 {exitcode}）",
        f"crashed (the checking process exited unexpectedly with status {exitcode})",
    )


def _out_of_memory(limit: int | None) -> tuple[str, str]:
    """Why a document ran out of memory, in both languages, naming the cap."""
    if limit is None:
        return "内存不足，无法读取", "ran out of memory"
    size = f"{limit / GB:.1f}".removesuffix(".0") + " GB" if limit >= GB else f"{limit // MB} MB"
    return (
        f"需要超过 {size} 内存（--max-memory），未能读取",
        f"needs more than {size} of memory (--max-memory): not read",
    )


def _unread(display: str, finding: Finding, seconds: float = 0.0) -> DocumentResult:
    """The result of a document that could not be checked: its format from its name, and
    the contract's extraction of a document not read (engine None, confidence 0)."""
    suffix = PurePosixPath(display.split("#", 1)[0]).suffix.lower().lstrip(".")
    return DocumentResult(
        path=display,
        format=suffix or "unknown",
        findings=[finding],
        extraction=Extraction(None, 0.0),
        seconds=seconds,
    )


# --- progress ------------------------------------------------------------------------------


class _Progress:
    """One self-overwriting line on stderr: packages done (of how many), documents per
    second, and an estimate of the time left."""

    def __init__(self, total: int | None, stream: IO[str]) -> None:
        self.total = total
        self.stream = stream
        self.packages = 0
        self.documents = 0
        self.start = time.monotonic()
        self.drawn = 0.0
        self.width = 0

    def package_done(self) -> None:
        self.packages += 1
        self.draw()

    def document_done(self) -> None:
        self.documents += 1

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.drawn < _PROGRESS_INTERVAL:
            return
        self.drawn = now
        elapsed = max(now - self.start, 1e-9)
        rate = self.documents / elapsed
        if self.total:
            share = self.packages / self.total
            filled = int(share * 24)
            bar = "[" + "#" * filled + "-" * (24 - filled) + "] "
            counts = f"{self.packages}/{self.total}"
            left = (elapsed / share - elapsed) if share else None
        else:
            bar, counts, left = "", f"{self.packages}", None
        eta = f"  剩余 ETA {_clock(left)}" if left is not None and self.packages else ""
        line = f"{bar}{counts} 包 packages  {rate:.1f} 文件/秒 docs/s{eta}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        self.draw(force=True)
        self.stream.write("\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_TIMEOUT",
    "Checker",
    "StartMethod",
    "default_check",
    "run_batch",
]
