"""What one worker holds: the facade on its own store, the credentials, the keys.

The store is the one ``settings.db`` names (:func:`~verwijsindex_core.store.open_store`): a
SQLite file or a PostgreSQL database. A worker serves its requests on one event-loop thread
and calls the facade there, one request at a time: the SQLite store is one connection per
thread, and either database takes one writer at a time anyway (SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's index lock). Several workers share the database, each with its own store (a
SQLite connection; a PostgreSQL store, which then uses one pooled connection at a time), and
the database's locking orders their transactions. Only the OPRF evaluation, which needs no
store, runs in a thread of its own.
"""

from __future__ import annotations

from typing import Final

from verwijsindex_core._credentials import Credentials
from verwijsindex_core._facade import Verwijsindex
from verwijsindex_core.errors import KeyFileError, ValidationError
from verwijsindex_core.inzage import ReportSigner
from verwijsindex_core.matching import Policy, load_regions
from verwijsindex_core.pseudonym import KeyRing, Pseudonymiser
from verwijsindex_core.pseudonym._b64 import b64u_decode
from verwijsindex_core.pseudonym.oprf import ELEMENT_SIZE, PseudonymService, oprf_key_id
from verwijsindex_core.server._bodies import Subjects
from verwijsindex_core.server._ratelimit import RateLimiter
from verwijsindex_core.server._settings import ServerSettings
from verwijsindex_core.store import open_store

__all__: list[str] = []

_POOL: Final = 4
"""Connections a worker's PostgreSQL store may open (it uses one at a time: the facade is
called on the event-loop thread only; connections are made on demand)."""


def load_signer(settings: ServerSettings) -> ReportSigner:
    """The report-signing key; created (mode 0600) when missing, even by two workers at once."""
    path = settings.signing_key_path
    if not path.exists():
        try:
            ReportSigner.generate().save(path)
        except KeyFileError as exc:
            if exc.rule != "no-clobber":  # another worker was first: use its key
                raise
    return ReportSigner.load(path)


def _accepted_key_ids(settings: ServerSettings, oprf: PseudonymService | None) -> set[str]:
    accepted = {oprf.key_id} if oprf is not None else set()
    for i, text in enumerate(settings.oprf_public_keys):
        key = b64u_decode(text)
        if key is None or len(key) != ELEMENT_SIZE:
            raise ValidationError(
                f"oprf_public_keys[{i}]", "public-key", "is not a base64url OPRF public key"
            )
        accepted.add(oprf_key_id(key))
    return accepted


class Service:
    """The facade and everything a route needs, for one worker."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        pseudonymiser = None
        if settings.mode == "keyed":
            ring = (
                KeyRing.load(settings.keys)
                if settings.keys is not None
                else KeyRing.from_env(settings.keys_env or "")
            )
            pseudonymiser = Pseudonymiser(ring)
        self.oprf = PseudonymService.load(settings.oprf_key) if settings.oprf_key else None
        accepted = _accepted_key_ids(settings, self.oprf)
        policy = Policy(regions=load_regions(settings.regions)) if settings.regions else Policy()
        self.signer = load_signer(settings)
        self._store = open_store(settings.db, max_connections=_POOL)
        self.index = Verwijsindex(self._store, pseudonymiser=pseudonymiser, policy=policy)
        self.credentials = Credentials(self._store)
        self.subjects = Subjects(self.index, settings.mode, accepted)
        self.limiter = RateLimiter(settings.oprf_rate, settings.oprf_burst)

    def close(self) -> None:
        self._store.close()
