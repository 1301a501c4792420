"""Keyed pseudonymisation: HMAC-SHA256 over a domain-separation label and the canonical BSN.

``pseudonym = HMAC-SHA256(HKDF(master key, purpose), LABEL || nine ASCII digits)``

For speed every live key gets pre-keyed HMAC states (:mod:`._hmac`), with the label already
absorbed, made once; each BSN then costs two state copies and two short hashes, no key
schedule per call. Design §3, §6.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from itertools import repeat
from typing import Final, final

from verwijsindex_core.errors import UnknownKey
from verwijsindex_core.pseudonym._args import check_instance, check_text
from verwijsindex_core.pseudonym._bsn import Bsn, _canonical, bsn_batch
from verwijsindex_core.pseudonym._hmac import PrekeyedHmac
from verwijsindex_core.pseudonym._keys import KeyRing, check_purpose
from verwijsindex_core.pseudonym._pseudonym import Pseudonym

__all__ = ["BSN_LABEL", "DEFAULT_PURPOSE", "Pseudonymiser"]

BSN_LABEL: Final = b"verwijsindex-core/v1/bsn\x00"
"""Domain-separation label that precedes the nine BSN digits inside the HMAC."""

DEFAULT_PURPOSE: Final = "subject"
"""Purpose of the pseudonyms the index matches on."""

# tuple.__new__(Pseudonym, (key_id, digest)) as a C-level callable: no validation, no
# Python frame; only for digests this module has just computed.
_make = partial(tuple.__new__, Pseudonym)


def _digits(bsn: Bsn | str) -> str:
    return bsn._digits if type(bsn) is Bsn else _canonical(bsn)


@final
class Pseudonymiser:
    """Turns BSNs into :class:`Pseudonym` values with the keys of a :class:`KeyRing`.

    ``purpose`` selects an HKDF sub-key, so pseudonyms for different purposes (say
    ``"subject"`` and ``"parent"``) cannot be linked to each other. Methods accept a parsed
    :class:`Bsn` or a ``str``, which is validated exactly like :meth:`Bsn.parse`.
    """

    __slots__ = ("_active", "_keyring", "_macs", "_purpose")

    def __init__(self, keyring: KeyRing, *, purpose: str = DEFAULT_PURPOSE) -> None:
        self._keyring = check_instance(keyring, KeyRing, "keyring", "a KeyRing")
        self._purpose = check_purpose(purpose)
        self._macs = {
            key.id: PrekeyedHmac(key.derive(self._purpose), BSN_LABEL) for key in keyring.keys
        }
        self._active = (keyring.active.id, self._macs[keyring.active.id])

    @property
    def keyring(self) -> KeyRing:
        """The key ring this pseudonymiser was made from."""
        return self._keyring

    @property
    def purpose(self) -> str:
        """The purpose label of the sub-keys in use."""
        return self._purpose

    def pseudonymise(self, bsn: Bsn | str) -> Pseudonym:
        """The pseudonym of ``bsn`` under the active key."""
        key_id, mac = self._active
        return _make((key_id, mac.digest(_digits(bsn).encode("ascii"))))

    def pseudonymise_with(self, bsn: Bsn | str, key_id: str) -> Pseudonym:
        """The pseudonym of ``bsn`` under the live key ``key_id`` (active or retired)."""
        wanted = check_text(key_id, "key_id")
        mac = self._macs.get(wanted)
        if mac is None:
            raise UnknownKey("key_id", "known-key", "no live key in the ring has that id")
        return _make((wanted, mac.digest(_digits(bsn).encode("ascii"))))

    def pseudonymise_all_keys(self, bsn: Bsn | str) -> tuple[Pseudonym, ...]:
        """One pseudonym per live key, the active key's first (for rotation windows)."""
        message = _digits(bsn).encode("ascii")
        return tuple(_make((key_id, mac.digest(message))) for key_id, mac in self._macs.items())

    def pseudonymise_many(self, bsns: Iterable[Bsn | str]) -> list[Pseudonym]:
        """Pseudonyms of many BSNs under the active key, in order; the fast batch path.

        Raises :class:`~verwijsindex_core.errors.InvalidBsn` at the first invalid ``str``; parse
        first (or use :func:`are_valid_bsns`) to handle invalid input row by row.
        """
        digests = self.digests_many(bsns)
        return list(map(_make, zip(repeat(self._active[0]), digests, strict=False)))

    def digests_many(self, bsns: Iterable[Bsn | str]) -> list[bytes]:
        """The raw 32-byte digests of :meth:`pseudonymise_many`, all under the active key.

        The bulk path for stores and files that keep digests (with :attr:`active_key_id`
        beside them) and have no use for a :class:`Pseudonym` object per row; it skips the
        allocation of those objects, which costs about a quarter of the batch.
        """
        mac = self._active[1]
        digits = [bsn._digits if type(bsn) is Bsn else _canonical(bsn) for bsn in bsn_batch(bsns)]
        return mac.many(map(str.encode, digits))

    @property
    def active_key_id(self) -> str:
        """Id of the key :meth:`pseudonymise` and the batch methods use."""
        return self._active[0]

    def __repr__(self) -> str:
        return f"Pseudonymiser(purpose='{self._purpose}', active_key='{self._active[0]}')"
