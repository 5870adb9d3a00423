"""Publishing the built book: one build at a time per project, and a swap that never leaves it missing.

- `build_lock` lets one build of a project run at a time, with staging folders private to each build.
- `swap_directory` publishes a directory (the built book) with no moment at which the target is missing.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import BuildError

LOCK_WAIT = 600  # seconds a second build of the same project waits for the first before giving up


class LockedError(BuildError):
    """Another build of the same project holds the lock."""


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """glibc's renameat2 (2.28 and later), or None on other systems."""
    if not sys.platform.startswith("linux"):
        return None
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # an old kernel, or a filesystem without it
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_directory(new: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Make `new` the directory at `target`, then delete the old one; `new` is gone afterwards.

    With renameat2 (Linux) the two are exchanged in one step: `target` is always there, whole. Elsewhere
    the old one is renamed aside, the new one into place, and the old one put back if that fails: a
    failure never leaves `target` missing, though a reader may for an instant find it absent.
    """
    new, target = Path(new), Path(target)
    for path in (new, target):
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(path))
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # the old book, now at the new one's path
        return
    aside = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


class BuildLock:
    """Held for the whole build; hands out staging folders private to this build."""

    def __init__(self, root: Path):
        self.root = root

    def stage(self, prefix: str) -> Path:
        """A new, empty folder under _build/.stage/ for this build only (mode 0o777 less the umask)."""
        folder = self.root / "_build" / ".stage"
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            path = folder / f"{prefix}-{secrets.token_hex(4)}"
            try:
                path.mkdir()
                return path
            except FileExistsError:
                continue


@contextlib.contextmanager
def build_lock(
    root: str | os.PathLike[str], wait: float = 3.0, on_wait: Callable[[str], None] | None = None
) -> Iterator[BuildLock]:
    """Hold _build/.lock (an flock, freed by the system when the process dies, however it dies).

    If another build holds it, `on_wait` is told once and the lock is tried until `wait` seconds have
    passed; then LockedError: "another build of this project is running (pid N)". Staging folders left
    by builds that were killed are removed once the lock is held: no build can be using them.
    """
    root = Path(root)
    build = root / "_build"
    build.mkdir(parents=True, exist_ok=True)
    fd = os.open(build / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        _acquire(fd, wait, on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        shutil.rmtree(build / ".stage", ignore_errors=True)
        yield BuildLock(root)
    finally:
        os.close(fd)  # releases the lock; the file stays, so every build locks the same inode


def _acquire(fd: int, wait: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            if time.monotonic() >= deadline:
                raise LockedError(f"another build of this project is running (pid {holder})") from None
            if on_wait and not told:
                on_wait(f"waiting for another build of this project (pid {holder}) to finish …")
                told = True
            time.sleep(0.1)
