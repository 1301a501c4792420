"""Atomic file writes: the one helper for every file this library writes in one piece.

:func:`atomic_write` writes to a temporary file beside the target, fsyncs it, moves it into
place and fsyncs the directory, so that after a crash or a power cut the target holds either
its old content or the complete new one, never a half-written file. Key rings, OPRF service
keys and the report-signing key (through ``pseudonym._files.write_private``) and the command
line's CSV and report output all go through it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["atomic_write", "fsync_directory"]

# errno values of os.link on a file system without hard links (FAT, some network mounts).
_NO_HARD_LINKS: Final = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})


def fsync_directory(directory: Path) -> None:
    """Make a new, replaced or removed name in ``directory`` durable (POSIX; else a no-op).

    Some file systems cannot fsync a directory and say ``EINVAL``; there is nothing more to do
    on those.
    """
    if os.name != "posix":  # pragma: no cover - Windows has no directory handles to fsync
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - depends on the file system
        if exc.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


def _publish_no_clobber(tmp: Path, path: Path, mode: int) -> None:
    """Give ``tmp``'s content the name ``path`` unless ``path`` exists (even in a race)."""
    try:
        os.link(tmp, path)  # atomic, and fails with FileExistsError when path exists
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # No hard links here: exclusive create and copy. Never clobbers either; only a crash
        # in the middle of the copy can leave a partial file, as on any such file system.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            with tmp.open("rb") as source, os.fdopen(fd, "wb") as target:
                shutil.copyfileobj(source, target)
                target.flush()
                os.fsync(target.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def atomic_write(path: Path, *, mode: int = 0o666, overwrite: bool = True) -> Iterator[BinaryIO]:
    """Yield a binary file; when the ``with`` block ends cleanly its content appears at ``path``.

    The data goes to ``.<name>.<random>.tmp`` beside ``path``, created with ``mode`` (``0o600``
    for secrets; the umask applies as usual). On a clean exit the file is flushed and fsynced,
    then moved into place: with ``overwrite`` by :func:`os.replace` (an existing file is
    replaced atomically), without it by :func:`os.link`, which raises
    :class:`FileExistsError` when ``path`` exists, so an existing file is never clobbered, even
    by a concurrent writer. Last, the directory is fsynced so the new name survives a crash.
    When the block raises, the temporary file is removed and ``path`` is left as it was.
    Errors are the :class:`OSError` of the step that failed; callers turn them into their own.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _publish_no_clobber(tmp, path, mode)
            tmp.unlink()
        fsync_directory(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
