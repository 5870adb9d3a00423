"""Writes that never leave data/ half-changed: several files changed as one transaction.

`write_files` writes and flushes every file to a temporary file beside its target before any is renamed
into place; a failure at any point (disk full, read-only folder) leaves every original byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from .errors import display_path


class WriteError(OSError):
    """A transaction that changed nothing: the message says which file failed and why, in one line."""

    def __init__(self, message: str, cause: OSError | None = None):
        super().__init__(cause.errno if cause else None, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _create_beside(target: Path, suffix: str) -> tuple[Path, int]:
    """A new, empty, exclusive file in the target's folder; mode 0o666 less the umask, as `open` gives."""
    while True:
        path = target.with_name(f".{target.name}.{secrets.token_hex(4)}.{suffix}")
        try:
            return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _unlink_quietly(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _fsync_dirs(dirs: set[Path]) -> None:
    """Make the renames durable; a filesystem that cannot sync a folder is not an error."""
    for folder in dirs:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def write_files(files: Mapping[str | os.PathLike[str], bytes | str]) -> list[Path]:
    """Replace the content of every file (text is written as UTF-8), all or nothing; returns those changed.

    Unchanged files are not rewritten (their times stay, so caches keyed on them stay valid). A changed
    file keeps its mode, a new one gets 0o666 less the umask, and a symbolic link stays one (its target is
    written). The folders must exist and allow hard links: each original keeps a second name until the
    end, so that a failed rename can be undone. On any OSError (disk full, read-only folder, …) the
    temporary files are removed, every original is as it was, and a WriteError says what failed in one
    line. Only a crash during the final renames (microseconds) can leave some files new and some old.
    """
    plan = _plan(files)
    temps: list[Path] = []
    backups: dict[Path, Path] = {}  # target → a hard link to its original, to undo a rename
    done: list[Path] = []  # targets renamed into place
    target = None
    try:
        for target, data, mode in plan:
            tmp, fd = _create_beside(target, "tmp")
            temps.append(tmp)
            try:
                if mode is not None:
                    os.fchmod(fd, mode)
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if mode is not None:
                backups[target] = _link_beside(target)
        for tmp, (target, _, _) in zip(temps, plan, strict=True):
            os.replace(tmp, target)
            done.append(target)
    except OSError as err:
        reason = f"could not write {display_path(target) if target else 'the files'}: {err.strerror or err}"
        _unlink_quietly(temps)
        try:
            _roll_back(done, backups)
        except OSError as undo:
            kept = ", ".join(display_path(b) for b in backups.values())
            message = f"{reason}, nor undo it ({undo.strerror}); the originals are kept as {kept}"
            raise WriteError(message, err) from None
        _unlink_quietly(list(backups.values()))
        raise WriteError(f"{reason}; no file was changed", err) from None
    _unlink_quietly(list(backups.values()))
    _fsync_dirs({target.parent for target, _, _ in plan})
    return [target for target, _, _ in plan]


def _plan(files: Mapping[str | os.PathLike[str], bytes | str]) -> list[tuple[Path, bytes, int | None]]:
    """(target, content, mode of the file it replaces or None for a new one) for each file that changes."""
    plan, seen = [], set()
    for name, content in files.items():
        path = Path(os.path.realpath(name))  # a symbolic link stays one: its target is written
        if path in seen:
            raise ValueError(f"{display_path(path)} is given twice")
        seen.add(path)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        try:
            st = os.stat(path)
            same = st.st_size == len(data) and stat.S_ISREG(st.st_mode) and path.read_bytes() == data
        except FileNotFoundError:
            st, same = None, False
        except OSError as err:
            raise WriteError(f"could not read {display_path(path)}: {err.strerror}; no file was changed", err) from None
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise WriteError(f"could not write {display_path(path)}: not a regular file; no file was changed")
        if same:
            continue
        mode = None if st is None else st.st_mode & 0o7777
        plan.append((path, data, mode))
    return plan


def _link_beside(target: Path) -> Path:
    """A second name for the original, so that a rename can be undone without a copy of the file."""
    while True:
        backup = target.with_name(f".{target.name}.{secrets.token_hex(4)}.orig")
        try:
            os.link(target, backup)
            return backup
        except FileExistsError:
            continue


def _roll_back(done: list[Path], backups: dict[Path, Path]) -> None:
    """Put back the originals of the files already renamed into place; remove the ones that were new."""
    for target in reversed(done):
        if target in backups:
            os.replace(backups.pop(target), target)
        else:
            os.unlink(target)
