"""The server's settings: from arguments, the environment or a JSON file, checked at once.

Every setting names a file, a database or a number, never a secret: keys stay in their own
private files (or, for a keyed server, an environment variable named by ``keys_env``), so the
settings may be passed to worker processes. A ``postgresql://`` URL should leave its password
to libpq (``PGPASSWORD``, ``~/.pgpass``, a service file); where it has one anyway, the
settings' ``repr`` and every message show ``***`` instead.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import ConfigDict, Field, field_validator

from verwijsindex_core._pydantic import Model
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.store import db_argument, describe_db, is_database_url

__all__ = ["ENV_PREFIX", "SETTINGS_ENV", "ServerSettings"]

ENV_PREFIX: Final = "VERWIJSINDEX_SERVER_"
"""``VERWIJSINDEX_SERVER_DB=index.db`` sets ``db``, and so on for every field."""
SETTINGS_ENV: Final = "VERWIJSINDEX_SERVER_SETTINGS"
"""The whole settings as JSON (how ``serve --workers N`` hands them to its workers)."""


class ServerSettings(Model):
    """How one reference server runs.

    - ``db``: the database: a SQLite file (created if new) or a ``postgresql://`` URL
      (:func:`~verwijsindex_core.store.open_store`; the tables are created if new). Each
      worker opens its own store.
    - ``mode``: ``keyed`` (the server holds a key ring and accepts ``bsn`` in bodies) or
      ``blind`` (it accepts only ``pseudonym`` values made with an accepted OPRF service key
      and never sees a BSN).
    - ``keys`` / ``keys_env``: the key ring of a keyed server (a file from ``verwijsindex
      keygen``, or the environment variable holding base64url keys).
    - ``oprf_key``: an OPRF service key file (``verwijsindex oprf-keygen``); with it the server
      also answers ``evaluateOprf``. ``oprf_public_keys``: the OPRF public keys (base64url)
      whose pseudonyms a blind server accepts (default: the public key of ``oprf_key``).
    - ``regions``: a municipality -> covenant region CSV (default: the shipped table).
    - ``signing_key``: the inzage report-signing key (created on first start; default for a
      SQLite file: ``<db name>.report-signing.key`` beside it; required with a database URL,
      which names no folder).
    - ``host``, ``port``, ``workers``; ``tls_certfile`` + ``tls_keyfile`` (TLS in the server)
      or ``tls_terminated_upstream`` (a proxy terminates TLS): one of them is required on any
      host but a loopback address.
    - ``max_body_bytes``: larger request bodies get 413.
    - ``oprf_max_batch``: blinded elements per ``evaluateOprf`` request; ``oprf_rate`` and
      ``oprf_burst``: elements per second and the bucket size per organisation (per worker).
    - ``access_log``: a file for the JSON access log (default: standard error).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    db: Path | str
    mode: Literal["keyed", "blind"] = "keyed"
    keys: Path | None = None
    keys_env: str | None = None
    oprf_key: Path | None = None
    oprf_public_keys: tuple[str, ...] = ()
    regions: Path | None = None
    signing_key: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    tls_terminated_upstream: bool = False
    max_body_bytes: int = Field(default=262_144, ge=1024, le=16 * 1024 * 1024)
    oprf_max_batch: int = Field(default=1000, ge=1, le=65_535)
    oprf_rate: float = Field(default=2000.0, gt=0, le=1e9)
    oprf_burst: int = Field(default=10_000, ge=1, le=10_000_000)
    access_log: Path | None = None

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        _check(self)

    @field_validator("db", mode="after")
    @classmethod
    def _database(cls, value: Path | str) -> Path | str:
        """A URL stays text (a ``Path`` would fold its ``//``); anything else is a file."""
        if not str(value):
            raise ValueError("empty")
        return db_argument(value) if isinstance(value, str) else value

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, (describe_db(value) if name == "db" else value)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ServerSettings:
        """Settings from ``VERWIJSINDEX_SERVER_<FIELD>`` variables (``oprf_public_keys``
        comma-separated), or all at once from :data:`SETTINGS_ENV` (JSON); ``overrides`` win."""
        env = os.environ if environ is None else environ
        whole = env.get(SETTINGS_ENV)
        if whole is not None:
            try:
                data: dict[str, Any] = json.loads(whole)
            except ValueError:
                raise ValidationError(SETTINGS_ENV, "json", "is not a JSON object") from None
            if not isinstance(data, dict):
                raise ValidationError(SETTINGS_ENV, "json", "is not a JSON object")
        else:
            data = {}
            for name in cls.model_fields:
                value = env.get(ENV_PREFIX + name.upper())
                if value is not None:
                    data[name] = (
                        tuple(v.strip() for v in value.split(",") if v.strip())
                        if name == "oprf_public_keys"
                        else value
                    )
        return cls(**{**data, **overrides})

    @classmethod
    def load(cls, path: str | os.PathLike[str], **overrides: Any) -> ServerSettings:
        """Settings from a JSON file with the field names as keys; ``overrides`` win."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError("config", "read", f"{path} cannot be read ({exc})") from None
        except ValueError:
            raise ValidationError("config", "json", f"{path} is not JSON") from None
        if not isinstance(data, dict):
            raise ValidationError("config", "json", f"{path} is not a JSON object")
        return cls(**{**data, **overrides})

    @property
    def signing_key_path(self) -> Path:
        if self.signing_key is not None:
            return self.signing_key
        assert isinstance(self.db, Path)  # _check: a database URL needs signing_key
        return self.db.with_name(self.db.stem + ".report-signing.key")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check(s: ServerSettings) -> None:
    """The settings' combinations: refuse to start rather than run unsafely."""
    if s.mode == "keyed":
        if s.keys is None and s.keys_env is None:
            raise ValidationError(
                "keys", "required", "a keyed server needs a key ring (keys or keys_env)"
            )
        if s.keys is not None and s.keys_env is not None:
            raise ValidationError("keys", "one-source", "give keys or keys_env, not both")
    else:
        if s.keys is not None or s.keys_env is not None:
            raise ValidationError(
                "keys", "blind-mode", "a blind server holds no key ring: it never sees a BSN"
            )
        if s.oprf_key is None and not s.oprf_public_keys:
            raise ValidationError(
                "oprf_public_keys",
                "required",
                "a blind server needs the OPRF public keys whose pseudonyms it accepts",
            )
    if is_database_url(s.db) and s.signing_key is None:
        raise ValidationError(
            "signing_key",
            "required",
            "a server on a postgresql:// database needs signing_key (the inzage report-signing "
            "key file): a database URL names no folder to keep it in",
        )
    if (s.tls_certfile is None) != (s.tls_keyfile is None):
        raise ValidationError("tls_keyfile", "tls-pair", "give tls_certfile and tls_keyfile")
    if not is_loopback(s.host) and s.tls_certfile is None and not s.tls_terminated_upstream:
        raise ValidationError(
            "host",
            "tls-required",
            "a server reachable from the network needs TLS: give tls_certfile and tls_keyfile, "
            "or state tls_terminated_upstream when a proxy terminates TLS",
        )
    if s.oprf_burst < s.oprf_max_batch:
        raise ValidationError(
            "oprf_burst", "burst", "must be at least oprf_max_batch (a full batch must fit)"
        )
