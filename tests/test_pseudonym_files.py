"""Atomic writes, private key files, versioned key documents and key ids (one of each)."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from verwijsindex_core._files import atomic_write
from verwijsindex_core.errors import KeyFileError
from verwijsindex_core.pseudonym import Key, KeyRing
from verwijsindex_core.pseudonym._files import MAX_PRIVATE_FILE, read_private, write_private
from verwijsindex_core.pseudonym._keyfile import derive_key_id, parse_key_document
from verwijsindex_core.pseudonym.oprf import PseudonymService, oprf_key_id

SECRET = bytes(range(32))


class Boom(Exception):
    pass


# --- atomic_write -----------------------------------------------------------------------------


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with atomic_write(target) as out:
        out.write(b"new")
        assert target.read_text() == "old"  # nothing visible before the end
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")

    def half_written() -> None:
        with atomic_write(target) as out:
            out.write(b"half")
            raise Boom

    with pytest.raises(Boom):
        half_written()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_no_clobber_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "key.json"
    target.write_text("precious")
    with pytest.raises(FileExistsError), atomic_write(target, overwrite=False) as out:
        out.write(b"other")
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]
    fresh = tmp_path / "fresh.json"
    with atomic_write(fresh, mode=0o600, overwrite=False) as out:
        out.write(b"data")
    assert fresh.read_bytes() == b"data"
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_the_file_and_then_the_directory_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.fsync is wrapped (and still called) to see what is synced, in which order.
    real_fsync = os.fsync
    synced: list[tuple[str, bool]] = []
    target = tmp_path / "out.csv"

    def recording_fsync(fd: int) -> None:
        kind = "dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        synced.append((kind, target.exists()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    for overwrite in (True, False):
        synced.clear()
        target.unlink(missing_ok=True)
        with atomic_write(target, overwrite=overwrite) as out:
            out.write(b"data")
        # The data before the rename (target not there yet), the directory after it.
        assert synced == [("file", False), ("dir", True)], overwrite


def test_without_hard_links_no_clobber_still_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file system without hard links (FAT, some network mounts) answers EPERM.
    def no_links(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "key.json"
    with atomic_write(target, mode=0o600, overwrite=False) as out:
        out.write(b"secret")
    assert target.read_bytes() == b"secret"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError), atomic_write(target, overwrite=False) as out:
        out.write(b"other")
    assert target.read_bytes() == b"secret"
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]


# --- private files ------------------------------------------------------------------------------


def test_write_private_is_0600_and_atomic_when_overwriting(tmp_path: Path) -> None:
    path = tmp_path / "private.key"
    write_private(path, b"one", overwrite=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(KeyFileError) as info:
        write_private(path, b"two", overwrite=False)
    assert info.value.rule == "no-clobber"
    write_private(path, b"two", overwrite=True)
    assert read_private(path, check_permissions=True) == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["private.key"]


def test_write_private_into_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as info:
        write_private(tmp_path / "absent" / "k.json", b"x", overwrite=False)
    assert (info.value.field, info.value.rule) == ("key_file", "write")


def test_read_private_refuses_oversized_files(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_PRIVATE_FILE + 1))
    path.chmod(0o600)
    with pytest.raises(KeyFileError) as info:
        read_private(path, check_permissions=True)
    assert info.value.rule == "size"
    with pytest.raises(KeyFileError) as ring:
        KeyRing.load(path)
    assert ring.value.rule == "size"


def test_read_private_refuses_a_directory_and_an_open_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as info:
        read_private(tmp_path, check_permissions=False)
    assert info.value.rule == "read"
    path = tmp_path / "k"
    path.write_bytes(b"x")
    path.chmod(0o604)
    with pytest.raises(KeyFileError) as loose:
        read_private(path, check_permissions=True)
    assert loose.value.rule == "permissions"


# --- key documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field", "rule"),
    [
        (b"\xff\xfe", "document", "json"),
        (b"[" * 100_000 + b"]" * 100_000, "document", "json"),
        (b"[]", "document", "json"),
        (b'"text"', "document", "json"),
        (b'{"format": "other", "version": 1}', "format", "format"),
        (b'{"format": ["x/keyring"], "version": 1}', "format", "format"),
        (b'{"format": "x/keyring", "version": true}', "version", "version"),
        (b'{"format": "x/keyring", "version": 1.0}', "version", "version"),
        (b'{"format": "x/keyring", "version": "1"}', "version", "version"),
        (b'{"format": "x/keyring"}', "version", "version"),
    ],
    ids=lambda v: str(v)[:24],
)
def test_key_documents_are_checked_before_use(raw: bytes, field: str, rule: str) -> None:
    with pytest.raises(KeyFileError) as info:
        parse_key_document(raw, "keys.json", file_format="x/keyring", version=1)
    assert (info.value.field, info.value.rule) == (field, rule)
    assert "(key file keys.json)" in str(info.value)


def test_a_good_document_comes_back_with_its_bad_function() -> None:
    doc, bad = parse_key_document(
        b'{"format": "x/keyring", "version": 1, "keys": []}',
        "keys.json",
        file_format="x/keyring",
        version=1,
    )
    assert doc["keys"] == []
    error = bad("keys", "keys", "must be a non-empty list")
    assert isinstance(error, KeyFileError)
    assert str(error) == "keys: must be a non-empty list (key file keys.json) (rule: keys)"


def test_ring_and_service_files_share_the_document_checks(tmp_path: Path) -> None:
    ring_path, service_path = tmp_path / "ring.json", tmp_path / "svc.json"
    KeyRing(Key(SECRET)).save(ring_path)
    PseudonymService.generate(backend="portable").save(service_path)
    for path, load in ((ring_path, KeyRing.load), (service_path, PseudonymService.load)):
        doc = json.loads(path.read_text())
        for version in (True, 1.0, 2, "1"):
            path.write_text(json.dumps({**doc, "version": version}))
            with pytest.raises(KeyFileError) as info:
                load(path)
            assert (info.value.field, info.value.rule) == ("version", "version")


def test_saving_over_a_ring_with_overwrite_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    first = KeyRing(Key(SECRET))
    first.save(path)
    second = first.rotate()
    second.save(path, overwrite=True)
    assert KeyRing.load(path).keys == second.keys
    assert [p.name for p in tmp_path.iterdir()] == ["ring.json"]


# --- key ids --------------------------------------------------------------------------------------


def _expected_id(label: bytes, material: bytes) -> str:
    fingerprint = hashlib.sha256(label + b"\x00" + material).digest()
    return base64.b32encode(fingerprint[:5]).decode().lower()


def test_one_key_id_function_for_both_kinds_of_key() -> None:
    assert Key(SECRET).id == derive_key_id("key", SECRET)
    assert derive_key_id("key", SECRET) == _expected_id(b"verwijsindex-core/v1/key-id", SECRET)
    public = PseudonymService(bytes([1]) + bytes(31), backend="portable").public_key
    assert oprf_key_id(public) == derive_key_id("oprf-key", public)
    assert oprf_key_id(public) == _expected_id(b"verwijsindex-core/v1/oprf-key-id", public)
    # The kind is part of the fingerprint: the same bytes give different ids.
    assert derive_key_id("key", public) != derive_key_id("oprf-key", public)
