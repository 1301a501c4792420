"""Private files (key rings, OPRF service keys, the report-signing key): written atomically
with mode 0600, never clobbered by accident, refused on load when group or others may access
them or when they are implausibly large."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from verwijsindex_core._files import atomic_write
from verwijsindex_core.errors import KeyFileError

__all__: list[str] = []

MAX_PRIVATE_FILE: Final = 1 << 20
"""Bytes a private file may hold (a key ring of thousands of keys is far smaller); more is
refused, so a mistaken path such as ``/dev/zero`` cannot exhaust memory."""


def write_private(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` with mode 0600, atomically (temporary file, fsync, rename,
    directory fsync); an existing file is replaced only when ``overwrite``."""
    if not overwrite and os.path.lexists(path):  # early and clear; the link below is the guard
        raise _exists(path)
    try:
        with atomic_write(path, mode=0o600, overwrite=overwrite) as out:
            out.write(data)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise KeyFileError(
            "key_file", "write", f"{path} cannot be written ({exc.strerror})"
        ) from None
    except ValueError:  # an embedded NUL character in the path
        raise KeyFileError("key_file", "path", "the path is not a valid file name") from None


def _exists(path: Path) -> KeyFileError:
    return KeyFileError(
        "key_file", "no-clobber", f"{path} already exists; refusing to overwrite a key"
    )


def read_private(path: Path, *, check_permissions: bool) -> bytes:
    """Read a private file; on POSIX refuse one that group or others may access (like ssh)."""
    try:
        with path.open("rb") as handle:
            if check_permissions and os.name == "posix":
                mode = os.fstat(handle.fileno()).st_mode & 0o777
                if mode & 0o077:
                    raise KeyFileError(
                        "key_file",
                        "permissions",
                        f"{path} has mode {mode:04o}, which lets group or others access it; "
                        "run 'chmod 600' on it",
                    )
            data = handle.read(MAX_PRIVATE_FILE + 1)
    except OSError as exc:
        raise KeyFileError("key_file", "read", f"{path} cannot be read ({exc.strerror})") from None
    except ValueError:  # an embedded NUL character in the path
        raise KeyFileError("key_file", "path", "the path is not a valid file name") from None
    if len(data) > MAX_PRIVATE_FILE:
        raise KeyFileError(
            "key_file", "size", f"{path} is larger than {MAX_PRIVATE_FILE} bytes: not a key file"
        )
    return data
