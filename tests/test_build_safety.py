"""A build is safe to run, to run twice at once, to stop and to kill (book/build.py, book/publish.py).

Two real builds share one project; real builds are stopped with SIGINT, SIGTERM and SIGKILL; a real
kernel runs into the time limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from conftest import SMALL_BOOK, TRADEBOOK, copy_built, copy_project
from test_rebuild import differing_files

pytestmark = pytest.mark.slow  # every test here runs real builds


def processes_in(folder: Path) -> list[str]:
    """The processes (pid and command) whose working directory is inside `folder`: its workers and kernels."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if cwd == folder or folder in cwd.parents:
            found.append(f"{entry.name}: {command[:120]}")
    return found


def staging_left(project: Path) -> list[Path]:
    """Staging folders left behind: each build removes its own, and the next build any a killed one left."""
    stage = project / "_build" / ".stage"
    return list(stage.iterdir()) if stage.exists() else []


def start(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*TRADEBOOK, "build", *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(run: subprocess.Popen, text: str, seconds: float = 300) -> str:
    """Read the build's output until `text` appears (the build is then where the test wants it)."""
    seen = ""
    deadline = time.monotonic() + seconds
    while text not in seen:
        line = run.stdout.readline()
        assert line and time.monotonic() < deadline, f"the build ended before {text!r}: {seen}"
        seen += line
    return seen


def test_two_builds_at_once_publish_one_whole_book_equal_to_a_single_build(built_small_book: Path, tmp_path: Path):
    """Both builds of one project succeed, one after the other: the second waits for the lock, says so, and
    then finds the book the first published up to date."""
    copy = copy_built(built_small_book, tmp_path / "copy")
    first = start(copy, "--force")  # renders again
    wait_for(first, "Edition kazakhstan-italy")  # it holds the lock
    second = start(copy)
    outputs = [run.communicate(timeout=900) for run in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], [err for _, err in outputs]
    assert "waiting for another build of this project (pid " in outputs[1][0]
    assert "_build/html is up to date" in outputs[1][0]
    assert not differing_files(built_small_book / "_build" / "html", copy / "_build" / "html")
    assert not staging_left(copy)
    assert not (copy / "_build" / "html.old").exists()


@pytest.fixture
def fresh_project(tmp_path: Path) -> Path:
    """A project with no cache: its build executes notebooks for a while."""
    return copy_project(tmp_path / "project", SMALL_BOOK)


# SIGINT takes the path SIGTERM takes (both end the command as KeyboardInterrupt): SIGTERM stands for both.
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_stopping_a_build_ends_its_workers_and_kernels_and_keeps_the_book(fresh_project: Path, how: signal.Signals):
    (fresh_project / "_build" / "html").mkdir(parents=True)
    (fresh_project / "_build" / "html" / "index.html").write_text("the last good book")
    run = start(fresh_project, "--jobs", "2")
    wait_for(run, "running ")
    time.sleep(2)  # the kernels are starting or running
    assert processes_in(fresh_project / "notebooks"), "no kernel was running when the build was stopped"
    run.send_signal(how)
    _, err = run.communicate(timeout=60)
    if how is signal.SIGKILL:
        assert run.returncode == -signal.SIGKILL
    else:
        assert run.returncode == 130 and err.strip().splitlines() == ["interrupted; the published book was not changed"]
        assert not staging_left(fresh_project)
    deadline = time.monotonic() + 15  # a kernel notices within a second or two that its worker is gone
    while processes_in(fresh_project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes_in(fresh_project)
    assert (fresh_project / "_build" / "html" / "index.html").read_text() == "the last good book"


def test_a_cell_that_runs_past_the_time_limit_fails_the_build_with_one_line(tmp_path: Path):
    fresh_project = copy_project(tmp_path / "project", chapters=())  # the introduction alone
    path = fresh_project / "notebooks" / "intro.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))  # waits, burning no CPU
    nbformat.write(nb, path)
    started = time.monotonic()
    run = subprocess.run([*TRADEBOOK, "build", "--timeout", "3"], cwd=fresh_project, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "error: notebooks/intro.ipynb failed: a cell ran longer than the 3 s time limit and was stopped "
        "(tradebook build --timeout)"
    ]
    assert time.monotonic() - started < 120
    assert not (fresh_project / "_build" / "html").exists()
    assert not processes_in(fresh_project)  # a failed build leaves no worker, fork server or kernel behind
