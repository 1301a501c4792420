"""Identifier quality: what typing errors in a BSN do to matching.

Each signal's BSN is retyped with an error at ``rate``: a single-digit substitution, a swap
of two adjacent digits, or a dropped digit (eight digits, which the BSN rule pads with a
leading zero). The registration then goes the way it goes in the index:

- the 11-test refuses it (``Bsn.parse`` via :func:`~verwijsindex_core.pseudonym.are_valid_bsns`):
  the signal is not registered (a professional would retype it; counted as refused);
- it is valid and belongs to someone in the population with another date of birth: the
  engine refuses the date-of-birth conflict;
- it is valid and belongs to nobody in the population: it becomes a subject of its own (its
  matches are lost, and no parents are known for it);
- it is valid and belongs to someone with the same date of birth: it joins that person's
  signals (false matches).

BSNs are pseudonymised (keyed HMAC, :class:`~verwijsindex_core.pseudonym.Pseudonymiser`) and
subjects are their pseudonyms, exactly as in the index; matches are compared pair by pair with
the error-free run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy
from verwijsindex_core.pseudonym import Key, KeyRing, Pseudonymiser, are_valid_bsns
from verwijsindex_core.research._batch import match_pairs
from verwijsindex_core.research._experiments import Table
from verwijsindex_core.synthetic.nation import SignalTable, drop_idempotent, synthetic_bsns

__all__ = ["ERROR_KINDS", "eleven_test_detection", "identifier_experiment", "typo"]

ERROR_KINDS: Final = ("substitution", "transposition", "dropped digit")


def typo(digits: str, kind: str, rng: np.random.Generator) -> str:
    """``digits`` (nine) with one typing error of ``kind`` (never the same string)."""
    if not (isinstance(digits, str) and len(digits) == 9 and digits.isdigit()):
        raise ValidationError("digits", "nine-digits", "must be nine digits")
    if kind == "substitution":
        at = int(rng.integers(9))
        new = (int(digits[at]) + int(rng.integers(1, 10))) % 10
        return digits[:at] + str(new) + digits[at + 1 :]
    if kind == "transposition":
        places = [i for i in range(8) if digits[i] != digits[i + 1]]
        if not places:
            return typo(digits, "substitution", rng)
        at = places[int(rng.integers(len(places)))]
        return digits[:at] + digits[at + 1] + digits[at] + digits[at + 2 :]
    if kind == "dropped digit":
        at = int(rng.integers(9))
        return digits[:at] + digits[at + 1 :]
    raise ValidationError("kind", "choice", f"must be one of {', '.join(ERROR_KINDS)}")


def eleven_test_detection(samples: int = 20_000, *, seed: int = 1) -> Table:
    """How many errors of each kind the 11-test detects, on synthetic BSNs: every single
    substitution and every swap of two different digits change the weighted sum by a
    non-multiple of 11 (the weights 9..2 and -1 differ by 1 to 10), so both are always
    caught; a dropped digit (padded to nine) passes about one time in eleven."""
    if type(samples) is not int or not 1 <= samples <= 10_000_000:
        raise ValidationError("samples", "range", "must lie between 1 and 10,000,000")
    rng = np.random.default_rng(seed)
    bsns = [f"{n:09d}" for n in synthetic_bsns(rng.integers(0, 9_000_000, samples))]
    rows = []
    for kind in ERROR_KINDS:
        typed = [typo(b, kind, rng) for b in bsns]
        valid = are_valid_bsns(typed)
        caught = samples - sum(valid)
        rows.append((kind, samples, caught, caught / samples))
    return Table(
        "Errors the 11-test catches", ("error", "typed", "caught", "caught %"), tuple(rows)
    )


def _keys(digits: Sequence[str]) -> npt.NDArray[np.int64]:
    """Subject keys: the pseudonyms of ``digits`` (one HMAC key for the run), numbered."""
    ring = KeyRing(Key(bytes(range(32))))  # a fixed test key: synthetic data only
    digests = Pseudonymiser(ring).digests_many(digits)
    numbers: dict[bytes, int] = {}
    return np.fromiter(
        (numbers.setdefault(d, len(numbers)) for d in digests), dtype=np.int64, count=len(digests)
    )


def identifier_experiment(
    table: SignalTable,
    policy: Policy | None = None,
    *,
    rate: float = 0.01,
    seed: int = 1,
) -> Table:
    """Matches lost and falsely made when a share ``rate`` of the signals carry a BSN typing
    error, per kind of error (see the module). ``table`` subjects are person numbers of the
    synthetic nation (their BSNs are :func:`synthetic_bsns`); at most 2,000,000 rows."""
    if not isinstance(table, SignalTable):
        raise ValidationError("table", "type", "must be a SignalTable")
    if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValidationError("rate", "share", "must lie between 0 and 1")
    if len(table) > 2_000_000:
        raise ValidationError("table", "size", "at most 2,000,000 signals (pairs are compared)")
    policy = policy if policy is not None else Policy(regions={})
    if not isinstance(policy, Policy):
        raise ValidationError("policy", "type", "must be a Policy")
    table.check(policy)
    table = drop_idempotent(table, policy)
    n = len(table)
    true_bsns = [f"{b:09d}" for b in synthetic_bsns(table.subject)]
    # Who has which BSN (and date of birth): the population the signals belong to.
    owner_born = dict(zip(true_bsns, table.born.tolist(), strict=True))
    owner_parents = {b: tuple(p) for b, p in zip(true_bsns, table.parents.tolist(), strict=True)}
    base = match_pairs(table, policy, check=False, idempotent="trust").as_set()
    rows = []
    for number, kind in enumerate(ERROR_KINDS):
        rng = np.random.default_rng([seed, number])
        hit = np.flatnonzero(rng.random(n) < rate)
        typed = list(true_bsns)
        for i in hit.tolist():
            typed[i] = typo(true_bsns[i], kind, rng)
        valid = np.asarray(are_valid_bsns([typed[i] for i in hit.tolist()]), dtype=np.bool_)
        padded = [typed[i].zfill(9) for i in hit.tolist()]
        keep = np.ones(n, dtype=np.bool_)
        keep[hit[~valid]] = False
        conflict = elsewhere = strangers = 0
        parents = table.parents.copy()
        for i, ok, digits in zip(hit.tolist(), valid.tolist(), padded, strict=True):
            if not ok:
                continue
            typed[i] = digits
            born = owner_born.get(digits)
            if born is None:
                strangers += 1
                parents[i] = -1  # nobody's: the register knows no parents
            elif born != int(table.born[i]):
                conflict += 1
                keep[i] = False  # the engine refuses the date-of-birth conflict
            else:
                elsewhere += 1
                parents[i] = owner_parents[digits]
        rows_kept = np.flatnonzero(keep)
        subjects = _keys([typed[i] for i in rows_kept.tolist()])
        errorful = SignalTable(
            subject=subjects,
            organisation=table.organisation[rows_kept],
            professional=table.professional[rows_kept],
            domain=table.domain[rows_kept],
            municipality=table.municipality[rows_kept],
            registered=table.registered[rows_kept],
            stopped=table.stopped[rows_kept],
            planned_end=table.planned_end[rows_kept],
            born=table.born[rows_kept],
            parents=parents[rows_kept],
            municipalities=table.municipalities,
        )
        pairs = match_pairs(errorful, policy, check=False, idempotent="drop")
        got = {(int(rows_kept[a]), int(rows_kept[b]), k, c) for a, b, k, c in pairs.as_set()}
        rows.append(
            (
                kind,
                len(hit),
                int((~valid).sum()),
                conflict,
                strangers,
                elsewhere,
                len(base - got),
                len(got - base),
            )
        )
    return Table(
        f"BSN typing errors at {rate:.1%} of {n:,} signals ({len(base):,} matches without errors)",
        (
            "error",
            "signals hit",
            "refused: 11-test",
            "refused: date of birth",
            "new subject",
            "someone else",
            "matches lost",
            "matches false",
        ),
        tuple(rows),
    )
