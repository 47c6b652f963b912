"""Imports go one way: cli → service → checker / generator → policy → contract.

Checked on the source (every ``import`` statement, including those inside functions), so a
lazy import cannot hide a dependency that points up.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

LAYERS = {"contract": 0, "policy": 1, "checker": 2, "generator": 2, "service": 3, "cli": 4}
"""Room → layer; a module may import its own room and the rooms of lower layers."""


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "annexkit":
        return None
    if len(parts) == 1:
        return "contract"  # annexkit/__init__.py: the annex ids and the version
    if parts[1] in ("schemas", "forms", "data", "templates"):
        return "contract"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def _modules() -> Iterator[tuple[str, Path]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    for package, folder in config["tool"]["setuptools"]["package-dir"].items():
        base = ROOT / folder
        for path in sorted(base.rglob("*.py")):
            relative = path.relative_to(base).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            if package == "annexkit" and parts and parts[0] in ("checker", "generator", "service"):
                continue
            yield ".".join([package, *parts]), path


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from annexkit import cli` names a module
                yield node.lineno, f"{target}.{alias.name}"


def violations() -> list[str]:
    found = []
    for module, path in _modules():
        mine = _room(module)
        assert mine in LAYERS, module
        for line, target in _imports(module, path):
            theirs = _room(target)
            if theirs is None or theirs == mine or theirs not in LAYERS:
                continue
            up = LAYERS[theirs] > LAYERS[mine]
            sideways = LAYERS[theirs] == LAYERS[mine]  # checker ↔ generator
            if up or sideways:
                found.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {target}")
    return found


def test_modules_are_found() -> None:
    rooms = {_room(module) for module, _ in _modules()}
    assert rooms == set(LAYERS)


def test_imports_point_down_only() -> None:
    assert violations() == []
