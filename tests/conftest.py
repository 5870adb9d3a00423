"""Shared test fixtures: the raw shared files (skipped where absent), notebook runs, built books."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from tradebook.book import project
from tradebook.book.forkserver import FORKSERVER, SVG_SERVICE, ForkServer
from tradebook.book.kernels import ForkKernelManager

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data-sources"
FIXTURES = Path(__file__).parent / "fixtures"
TRADEBOOK = [sys.executable, "-m", "tradebook.book.cli"]

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data-sources is not beside this clone (it is in CI)"
)


def glued(path: Path) -> dict[str, object]:
    """The values a notebook glued (myst_nb.glue), read back from its outputs."""
    nb = nbformat.read(path, as_version=4)
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            name, prefix = scrap.get("name"), scrap.get("mime_prefix", "")
            if name:
                if prefix + "text/markdown" in out["data"]:  # a glued Markdown paragraph: its text
                    found[name] = out["data"][prefix + "text/markdown"]
                    continue
                text = out["data"].get(prefix + "text/plain", "")
                try:
                    found[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):  # not a literal (e.g. a figure): keep its repr
                    found[name] = text
    return found


_kernels: list[ForkServer] = []  # this test process's fork server, started by the first notebook run


def forked_kernels() -> ForkServer:
    """A fork server for the notebooks this test process runs, as the build has one for its own."""
    if not _kernels:
        server = ForkServer(ROOT / "notebooks").start()
        assert server.wait_ready(), server.error
        _kernels.append(server)
    return _kernels[0]


def pytest_sessionfinish(session) -> None:
    for server in _kernels:
        server.stop()


def run_notebook(name: str, tmp_path: Path, **parameters) -> dict[str, object]:
    """Execute notebooks/<name>.ipynb with papermill as the build does (in a forked kernel); return its glued values."""
    out = tmp_path / f"{name}-out.ipynb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FORKSERVER, forked_kernels().address)
        patch.setenv(SVG_SERVICE, forked_kernels().svg_address)
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"),
            str(out),
            parameters=parameters,
            cwd=str(ROOT / "notebooks"),
            kernel_name="python3",
            progress_bar=False,
            kernel_manager_class=ForkKernelManager,
        )
    return glued(out)


def copy_project(dest: Path) -> Path:
    """A copy of the tracked project files, to build or break without touching this checkout."""
    return project.copy_project(ROOT, dest)


def run_cli(argv: list[str], cwd: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    """`tradebook ARGV` in-process, in `cwd`: exit code, stdout, stderr (one interpreter keeps tests fast)."""
    from tradebook.book.cli import main

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return int(code or 0), out.out, out.err


def tradebook(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*TRADEBOOK, *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The default edition built once from a copy of the project, PDF included (as make book builds it)."""
    project = copy_project(tmp_path_factory.mktemp("book"))
    proc = tradebook("build", "--pdf", cwd=project)
    assert proc.returncode == 0, proc.stderr
    return project


def page_text(html_file: Path) -> str:
    """The visible text of a built page, whitespace collapsed, for number checks."""
    import html
    import re

    raw = html_file.read_text(encoding="utf-8")
    raw = raw[raw.find("<main") :] if "<main" in raw else raw
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Tests that read the built book run on one worker, so the book is built once per run.

    (pytest is pinned to 8.4: with pytest 9.2, pytest-xdist 3.8 ignores xdist_group, issue #1386.)
    """
    for item in items:
        if "built_book" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("book"))
