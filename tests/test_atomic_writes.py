"""Transactions over files (data/atomic.py), tried with real failures: all files changed or none, modes kept."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tradebook.data.atomic import WriteError, write_files


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), mode(p)) for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def umask():
    def set_to(value: int) -> None:
        os.umask(value)

    old = os.umask(0o022)
    yield set_to
    os.umask(old)


@pytest.fixture
def data(tmp_path) -> Path:
    """A data folder with two files of unusual modes, to see that a write keeps them."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "trade.csv").write_bytes(b"year,value\n2020,1\n")
    (folder / "trade.csv").chmod(0o640)
    (folder / "sources.yml").write_text("a: 1\n")
    (folder / "sources.yml").chmod(0o664)
    return folder


def test_writes_every_file_keeping_modes(data, umask):
    changed = write_files({data / "trade.csv": "year,value\n2020,2\n", data / "sources.yml": b"a: 2\n"})
    assert changed == [data / "trade.csv", data / "sources.yml"]
    assert (data / "trade.csv").read_text() == "year,value\n2020,2\n" and (
        data / "sources.yml"
    ).read_bytes() == b"a: 2\n"
    assert (mode(data / "trade.csv"), mode(data / "sources.yml")) == (0o640, 0o664)
    assert sorted(p.name for p in data.iterdir()) == ["sources.yml", "trade.csv"]  # no temporary file left


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path, umask, mask, expected):
    umask(mask)
    write_files({tmp_path / "new.csv": "x\n"})
    assert mode(tmp_path / "new.csv") == expected


def test_an_unchanged_file_is_not_rewritten(data):
    before = (data / "trade.csv").stat()
    assert write_files({data / "trade.csv": (data / "trade.csv").read_bytes(), data / "new.txt": "x"}) == [
        data / "new.txt"
    ]
    after = (data / "trade.csv").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_symbolic_link_stays_one(data):
    (data / "link.csv").symlink_to("trade.csv")
    write_files({data / "link.csv": "year,value\n2020,9\n"})
    assert (data / "link.csv").is_symlink() and (data / "trade.csv").read_text().endswith("2020,9\n")


def fail_on_call(monkeypatch, name: str, call: int, code: int = errno.ENOSPC) -> None:
    """Make os.<name> fail with `code` on its `call`-th call (1-based), as a full disk or a read-only folder does."""
    real = getattr(os, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


@pytest.mark.parametrize(
    ("name", "call", "code"),
    [
        ("write", 1, errno.ENOSPC),  # the disk is full while writing the first file
        ("write", 2, errno.ENOSPC),  # … or the second
        ("fsync", 2, errno.EIO),
        ("open", 2, errno.EACCES),  # a folder that cannot be written to
        ("link", 1, errno.EMLINK),
        ("replace", 2, errno.EROFS),  # a rename fails after the first file was renamed into place
    ],
)
def test_any_failure_leaves_every_original(data, monkeypatch, name, call, code):
    before = snapshot(data)
    fail_on_call(monkeypatch, name, call, code)
    with pytest.raises(WriteError) as err:
        write_files({data / "trade.csv": "year,value\n2020,2\n", data / "sources.yml": "a: 2\n", data / "n.txt": "x"})
    monkeypatch.undo()
    assert snapshot(data) == before, "an original changed, or a temporary file was left"
    message = str(err.value)
    assert "\n" not in message and message.endswith("; no file was changed")
    assert os.strerror(code) in message and err.value.errno == code


def test_a_failed_undo_says_where_the_originals_are(data, monkeypatch):
    real = os.replace

    def failing(src, dst):
        if str(src).endswith(".tmp") and Path(dst).name == "sources.yml" or str(src).endswith(".orig"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(WriteError, match=r"nor undo it \(Input/output error\); the originals are kept as .*\.orig"):
        write_files({data / "trade.csv": "changed\n", data / "sources.yml": "changed\n"})
    monkeypatch.undo()
    (kept,) = data.glob(".trade.csv.*.orig")
    assert kept.read_bytes() == b"year,value\n2020,1\n"


READ_ONLY = textwrap.dedent(
    """
    import sys
    from tradebook.data.atomic import WriteError, write_files
    data, other = sys.argv[1:]
    try:
        write_files({data + "/trade.csv": "changed\\n", other + "/b.txt": "changed\\n"})
    except WriteError as err:
        print(err)
    """
)


def unprivileged() -> tuple[str, Callable[[], None] | None] | None:
    """An interpreter and a way to run it without root's power to ignore permissions (None: there is none)."""
    if os.geteuid() != 0:
        return sys.executable, None
    for candidate in (sys.executable, "/usr/bin/python3"):
        try:
            subprocess.run([candidate, "-c", "pass"], preexec_fn=drop_root, capture_output=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        return candidate, drop_root
    return None


def drop_root() -> None:
    os.setgid(65534)
    os.setuid(65534)  # nobody


def test_a_read_only_folder_for_real():
    """The second folder cannot be written to: the first file, already staged, must stay as it was."""
    runner = unprivileged()
    if runner is None:
        pytest.skip("no interpreter that an unprivileged user can run")
    with tempfile.TemporaryDirectory() as folder:  # pytest's own is private to root
        read_only_folder(Path(folder), *runner)


def read_only_folder(tmp_path: Path, python_path: str, preexec: Callable[[], None] | None) -> None:
    data, other = tmp_path / "data", tmp_path / "other"
    for folder, folder_mode in ((data, 0o777), (other, 0o555)):
        folder.mkdir()
        name = "trade.csv" if folder == data else "b.txt"
        (folder / name).write_text("original\n")
        (folder / name).chmod(0o666)
        folder.chmod(folder_mode)
    tmp_path.chmod(0o755)
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.run(
        [python_path, "-c", READ_ONLY, str(data), str(other)],
        env=env,
        preexec_fn=preexec,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.endswith("b.txt: Permission denied; no file was changed\n"), proc.stdout + proc.stderr
    assert sorted(p.name for p in data.iterdir()) == ["trade.csv"] and (data / "trade.csv").read_text() == "original\n"
    assert (other / "b.txt").read_text() == "original\n"


def test_misuse_is_refused_before_anything_is_written(data):
    with pytest.raises(ValueError, match="given twice"):
        write_files({data / "trade.csv": "a", str(data / "trade.csv"): "b"})
    with pytest.raises(WriteError, match="not a regular file; no file was changed"):
        write_files({data / "trade.csv": "a", data: "b"})
    with pytest.raises(WriteError, match="No such file or directory; no file was changed"):
        write_files({data / "trade.csv": "a", data / "absent" / "x.csv": "b"})
    assert (data / "trade.csv").read_bytes() == b"year,value\n2020,1\n"
