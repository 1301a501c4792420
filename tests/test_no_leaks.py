"""No BSN, key or full pseudonym in an exception message, a log line or a repr."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from verwijsindex_core import Bsn, InvalidBsn, KeyRing, Pseudonymiser
from verwijsindex_core.errors import VerwijsindexError
from verwijsindex_core.pseudonym import Key, Pseudonym, random_bsn
from verwijsindex_core.pseudonym._b64 import b64u_encode

SECRET = bytes(range(100, 132))
KEY = Key(SECRET)
SECRET_FORMS = (SECRET.hex(), b64u_encode(SECRET), repr(SECRET), str(list(SECRET)))


def _assert_clean(text: str, *, bsns: list[str], pseudonyms: list[Pseudonym]) -> None:
    for form in SECRET_FORMS:
        assert form not in text
    for digits in bsns:
        assert digits not in text
        assert digits[:6] not in text
    for p in pseudonyms:
        assert p.text not in text
        assert b64u_encode(p.digest)[:16] not in text
        assert p.digest.hex()[:16] not in text


def test_reprs_and_strs_hide_everything() -> None:
    ring = KeyRing(KEY).rotate()
    pseudonymiser = Pseudonymiser(ring)
    bsns = [random_bsn(random.Random(i)) for i in range(20)]
    pseudonyms = pseudonymiser.pseudonymise_many(bsns)
    shown = " ".join(
        f"{x!r} {x!s} {x}"
        for x in [ring, ring.active, KEY, pseudonymiser, *bsns, *pseudonyms, bsns, pseudonyms]
    )
    _assert_clean(shown, bsns=[b.digits for b in bsns], pseudonyms=pseudonyms)


def test_log_records_of_library_objects_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("vendor.app")
    bsn = Bsn("111222333")
    pseudonym = Pseudonymiser(KeyRing(KEY)).pseudonymise(bsn)
    with caplog.at_level(logging.INFO):
        log.info("registered %s as %s with %s", bsn, pseudonym, KEY)
        log.info(f"f-string {bsn} {pseudonym!r} {KeyRing(KEY)}")
    _assert_clean(caplog.text, bsns=[bsn.digits], pseudonyms=[pseudonym])
    assert "******333" in caplog.text


def test_every_error_path_is_clean(tmp_path: Path) -> None:
    bsn_inputs = ["111222334", "11122233x", "1112223", "111.222.33.4", "123456789"]
    messages: list[str] = []
    for value in bsn_inputs:
        with pytest.raises(InvalidBsn) as info:
            Pseudonymiser(KeyRing(KEY)).pseudonymise(value)
        messages += [str(info.value), repr(info.value), str(info.value.args)]
    path = tmp_path / "keys.json"
    KeyRing(KEY).save(path)
    path.chmod(0o640)
    with pytest.raises(VerwijsindexError) as denied:
        KeyRing.load(path)
    messages.append(str(denied.value))
    with pytest.raises(VerwijsindexError) as exists:
        KeyRing(KEY).save(path)
    messages.append(str(exists.value))
    bad_env = {"VERWIJSINDEX_KEYS": b64u_encode(SECRET)[:-2]}
    with pytest.raises(VerwijsindexError) as env:
        KeyRing.from_env(environ=bad_env)
    messages.append(str(env.value))
    _assert_clean(" ".join(messages), bsns=[v.replace(".", "") for v in bsn_inputs], pseudonyms=[])
