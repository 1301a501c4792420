"""A blind server: it accepts only pseudonyms made with its OPRF service keys and never a
BSN; ``evaluateOprf`` serves the vendors' blinded BSNs (batch limit, rate limit) and
``verwijsindex pseudonymise --oprf-url`` uses it."""

from __future__ import annotations

import csv
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from _server import (
    BSNS,
    PROFESSIONAL,
    SCRIPT,
    TMP,
    ServerProcess,
    bsn,
    oprf_service,
    organisation,
    problem,
    start_server,
)
from verwijsindex_core import Bsn, NotPermitted, Pseudonym, is_valid_bsn
from verwijsindex_core.client import Client
from verwijsindex_core.matching import Domain
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.pseudonym.oprf import BlindPseudonymiser, PseudonymService
from verwijsindex_core.store import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-clients.csv"
ORGS = [organisation(f"blind-{i}", list(Domain)[i]) for i in range(3)]


@pytest.fixture(scope="module")
def server() -> ServerProcess:
    keys = TMP / "blind-keys"
    keys.mkdir()
    key, service, public = oprf_service(keys)
    retired = PseudonymService.generate()  # a second live key: pseudonyms under both accepted
    found = start_server(
        "blind",
        "--mode",
        "blind",
        "--oprf-key",
        str(key),
        f"--oprf-public-key={b64u_encode(retired.public_key)}",
        organisations=ORGS,
        keyed=False,
        env={
            "VERWIJSINDEX_SERVER_OPRF_MAX_BATCH": "200",
            "VERWIJSINDEX_SERVER_OPRF_BURST": "400",
            "VERWIJSINDEX_SERVER_OPRF_RATE": "100",
        },
    )
    found.extra.update(service=service, public=public, retired=retired)
    return found


def _vendor(server: ServerProcess) -> BlindPseudonymiser:
    service: PseudonymService = server.extra["service"]
    return BlindPseudonymiser(service.public_key)


def _register(client: Client, subject: Any, professional_id: str = "p-1") -> Any:
    return client.register_signal(
        subject,
        date_of_birth=date(2014, 3, 1),
        professional={**PROFESSIONAL, "id": professional_id},
        municipality="GM0518",
    )


def test_blind_pseudonyms_from_the_endpoint_register_and_match(server: ServerProcess) -> None:
    service: PseudonymService = server.extra["service"]
    subject = bsn(700)
    with (
        Client(server.url, server.tokens[ORGS[0].id]) as a,
        Client(server.url, server.tokens[ORGS[1].id]) as b,
    ):
        (pseudonym,) = _vendor(server).pseudonymise_many([subject], a.evaluate_oprf)
        assert pseudonym == service.pseudonymise(subject)
        first = _register(a, pseudonym)
        assert first.signal.subject == pseudonym
        (again,) = _vendor(server).pseudonymise_many([subject], b.evaluate_oprf)
        second = _register(b, again)
        assert [m.signal_a for m in second.matches] == [first.signal.id]


def test_a_subject_under_two_live_keys_is_one_subject(server: ServerProcess) -> None:
    service: PseudonymService = server.extra["service"]
    retired: PseudonymService = server.extra["retired"]
    subject = bsn(701)
    both = [service.pseudonymise(subject), retired.pseudonymise(subject)]
    with (
        Client(server.url, server.tokens[ORGS[0].id]) as a,
        Client(server.url, server.tokens[ORGS[2].id]) as c,
    ):
        first = _register(a, both)
        second = _register(c, both[1])  # a vendor still on the old key
    assert [m.signal_a for m in second.matches] == [first.signal.id]


def test_a_blind_server_never_takes_a_bsn(server: ServerProcess) -> None:
    subject = bsn(702)
    with SQLiteStore(server.db) as store:
        before = store.counts()
    with server.http(ORGS[0].id) as a, server.http("operator") as operator:
        answers = [
            a.post(
                "/signals",
                json={
                    "bsn": subject.digits,
                    "date_of_birth": "2014-03-01",
                    "professional": PROFESSIONAL,
                    "municipality": "GM0518",
                },
            ),
            operator.post("/deaths", json={"bsn": subject.digits}),
            operator.post("/moves", json={"bsn": subject.digits, "municipality": "GM0599"}),
        ]
    for response in answers:
        assert response.status_code == 400
        names = {p["name"]: p["rule"] for p in problem(response)["invalid-params"]}
        assert names["bsn"] == "blind-mode"
        assert subject.digits not in response.text
    with SQLiteStore(server.db) as store:
        assert store.counts() == before


def test_pseudonyms_of_another_key_are_refused(server: ServerProcess) -> None:
    stranger = PseudonymService.generate().pseudonymise(bsn(703))
    with server.http(ORGS[0].id) as a:
        response = a.post(
            "/signals",
            json={
                "pseudonym": stranger.text,
                "date_of_birth": "2014-03-01",
                "professional": PROFESSIONAL,
                "municipality": "GM0518",
            },
        )
    assert response.status_code == 400
    assert problem(response)["invalid-params"][0] == {
        "name": "pseudonym",
        "reason": "was not made with an OPRF key this server accepts",
        "rule": "unknown-key",
    }
    assert stranger.text not in response.text


def test_inzage_on_a_blind_server(server: ServerProcess) -> None:
    service: PseudonymService = server.extra["service"]
    subject = bsn(704)
    pseudonym = service.pseudonymise(subject)
    with Client(server.url, server.tokens[ORGS[0].id]) as a:
        _register(a, pseudonym)
    with Client(server.url, server.tokens["municipality"]) as municipality:
        report = municipality.request_inzage(
            pseudonym, date_of_birth=date(2014, 3, 1), requesters=["youth", "parent"]
        )
    assert report["report"]["subject"].startswith("vi1.")
    assert pseudonym.text not in str(report)


def test_evaluate_oprf_checks_the_batch_and_limits_the_rate(server: ServerProcess) -> None:
    vendor = _vendor(server)
    request = vendor.blind([bsn(705)])
    element = b64u_encode(request.blinded_elements[0])
    with server.http(ORGS[2].id) as c:
        too_many = c.post("/oprf-evaluations", json={"blinded_elements": [element] * 201})
        assert too_many.status_code == 400 and problem(too_many)["rule"] == "batch-size"
        garbage = c.post("/oprf-evaluations", json={"blinded_elements": [element, "AAAA", 5]})
        names = [p["name"] for p in problem(garbage)["invalid-params"]]
        assert garbage.status_code == 400 and names == [
            "blinded_elements[1]",
            "blinded_elements[2]",
        ]
        identity = c.post("/oprf-evaluations", json={"blinded_elements": ["A" * 43]})
        assert identity.status_code == 400
        statuses = [
            c.post("/oprf-evaluations", json={"blinded_elements": [element] * 200}).status_code
            for _ in range(3)
        ]
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    with server.http(ORGS[2].id) as c:
        limited = c.post("/oprf-evaluations", json={"blinded_elements": [element] * 200})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert problem(limited)["rule"] == "rate-limit"
    impatient = Client(server.url, server.tokens[ORGS[2].id], max_retry_wait=0)
    with impatient, pytest.raises(NotPermitted) as info:
        impatient.evaluate_oprf(list(request.blinded_elements) * 200)
    assert info.value.rule == "rate-limit"
    with Client(server.url, server.tokens[ORGS[1].id]) as b:  # another organisation's bucket
        assert len(b.evaluate_oprf(request.blinded_elements).elements) == 1


def test_pseudonymise_command_uses_the_http_service(server: ServerProcess, tmp_path: Path) -> None:
    service: PseudonymService = server.extra["service"]
    with SAMPLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    sample_bsns = [r["bsn"] for r in rows if is_valid_bsn(r["bsn"])]
    BSNS.update(Bsn(v).digits for v in sample_bsns)
    out = tmp_path / "out.csv"
    done = subprocess.run(
        [
            str(SCRIPT),
            "pseudonymise",
            f"--oprf-public-key={server.extra['public']}",
            "--oprf-url",
            server.url,
            "--token-env",
            "VI_TEST_TOKEN",
            "--oprf-batch",
            "150",
            str(SAMPLE),
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "VI_TEST_TOKEN": server.tokens[ORGS[1].id]},
    )
    assert done.returncode == 0, done.stderr
    with out.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["pseudonym"] for r in written] == [service.pseudonymise(v).text for v in sample_bsns]
    assert Pseudonym.parse(written[0]["pseudonym"]).key_id == service.key_id
    for value in sample_bsns:
        assert Bsn(value).digits not in done.stderr + done.stdout
    missing = subprocess.run(
        [str(SCRIPT), "pseudonymise", f"--oprf-public-key={server.extra['public']}",
         "--oprf-url", server.url, "--token-env", "VI_NO_SUCH_VAR", str(SAMPLE), str(out)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "--token-env" in missing.stderr


def test_a_server_without_an_oprf_key_has_no_evaluations(tmp_path: Path) -> None:
    # The keyed servers of the concurrency tests have no OPRF key; this one neither.
    server = start_server("no-oprf", organisations=[ORGS[0]])
    try:
        with server.http(ORGS[0].id) as a:
            response = a.post("/oprf-evaluations", json={"blinded_elements": ["A" * 43]})
        assert response.status_code == 404
        assert problem(response)["rule"] == "unknown-route"
        assert httpx.get(server.url + "/v1/health").json()["status"] == "ok"
    finally:
        server.stop()
