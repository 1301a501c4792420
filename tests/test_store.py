"""The Store protocol itself, on every store: what the engine's suites do not reach."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from _factories import STORE_FACTORIES
from verwijsindex_core.store import CredentialRecord, Store

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store(request: pytest.FixtureRequest) -> Store:
    return STORE_FACTORIES[request.param]()


def test_credentials_round_trip_and_revoke(store: Store) -> None:
    record = CredentialRecord("abc123", "org-1", "organisation", b"s" * 16, b"h" * 32, AT)
    store.put_credential(record)
    store.put_credential(CredentialRecord("def456", "org-1", "operator", b"t" * 16, b"i" * 32, AT))
    got = store.get_credential("abc123")
    assert got == record and got is not record
    assert [c.id for c in store.credentials_of("org-1")] == ["abc123", "def456"]
    assert store.credentials_of("org-2") == []
    assert store.get_credential("nope") is None
    assert store.revoke_credential("abc123") and not store.revoke_credential("nope")
    revoked = store.get_credential("abc123")
    assert revoked is not None and revoked.revoked
    assert "h" * 32 not in repr(record) and "hhh" not in repr(record)


def test_metadata(store: Store) -> None:
    assert store.get_meta("demo") is None
    store.set_meta("demo", "{}")
    assert store.get_meta("demo") == "{}"
