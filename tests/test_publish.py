"""Publishing (book/publish.py): the directory swap and the build lock, tried with real processes."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tradebook.book import publish
from tradebook.book.publish import build_lock, swap_directory

HERE = Path(__file__).resolve().parents[1] / "src"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fail_on_call(monkeypatch, name: str, call: int, code: int) -> None:
    """Make os.<name> fail with `code` on its `call`-th call (1-based)."""
    real = getattr(os, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


@pytest.fixture
def umask():
    def set_to(value: int) -> None:
        os.umask(value)

    old = os.umask(0o022)
    yield set_to
    os.umask(old)


# --- swap_directory -------------------------------------------------------------------------------------


def book(folder: Path, label: str, pages: int = 20) -> Path:
    folder.mkdir(parents=True)
    for i in range(pages):
        (folder / f"page{i}.html").write_text(label)
    (folder / "index.html").write_text(label)
    return folder


def test_publishing_where_there_was_nothing(tmp_path):
    swap_directory(book(tmp_path / "stage" / "html", "new"), tmp_path / "html")
    assert (tmp_path / "html" / "index.html").read_text() == "new" and not (tmp_path / "stage" / "html").exists()


def test_the_old_book_is_replaced_and_deleted(tmp_path):
    target = book(tmp_path / "html", "old")
    swap_directory(book(tmp_path / "stage" / "html", "new"), target)
    assert {p.read_text() for p in target.iterdir()} == {"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "stage"]
    assert list((tmp_path / "stage").iterdir()) == []


def test_the_target_is_never_missing(tmp_path):
    """A watcher process polls the published book during 300 swaps; it must find it whole every time."""
    target = book(tmp_path / "html", "0")
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert watcher.stdout.readline().strip() == "watching"
    for i in range(1, 301):
        swap_directory(book(tmp_path / "stage" / str(i), str(i)), target)
    watcher.stdin.close()
    polls, missing = map(int, watcher.stdout.read().split())
    watcher.wait(timeout=10)
    assert polls > 1000 and missing == 0, f"the book was missing in {missing} of {polls} polls"


WATCHER = textwrap.dedent(
    """
    import os, sys, threading
    target = os.path.join(sys.argv[1], "index.html")
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print("watching", flush=True)
    polls = missing = 0
    while not done.is_set():
        polls += 1
        missing += not os.path.isfile(target)
    print(polls, missing, flush=True)
    """
)


def test_without_renameat2_the_rename_dance_still_publishes(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    target = book(tmp_path / "html", "old")
    swap_directory(book(tmp_path / "stage" / "html", "new"), target)
    assert (target / "index.html").read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == [
        "html",
        "stage",
    ]


def test_a_failed_rename_dance_puts_the_old_book_back(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    target = book(tmp_path / "html", "old")
    new = book(tmp_path / "stage" / "html", "new")
    fail_on_call(monkeypatch, "rename", 2, errno.EIO)
    with pytest.raises(OSError, match="Input/output error"):
        swap_directory(new, target)
    monkeypatch.undo()
    assert (target / "index.html").read_text() == "old" and (new / "index.html").read_text() == "new"


def test_swap_refuses_a_file(tmp_path):
    (tmp_path / "html").write_text("not a book")
    with pytest.raises(NotADirectoryError):
        swap_directory(book(tmp_path / "stage", "new"), tmp_path / "html")


# --- build_lock -----------------------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    from tradebook.book.publish import build_lock
    with build_lock(sys.argv[1]):
        print("locked", flush=True)
        sys.stdin.read()
    """
)

CONTENDER = textwrap.dedent(
    """
    import sys
    from tradebook.book.publish import LockedError, build_lock
    try:
        with build_lock(sys.argv[1], wait=float(sys.argv[2]), on_wait=print):
            print("got it", flush=True)
    except LockedError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    """
)


def python(script: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, text=True, **kwargs)


def hold(root: Path) -> subprocess.Popen:
    holder = python(HOLDER, str(root), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def contend(root: Path, wait: float) -> subprocess.CompletedProcess:
    proc = python(CONTENDER, str(root), str(wait), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_a_second_build_waits_then_refuses_in_one_line(tmp_path):
    holder = hold(tmp_path)
    try:
        started = time.monotonic()
        second = contend(tmp_path, 0.5)
        assert second.returncode == 1 and time.monotonic() - started >= 0.5
        assert second.stderr == f"error: another build of this project is running (pid {holder.pid})\n"
        assert second.stdout == f"waiting for another build of this project (pid {holder.pid}) to finish …\n"
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert contend(tmp_path, 0.5).stdout == "got it\n"


def test_a_waiting_build_goes_ahead_when_the_first_ends(tmp_path):
    holder = hold(tmp_path)
    second = python(CONTENDER, str(tmp_path), "20", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    holder.stdin.close()
    out, _ = second.communicate(timeout=30)
    assert second.returncode == 0 and out.endswith("got it\n")


def test_a_killed_build_frees_the_lock(tmp_path):
    holder = hold(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert contend(tmp_path, 2).stdout == "got it\n"


def test_staging_is_private_and_stale_stages_are_removed(tmp_path, umask):
    stale = tmp_path / "_build" / ".stage" / "kazakhstan-italy-dead"
    stale.mkdir(parents=True)
    with build_lock(tmp_path) as lock:
        assert not stale.exists()
        first, second = lock.stage("kazakhstan-italy"), lock.stage("kazakhstan-italy")
        assert first != second and first.parent == second.parent == tmp_path / "_build" / ".stage"
        assert mode(first) == 0o755  # readable by a web server once published, unlike mkdtemp's 0o700
    with build_lock(tmp_path, wait=0):  # released on leaving the block
        pass


BUILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from tradebook.book.publish import build_lock, swap_directory
    root, label = Path(sys.argv[1]), sys.argv[2]
    with build_lock(root, wait=60) as lock:
        html = lock.stage("kazakhstan-italy") / "html"
        html.mkdir()
        for i in range(50):
            (html / f"page{i}.html").write_text(label)
            time.sleep(0.002)
        swap_directory(html, root / "_build" / "html")
    print("Built", label)
    """
)


def test_two_builds_at_once_leave_one_whole_book(tmp_path):
    """Issue 15's failure: two builds in one clone used to delete the published book."""
    book(tmp_path / "_build" / "html", "previous", pages=50)
    builds = [python(BUILD, str(tmp_path), label, stdout=subprocess.PIPE) for label in ("a", "b")]
    outputs = [b.communicate(timeout=60)[0] for b in builds]
    assert [b.returncode for b in builds] == [0, 0] and sorted(outputs) == ["Built a\n", "Built b\n"]
    pages = {p.read_text() for p in (tmp_path / "_build" / "html").iterdir()}
    assert pages in ({"a"}, {"b"}) and len(list((tmp_path / "_build" / "html").iterdir())) == 50
    assert sorted(p.name for p in (tmp_path / "_build").iterdir()) == [".lock", ".stage", "html"]
