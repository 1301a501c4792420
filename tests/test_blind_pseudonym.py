"""Blind pseudonyms end to end: vendor, service, key file, command line."""

from __future__ import annotations

import json
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from _system import require_library
from verwijsindex_core import Bsn, InvalidBsn, KeyRing, Pseudonymiser
from verwijsindex_core.errors import KeyFileError, OprfError, ProofError
from verwijsindex_core.pseudonym import random_bsn
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.pseudonym.oprf import (
    BlindPseudonymiser,
    Mode,
    PseudonymService,
    oprf_key_id,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-clients.csv"
SCRIPT = Path(sys.executable).parent / "verwijsindex"


@pytest.fixture(scope="module")
def service() -> PseudonymService:
    return PseudonymService.generate()


def test_blind_pseudonyms_equal_the_key_holders(service: PseudonymService) -> None:
    rng = random.Random(12)
    bsns = [random_bsn(rng) for _ in range(40)]
    vendor = BlindPseudonymiser(service.public_key)
    got = vendor.pseudonymise_many(bsns, service.blind_evaluate)
    assert got == [service.pseudonymise(b) for b in bsns]
    assert all(p.key_id == service.key_id == oprf_key_id(service.public_key) for p in got)
    assert len({p.digest for p in got}) == 40
    # The same BSN given as text or Bsn, in another batch, gives the same pseudonym.
    again = vendor.pseudonymise_many([bsns[3].digits], service.blind_evaluate)
    assert again == [got[3]]


def test_the_service_only_sees_blinded_elements(service: PseudonymService) -> None:
    seen: list[bytes] = []

    def recording_service(elements: object) -> object:
        seen.extend(elements)  # type: ignore[arg-type]
        return service.blind_evaluate(elements)  # type: ignore[arg-type]

    bsn = Bsn("111222333")
    vendor = BlindPseudonymiser(service.public_key)
    vendor.pseudonymise_many([bsn, bsn], recording_service)  # type: ignore[arg-type]
    assert len(seen) == 2 and seen[0] != seen[1]  # same BSN, unlinkable requests
    for element in seen:
        assert b"111222333" not in element


def test_blind_and_keyed_pseudonyms_differ(service: PseudonymService) -> None:
    keyed = Pseudonymiser(KeyRing.generate()).pseudonymise("111222333")
    blind = service.pseudonymise("111222333")
    assert keyed != blind and keyed.digest != blind.digest


def test_invalid_bsns_are_refused_before_anything_is_sent(service: PseudonymService) -> None:
    vendor = BlindPseudonymiser(service.public_key)
    calls: list[object] = []
    with pytest.raises(InvalidBsn):
        vendor.pseudonymise_many(["111222333", "111222334"], calls.append)  # type: ignore[arg-type]
    assert calls == []


def test_a_service_with_another_key_is_caught(service: PseudonymService) -> None:
    impostor = PseudonymService.generate()
    vendor = BlindPseudonymiser(service.public_key)
    with pytest.raises(ProofError):
        vendor.pseudonymise_many(["111222333"], impostor.blind_evaluate)


def test_oprf_mode_needs_a_key_id_and_matches_the_service() -> None:
    base = PseudonymService.generate(mode=Mode.OPRF)
    with pytest.raises(OprfError, match="key_id"):
        BlindPseudonymiser(None, mode=Mode.OPRF)
    vendor = BlindPseudonymiser(None, mode=Mode.OPRF, key_id=base.key_id)
    assert vendor.pseudonymise_many(["111222333"], base.blind_evaluate) == [
        base.pseudonymise("111222333")
    ]
    with pytest.raises(OprfError, match="mode"):
        BlindPseudonymiser(base.public_key, mode=Mode.POPRF)


@pytest.mark.parametrize("backend", ["native", "portable"])
def test_backends_agree_on_pseudonyms(
    backend: str, service: PseudonymService, tmp_path: Path
) -> None:
    if backend == "native":  # skips locally without libsodium, fails in CI
        require_library("sodium", "libsodium23")
    path = tmp_path / "svc.json"
    service.save(path)
    same = PseudonymService.load(path, backend=backend)
    vendor = BlindPseudonymiser(service.public_key, backend=backend)
    assert vendor.pseudonymise_many(["111222333"], same.blind_evaluate) == [
        service.pseudonymise("111222333")
    ]


def test_key_file_round_trip_and_refusals(service: PseudonymService, tmp_path: Path) -> None:
    path = tmp_path / "svc.json"
    service.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = PseudonymService.load(path)
    assert loaded.public_key == service.public_key and loaded.key_id == service.key_id
    with pytest.raises(KeyFileError, match="no-clobber"):
        service.save(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        PseudonymService.load(path)
    path.chmod(0o600)
    doc = json.loads(path.read_text())
    for field, value, rule in [
        ("public_key", b64u_encode(PseudonymService.generate().public_key), "key-pair"),
        ("key_id", "aaaaaaaa", "key-id"),
        ("secret_key", "short", "key-format"),
        ("secret_key", b64u_encode(bytes(32)), "key-format"),
        ("mode", "POPRF", "mode"),
        ("format", "other", "format"),
        ("suite", "P256-SHA256", "version"),
    ]:
        bad = tmp_path / f"bad-{field}-{rule}.json"
        bad.write_text(json.dumps({**doc, field: value}))
        bad.chmod(0o600)
        with pytest.raises(KeyFileError, match=f"rule: {rule}") as info:
            PseudonymService.load(bad)
        assert doc["secret_key"] not in str(info.value)


def test_reprs_hide_secrets(service: PseudonymService) -> None:
    vendor = BlindPseudonymiser(service.public_key)
    request = vendor.blind(["111222333"])
    for shown in (repr(service), repr(vendor), repr(request)):
        assert "111222333" not in shown
        assert b64u_encode(service._server._sk) not in shown
    import pickle

    for holder in (service, request):
        with pytest.raises(TypeError):
            pickle.dumps(holder)


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False, timeout=120
    )


def test_cli_oprf_keygen_and_blind_pseudonymise(tmp_path: Path) -> None:
    key = tmp_path / "svc.json"
    made = _run("oprf-keygen", "--out", key)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    public = next(
        line.split(": ", 1)[1] for line in made.stdout.splitlines() if line.startswith("public key")
    )
    service = PseudonymService.load(key)
    assert public == b64u_encode(service.public_key)
    assert service.key_id in made.stdout
    assert _run("oprf-keygen", "--out", key).returncode == 1  # never overwritten

    out = tmp_path / "out.csv"
    # "=": a base64url key may start with "-", which argparse would take for an option.
    done = _run(
        "pseudonymise", f"--oprf-public-key={public}", "--oprf-server-key", key, SAMPLE, out
    )
    assert done.returncode == 0, done.stderr
    rows = out.read_text().splitlines()
    source = SAMPLE.read_text().splitlines()
    assert len(rows) == 196
    first_bsn = source[1].split(",")[1]
    assert rows[1].split(",")[1] == service.pseudonymise(first_bsn).text

    other = tmp_path / "other.json"
    PseudonymService.generate().save(other)
    wrong = _run(
        "pseudonymise", "--oprf-public-key", public, "--oprf-server-key", other, SAMPLE, out
    )
    assert wrong.returncode == 1 and "DLEQ proof" in wrong.stderr
    usage = _run("pseudonymise", "--oprf-public-key", public, SAMPLE, out)
    assert usage.returncode == 2 and "--oprf-server-key" in usage.stderr
    garbled = _run(
        "pseudonymise", "--oprf-public-key", "not base64!", "--oprf-server-key", key, SAMPLE, out
    )
    assert garbled.returncode == 2
    strays = _run("pseudonymise", "--key", key, "--oprf-server-key", key, SAMPLE, out)
    assert strays.returncode == 2
