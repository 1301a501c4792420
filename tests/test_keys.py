from __future__ import annotations

import json
import pickle
import stat
from datetime import date
from pathlib import Path

import pytest

from verwijsindex_core import KeyFileError, KeyRing, KeyRingError, UnknownKey
from verwijsindex_core.pseudonym import KEY_SIZE, Key
from verwijsindex_core.pseudonym._b64 import b64u_encode

TODAY = date(2026, 12, 1)


def test_generate_makes_random_256_bit_keys_with_short_ids() -> None:
    a, b = KeyRing.generate(created=TODAY), KeyRing.generate(created=TODAY)
    assert a.active != b.active
    assert a.active.id != b.active.id
    assert len(a.active.id) == 8
    assert a.active.created == TODAY
    assert len(a) == 1 and a.retired == ()


def test_key_id_is_derived_from_the_key() -> None:
    assert Key(bytes(32)).id == Key(bytes(32)).id
    assert Key(bytes(32)).id != Key(bytes(31) + b"\x01").id


def test_key_must_be_32_bytes() -> None:
    for bad in (b"", bytes(31), bytes(33)):
        with pytest.raises(KeyRingError, match="key-length"):
            Key(bad)
    with pytest.raises(KeyRingError):
        Key("0" * 32)  # type: ignore[arg-type]


def test_save_and_load_round_trip_with_mode_0600(tmp_path: Path) -> None:
    ring = KeyRing.generate(created=TODAY).rotate(created=date(2027, 1, 1))
    path = tmp_path / "keys.json"
    ring.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = KeyRing.load(path)
    assert [k.id for k in loaded] == [k.id for k in ring]
    assert loaded.active == ring.active
    assert loaded.retired == ring.retired
    assert [k.created for k in loaded] == [date(2027, 1, 1), TODAY]


def test_save_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    first = KeyRing.generate(created=TODAY)
    first.save(path)
    with pytest.raises(KeyFileError, match="no-clobber"):
        KeyRing.generate(created=TODAY).save(path)
    assert KeyRing.load(path).active == first.active
    second = first.rotate(created=TODAY)
    second.save(path, overwrite=True)
    assert KeyRing.load(path).active == second.active
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json"]


def test_load_refuses_a_file_others_can_read(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    KeyRing.generate(created=TODAY).save(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        KeyRing.load(path)
    assert KeyRing.load(path, check_permissions=False).active.id


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    return path


def _entry(key: Key, status: str = "active") -> dict[str, object]:
    return {"id": key.id, "secret": key._export(), "created": "2026-12-01", "status": status}


def _doc(*entries: dict[str, object]) -> dict[str, object]:
    return {"format": "verwijsindex-core/keyring", "version": 1, "keys": list(entries)}


KEY = Key(bytes(range(32)))
OTHER = Key(bytes(range(1, 33)))


@pytest.mark.parametrize(
    ("doc", "rule"),
    [
        ([], "json"),
        ({**_doc(_entry(KEY)), "format": "other"}, "format"),
        ({**_doc(_entry(KEY)), "version": 2}, "version"),
        (_doc(), "keys"),
        (_doc({"id": KEY.id}), "fields"),
        (_doc({**_entry(KEY), "note": "x"}), "fields"),
        (_doc({**_entry(KEY), "secret": "not base64!"}), "key-format"),
        (_doc({**_entry(KEY), "secret": b64u_encode(bytes(16))}), "key-format"),
        (_doc({**_entry(KEY), "id": OTHER.id}), "key-id"),
        (_doc({**_entry(KEY), "created": "yesterday"}), "date"),
        (_doc({**_entry(KEY), "status": "spare"}), "status"),
        (_doc(_entry(KEY, "retired")), "one-active"),
        (_doc(_entry(KEY), _entry(OTHER)), "one-active"),
        (_doc(_entry(KEY), _entry(KEY, "retired")), "unique-key-id"),
    ],
)
def test_malformed_files_are_refused_with_the_rule(tmp_path: Path, doc: object, rule: str) -> None:
    path = _write(tmp_path / "keys.json", doc)
    with pytest.raises(KeyFileError, match=f"rule: {rule}") as info:
        KeyRing.load(path)
    assert KEY._export() not in str(info.value)


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_bytes(b"\xff\xfe not json")
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="rule: json"):
        KeyRing.load(path)
    with pytest.raises(KeyFileError, match="cannot be read"):
        KeyRing.load(tmp_path / "absent.json")


def test_from_env() -> None:
    env = {"VERWIJSINDEX_KEYS": f" {KEY._export()} , {OTHER._export()}"}
    ring = KeyRing.from_env(environ=env)
    assert ring.active == KEY and ring.retired == (OTHER,)
    assert ring.active.created is None
    assert KeyRing.from_env("MINE", environ={"MINE": KEY._export()}).active == KEY


@pytest.mark.parametrize("value", ["", "abc", f"{KEY._export()},", b64u_encode(bytes(31))])
def test_from_env_rejects_bad_values(value: str) -> None:
    with pytest.raises(KeyRingError, match="key-format") as info:
        KeyRing.from_env(environ={"VERWIJSINDEX_KEYS": value})
    assert KEY._export() not in str(info.value)


def test_from_env_missing() -> None:
    with pytest.raises(KeyRingError, match="not set"):
        KeyRing.from_env(environ={})


def test_rotate_and_drop() -> None:
    ring = KeyRing(KEY)
    rotated = ring.rotate(created=TODAY)
    assert rotated.retired == (KEY,)
    assert rotated.active not in (KEY, OTHER)
    assert KEY.id in rotated and "aaaaaaaa" not in rotated
    assert ring.keys == (KEY,)  # immutable: the old ring is unchanged
    twice = rotated.rotate(created=TODAY)
    assert twice.retired == (rotated.active, KEY)
    dropped = twice.drop(KEY.id)
    assert dropped.keys == (twice.active, rotated.active)
    with pytest.raises(KeyRingError, match="keep-active"):
        twice.drop(twice.active.id)
    with pytest.raises(UnknownKey):
        twice.drop("aaaaaaaa")
    with pytest.raises(UnknownKey):
        twice.get("aaaaaaaa")
    assert twice.get(KEY.id) == KEY


def test_ring_rejects_duplicates_and_non_keys() -> None:
    with pytest.raises(KeyRingError, match="unique-key-id"):
        KeyRing(KEY, [KEY])
    with pytest.raises(KeyRingError, match="key-type"):
        KeyRing(KEY, [b"x" * 32])  # type: ignore[list-item]


def test_derive_is_per_purpose_and_validated() -> None:
    assert KEY.derive("subject") != KEY.derive("parent")
    assert KEY.derive("subject") != OTHER.derive("subject")
    assert len(KEY.derive("subject", 64)) == 64
    with pytest.raises(ValueError, match="purpose"):
        KEY.derive("")


def test_keys_and_rings_refuse_pickling() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(KEY)
    with pytest.raises(TypeError):
        pickle.dumps(KeyRing(KEY))


def test_key_size_constant() -> None:
    assert KEY_SIZE == 32
