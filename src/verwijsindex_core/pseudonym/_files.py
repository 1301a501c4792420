"""Private files (key rings, OPRF server keys): created 0600, never clobbered by accident,
refused on load when group or others may access them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from verwijsindex_core.errors import KeyFileError

__all__: list[str] = []


def write_private(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` with mode 0600; atomically replace only when ``overwrite``."""
    target = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp") if overwrite else path
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            "key_file", "no-clobber", f"{path} already exists; refusing to overwrite a key"
        ) from None
    except OSError as exc:
        raise KeyFileError(
            "key_file", "create", f"{path} cannot be created ({exc.strerror})"
        ) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if overwrite:
            os.replace(target, path)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise KeyFileError(
            "key_file", "write", f"{path} cannot be written ({exc.strerror})"
        ) from None


def read_private(path: Path, *, check_permissions: bool) -> bytes:
    """Read a private file; on POSIX refuse one that group or others may access (like ssh)."""
    try:
        if check_permissions and os.name == "posix":
            mode = path.stat().st_mode & 0o777
            if mode & 0o077:
                raise KeyFileError(
                    "key_file",
                    "permissions",
                    f"{path} has mode {mode:04o}, which lets group or others access it; "
                    "run 'chmod 600' on it",
                )
        return path.read_bytes()
    except OSError as exc:
        raise KeyFileError("key_file", "read", f"{path} cannot be read ({exc.strerror})") from None
