"""Run mypy over the import package as it installs.

``pyproject.toml`` maps the design card's top-level folders (``checker/``, ``generator/`` …)
into the one import package ``annexkit`` with ``package-dir``. mypy knows nothing of that
mapping, so this script lays out the installed shape as a tree of links under
``build/typecheck`` (a build artefact, never committed), runs mypy there, and prints each
reported path as the source file it stands for.

    python scripts/typecheck.py [MYPY ARGS...]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEW = ROOT / "build" / "typecheck"
CHECKED_BESIDE = ("scripts", "benchmarks", "tests")


def package_dirs() -> dict[str, str]:
    """``annexkit.checker`` → ``checker`` … as pyproject.toml declares them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    mapping: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    return mapping


def build_view() -> dict[str, str]:
    """The link tree; returns view prefix → source prefix for translating mypy's output."""
    shutil.rmtree(VIEW, ignore_errors=True)
    VIEW.mkdir(parents=True)
    translations: dict[str, str] = {}
    # Parents before children: annexkit/ is made first, then its mapped sub-folders inside.
    for name, source in sorted(package_dirs().items(), key=lambda item: item[0].count(".")):
        target = VIEW.joinpath(*name.split("."))
        if name.count(".") == 0:
            target.mkdir(parents=True)
            for entry in (ROOT / source).iterdir():
                if entry.name != "__pycache__":
                    (target / entry.name).symlink_to(entry)
        else:
            target.symlink_to(ROOT / source, target_is_directory=True)
        translations[str(target.relative_to(ROOT))] = source
    return translations


def main() -> int:
    translations = build_view()
    view_package = str((VIEW / "annexkit").relative_to(ROOT))
    command = [
        sys.executable,
        "-m",
        "mypy",
        view_package,
        *CHECKED_BESIDE,
        *sys.argv[1:],
    ]
    env = {**os.environ, "MYPYPATH": str(VIEW)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    # Longest prefix first: build/typecheck/annexkit/checker before build/typecheck/annexkit.
    prefixes = sorted(translations, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(p) for p in prefixes))
    for stream, text in ((sys.stdout, done.stdout), (sys.stderr, done.stderr)):
        stream.write(pattern.sub(lambda m: translations[m.group(0)], text))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
