"""Packaging: `pip install -e .` alone gives a working `tradebook`, so every import of the package is declared."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "tradebook"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> set[str]:
    """Top-level names of every module the package imports (its own and the standard library excepted)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"tradebook", "__future__"}


def test_every_imported_distribution_is_a_declared_dependency():
    declared = {
        normalise(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0])
        for d in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    }
    owners = packages_distributions()
    missing = {m: owners.get(m) for m in imported_modules() if not {normalise(d) for d in owners.get(m, [])} & declared}
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_the_installed_command_answers_help():
    command = Path(sys.executable).with_name("tradebook")
    proc = subprocess.run([str(command), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "build" in proc.stdout and "validate" in proc.stdout
