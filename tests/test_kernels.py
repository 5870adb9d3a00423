"""Kernels forked from the build's fork server: isolated from one another, and each behaves as a fresh kernel would."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import papermill
import pytest
import vl_convert
from conftest import ROOT, forked_kernels, glued
from papermill.exceptions import PapermillExecutionError

from tradebook.book.forkserver import FORKSERVER, SVG_SERVICE, ForkServer, render_svg
from tradebook.book.kernels import ForkKernelManager


@pytest.fixture
def server() -> ForkServer:
    """This test process's fork server, the one its chapter runs use too (started once per process)."""
    return forked_kernels()


@pytest.fixture
def forked(server, monkeypatch):
    """Kernels from the module's fork server for this test, their charts from its renderer."""
    monkeypatch.setenv(FORKSERVER, server.address)
    monkeypatch.setenv(SVG_SERVICE, server.svg_address)
    return server


def notebook(tmp_path: Path, name: str, *cells: str) -> Path:
    spec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": spec})
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def run(path: Path, timeout: float | None = None, **kwargs) -> nbformat.NotebookNode:
    out = path.with_name(path.stem + "-out.ipynb")
    papermill.execute_notebook(
        str(path),
        str(out),
        cwd=str(path.parent),
        kernel_name="python3",
        progress_bar=False,
        kernel_manager_class=ForkKernelManager,
        execution_timeout=timeout,
        **kwargs,
    )
    return nbformat.read(out, as_version=4)


def printed(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


# The first notebook changes everything a later one could see if kernels were shared or reused.
POLLUTE = """
import sys, types, json as leaked_module
sys.modules["leaked"] = types.ModuleType("leaked")
import numpy as np, pandas as pd
secret = 42
pd.set_option("display.max_rows", 3)
np.set_printoptions(precision=2)
import tradebook.analysis.partners  # a module of the package the server does not load: in this kernel only
np.random.seed(0)
print("pid", __import__("os").getpid(), "draw", np.random.randint(1 << 30))
"""
LOOK = """
import os, sys
import numpy as np, pandas as pd
seen = [n for n in ("secret", "leaked_module") if n in globals()]
print("seen", seen)
print("module", "tradebook.analysis.partners" in sys.modules, "leaked" in sys.modules)
print("options", pd.get_option("display.max_rows"), np.get_printoptions()["precision"])
print("pid", os.getpid(), "parent", os.getppid(), "draw", np.random.randint(1 << 30))
print("cwd", os.getcwd())
"""


def test_a_variable_or_import_of_one_notebook_is_not_visible_in_another(forked, tmp_path):
    first = printed(run(notebook(tmp_path, "first", POLLUTE)))
    second = printed(run(notebook(tmp_path, "second", LOOK)))
    third = printed(run(notebook(tmp_path, "third", LOOK)))
    assert "seen []" in second
    assert "module False False" in second
    assert "options 60 8" in second  # pandas' and numpy's defaults, not the first notebook's
    assert f"cwd {tmp_path}" in second
    lines = [line.split() for t in (first, second, third) for line in t.splitlines() if line.startswith("pid")]
    assert len({words[1] for words in lines}) == 3  # a process of its own for each notebook
    assert {words[3] for words in lines[1:]} == {str(forked.proc.pid)}  # all forked by the server
    assert lines[1][-1] != lines[2][-1]  # numpy reseeded in every kernel: forks do not replay one random stream


def test_a_kernel_that_dies_fails_its_notebook_and_the_next_one_runs(forked, tmp_path):
    crash = notebook(tmp_path, "crash", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    started = time.perf_counter()
    with pytest.raises(Exception, match="(?i)dead|died"):  # nbclient's DeadKernelError
        run(crash)
    assert time.perf_counter() - started < 30
    assert "ok" in printed(run(notebook(tmp_path, "after", "print('ok')")))


def test_an_error_in_a_cell_is_reported_as_usual(forked, tmp_path):
    with pytest.raises(PapermillExecutionError) as err:
        run(notebook(tmp_path, "error", "raise ValueError('no data')"))
    assert err.value.ename == "ValueError"


def test_papermills_execution_timeout_stops_a_cell_that_runs_too_long(forked, tmp_path):
    started = time.perf_counter()
    with pytest.raises(Exception, match="(?i)timed out|timeout"):  # nbclient's CellTimeoutError
        run(notebook(tmp_path, "slow", "import time\ntime.sleep(120)"), timeout=2)
    assert time.perf_counter() - started < 60


@pytest.mark.slow
def test_a_chapter_computes_the_same_in_a_forked_kernel_as_in_a_fresh_one(forked, tmp_path, monkeypatch):
    """The same glued values and the same outputs (text, tables, the chart's SVG) from a fork as from a new kernel,
    the first drawn by the fork server's renderer, the second by vl-convert in the kernel itself."""
    source = ROOT / "notebooks" / "intro.ipynb"
    outputs = []
    for name, manager in (("forked", ForkKernelManager), ("fresh", None)):
        if manager is None:
            monkeypatch.delenv(SVG_SERVICE)
        out = tmp_path / f"{name}.ipynb"
        extra = {"kernel_manager_class": manager} if manager else {}
        papermill.execute_notebook(
            str(source), str(out), cwd=str(source.parent), kernel_name="python3", progress_bar=False, **extra
        )
        nb = nbformat.read(out, as_version=4)
        outputs.append(([c.get("outputs", []) for c in nb.cells], glued(out)))
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_stopping_the_server_kills_its_kernels_and_fails_their_notebooks(tmp_path, monkeypatch):
    kernels = ForkServer(tmp_path).start()
    assert kernels.wait_ready(), kernels.error
    monkeypatch.setenv(FORKSERVER, kernels.address)
    pid_file = tmp_path / "pid"
    hang = notebook(tmp_path, "hang", f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))")
    nb = nbformat.read(hang, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("time.sleep(120)"))
    nbformat.write(nb, hang)
    failure: list[BaseException] = []

    def execute() -> None:
        try:
            run(hang)
        except BaseException as err:  # noqa: BLE001
            failure.append(err)

    worker = threading.Thread(target=execute)
    worker.start()
    deadline = time.monotonic() + 60
    while not (pid_file.is_file() and pid_file.read_text()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    kernel = int(pid_file.read_text())
    kernels.stop()
    worker.join(30)
    assert not worker.is_alive() and failure  # the notebook failed instead of waiting two minutes
    with pytest.raises(ProcessLookupError):
        os.kill(kernel, 0)


def test_the_servers_renderer_draws_as_vl_convert_does_and_refuses_a_bad_spec(server):
    spec = {
        "data": {"values": [{"year": 2001, "value": 2.5}, {"year": 2002, "value": float("nan")}]},
        "mark": "bar",
        "encoding": {"x": {"field": "year", "type": "ordinal"}, "y": {"field": "value", "type": "quantitative"}},
    }
    assert render_svg(server.svg_address, spec) == vl_convert.vegalite_to_svg(spec)
    with pytest.raises(ValueError):
        render_svg(server.svg_address, {"mark": {"type": "no-such-mark"}})
    assert render_svg(server.svg_address, spec)  # still serving after a refusal


def test_a_call_runs_in_a_child_with_the_callers_folder_environment_and_output(server, tmp_path, monkeypatch, capfd):
    """What the build's staging runs in (book/build.py): a function of the server's, given argv, its result the
    exit code; in the caller's folder and environment, writing to the caller's stdout."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRADEBOOK_TEST_VALUE", "seen")
    assert server.call("builtins:len", ["a", "b", "c"]) == 3
    assert server.call("subprocess:call", ["sh", "-c", 'echo "$PWD $TRADEBOOK_TEST_VALUE"; exit 4']) == 4
    assert capfd.readouterr().out == f"{tmp_path} seen\n"


def test_the_builds_own_process_imports_neither_pandas_nor_papermill():
    """Staging imports them in the fork server's child; the build's process only renders (and imports Sphinx)."""
    check = "import sys, tradebook.book.build, tradebook.book.cli; print({'pandas', 'papermill'} & {*sys.modules})"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True).stdout == "set()\n"


@pytest.mark.slow
def test_a_call_that_ends_while_the_server_still_imports_is_answered_without_waiting(tmp_path, monkeypatch):
    """Staging forked between the server's two rounds of imports may end before the second does: the build goes
    on as soon as staging says it is done, and the server reports the exit as soon as it serves."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests" / "fixtures" / "modules"))
    flag = tmp_path / "done"
    for done, expected in ((flag.exists, 0), (lambda: False, 3)):
        kernels = ForkServer(tmp_path, modules=("slow_import",), staging=()).start()
        try:
            started = time.monotonic()
            argv = ["sh", "-c", f"touch {flag}; exit 3"]
            assert kernels.call("subprocess:call", argv, done) == expected
            took = time.monotonic() - started
            assert took < (1.9 if expected == 0 else 5.5), took  # the imports take 2 s; a missed exit waited 5 more
            assert kernels.wait_ready(), kernels.error
        finally:
            kernels.stop()
            flag.unlink(missing_ok=True)
