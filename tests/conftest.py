"""Shared test fixtures: the raw shared files (skipped where absent), notebook runs, built books."""

from __future__ import annotations

import ast
import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from tradebook.book import editions, forkserver, project, toc
from tradebook.book.forkserver import FORKSERVER, PRELOAD, SVG_SERVICE, WARM, ForkServer
from tradebook.book.kernels import ForkKernelManager
from tradebook.data.validate import VALIDATED

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
        # Besides a build's preloads: papermill, which a build's staging imports once per build and a test process's
        # staging once per test, and a warm-up of the default data's rules (tests/fixtures/modules/checked_data.py).
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PYTHONPATH", str(ROOT / "tests" / "fixtures" / "modules"))
            server = ForkServer(ROOT / "notebooks", modules=(*PRELOAD, *WARM, "papermill", "checked_data:warm")).start()
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


def copy_project(dest: Path, chapters: tuple[str, ...] | None = None) -> Path:
    """A copy of the tracked project files, to build or break without touching this checkout.

    With `chapters`, its book is the introduction and those chapters only: what a test of the build's
    mechanics (cache, lock, failures, signals) needs, at a fraction of the whole book's cost.
    """
    copied = project.copy_project(ROOT, dest)
    if chapters is not None:
        listed = "".join(f"  - file: notebooks/{name}\n" for name in chapters)
        contents = "format: jb-book\nroot: notebooks/intro\n" + (f"chapters:\n{listed}" if chapters else "")
        (copied / "_toc.yml").write_text(contents, encoding="utf-8")
        config = yaml.safe_load((copied / "_config.yml").read_text(encoding="utf-8"))
        config["sphinx"]["config"]["suppress_warnings"] = ["myst.xref_missing"]  # links to the chapters left out
        (copied / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        declared = set().union(*(toc.declared_parameters(nb) for nb in toc.notebooks(copied)))
        for path in (copied / "params").glob("*.yml"):  # an edition may set only what its notebooks declare
            edition = yaml.safe_load(path.read_text(encoding="utf-8"))
            edition["parameters"] = {k: v for k, v in edition["parameters"].items() if k in declared}
            path.write_text(yaml.safe_dump(edition, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return copied


class LentKernels:
    """This test process's fork server lent to a build run in-process, started by the first build that stages.
    The build stops its own server when it ends; `stop` here leaves this one running for the next build."""

    error = ""

    def call(self, target: str, argv: list[str], done=lambda: False) -> int | None:
        return forked_kernels().call(target, argv, done)

    @property
    def address(self) -> str:
        return forked_kernels().address

    @property
    def svg_address(self) -> str:
        return forked_kernels().svg_address

    def wait_ready(self, timeout: float = 120.0) -> bool:
        return forked_kernels().wait_ready(timeout)

    def stop(self) -> None:
        """Left running: its kernels end with their notebooks, the server with the session."""


def as_the_command(monkeypatch: pytest.MonkeyPatch, cwd: Path) -> None:
    """This process set up as `tradebook` run in `cwd`: a build forks its kernels from this process's fork server
    (`forked_kernels`) instead of starting one, and what a build sets for its workers is unset afterwards."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(forkserver, "kernel_server", lambda folder: LentKernels())
    for name in (VALIDATED, FORKSERVER, SVG_SERVICE):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def run_cli(argv: list[str], cwd: Path, capture, monkeypatch) -> tuple[int, str, str]:
    """`tradebook ARGV` in-process, in `cwd`: exit code, stdout, stderr (one interpreter keeps tests fast).

    A build's workers' lines are captured with the rest when `capture` is `capfd`.
    """
    from tradebook.book.cli import main

    as_the_command(monkeypatch, cwd)
    capture.readouterr()
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out = capture.readouterr()
    return int(code or 0), out.out, out.err


def build_here(project: Path, *args: str) -> None:
    """`tradebook build ARGS` in this process, for a fixture shared by several tests (which has no `capfd`): its
    lines go to pytest's own capture, shown with the error should the build fail."""
    from tradebook.book.cli import main

    with pytest.MonkeyPatch.context() as monkeypatch:
        as_the_command(monkeypatch, project)
        assert main(["build", *args]) == 0, "the build failed: see its lines under 'Captured'"


@pytest.fixture
def cli(capfd, monkeypatch):
    """`tradebook ARGS` in this process (no interpreter or fork server to start), returning what the installed
    command would. The signals, the lock between two processes and a traceback's absence need the real command
    (`tradebook`)."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        code, out, err = run_cli(list(args), cwd, capfd, monkeypatch)
        return subprocess.CompletedProcess(["tradebook", *args], code, out, err)

    return run


def tradebook(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*TRADEBOOK, *args], cwd=cwd, capture_output=True, text=True)


def shared_build(tmp_path_factory, name: str, chapters: tuple[str, ...] | None = None, pdf: bool = False) -> Path:
    """A copy of the project built once per run, shared (read only) by the run's test processes: the first
    to ask builds it while the other waits. Tests that change it change a copy (`copy_built`)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder, above each worker's
    project = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = shared / f"{name}.built"
        if not built.exists():
            shutil.rmtree(project, ignore_errors=True)
            build_here(copy_project(project, chapters), *(["--pdf"] if pdf else []))
            built.touch()
    return project


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The default edition, PDF included, as make book builds it."""
    return shared_build(tmp_path_factory, "book", pdf=True)


# Two chapters besides the introduction: both read trade.csv; data_methods reads events.csv, trade_growth does not.
SMALL_BOOK = ("trade_growth", "data_methods")


@pytest.fixture(scope="session")
def built_small_book(tmp_path_factory) -> Path:
    """The introduction, the trade and the data chapters, without the PDF: for tests of the build itself (the
    PDF's own tests read `built_book`'s)."""
    return shared_build(tmp_path_factory, "small-book", SMALL_BOOK)


def built_chapter(book: Path, name: str) -> dict[str, object]:
    """The values a chapter glued in a built book of the default edition (Italy, the edition's parameters)."""
    return glued(book / "_build" / ".cache" / editions.DEFAULT.removesuffix(".yml") / name / "executed.ipynb")


def copy_built(built: Path, dest: Path) -> Path:
    """A copy of a built project, as `cp -a` makes it: to rebuild, change or break."""
    shutil.copytree(built, dest, symlinks=True)
    return dest


def page_text(html_file: Path) -> str:
    """The visible text of a built page, whitespace collapsed, for number checks."""
    import html
    import re

    raw = html_file.read_text(encoding="utf-8")
    raw = raw[raw.find("<main") :] if "<main" in raw else raw
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


BUILT = {"built_book", "built_small_book"}


def pytest_collection_modifyitems(items) -> None:
    """A test that reads a built book is slow (the first of a run waits for the build): marked as such."""
    for item in items:
        if BUILT & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
