"""Throughput of the 11-test and of keyed pseudonymisation, each beside a baseline.

    python benchmarks/bench_pseudonym.py [--n 200000] [--repeat 5]

Baselines, measured in the same run on the same inputs:
- 11-test: a naive loop, ``sum(int(c) * w for c, w in zip(s, WEIGHTS)) % 11 == 0``.
- pseudonymise: a bare ``hmac.digest(key, msg, "sha256")`` loop over the same pre-encoded
  messages (label + digits) with the same sub-key, which re-keys HMAC on every call.
Targets (design §6): 11-test >= 3 M checks/s; pseudonymise_many >= 1.5 x the hmac.digest loop.
Each round times a baseline and its candidates back to back, so that load on the machine hits
both alike; a rate is the best round's, a ratio the median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import hmac
import platform
import random
import statistics
import time
from collections.abc import Callable

from verwijsindex_core.pseudonym import (
    BSN_LABEL,
    KeyRing,
    Pseudonymiser,
    are_valid_bsns,
    is_valid_bsn,
    random_bsn,
)

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def naive_eleven_test(digits: str) -> bool:
    return sum(int(c) * w for c, w in zip(digits, WEIGHTS, strict=True)) % 11 == 0


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rounds(
    baseline: Callable[[], object], candidates: list[Callable[[], object]], repeat: int
) -> tuple[float, list[tuple[float, float]]]:
    """Best baseline time, and for each candidate (best time, median ratio to the baseline)."""
    base_times: list[float] = []
    cand_times: list[list[float]] = [[] for _ in candidates]
    ratios: list[list[float]] = [[] for _ in candidates]
    for _ in range(repeat):
        base = timed(baseline)
        base_times.append(base)
        for i, candidate in enumerate(candidates):
            seconds = timed(candidate)
            cand_times[i].append(seconds)
            ratios[i].append(base / seconds)
    return min(base_times), [
        (min(t), statistics.median(r)) for t, r in zip(cand_times, ratios, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="inputs per measurement")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best is kept)")
    args = parser.parse_args()
    n, repeat = args.n, args.repeat

    rng = random.Random(2026)
    bsns = [random_bsn(rng) for _ in range(n)]
    # Realistic mix for the checks: about 1 in 11 random 9-digit strings passes.
    texts = [f"{rng.randrange(10**9):09d}" for _ in range(n)]

    expected = [naive_eleven_test(t) and t != "000000000" for t in texts]
    assert [is_valid_bsn(t) for t in texts] == expected
    assert are_valid_bsns(texts) == expected

    t_naive, ((t_single, r_single), (t_batch, r_batch)) = rounds(
        lambda: [naive_eleven_test(t) for t in texts],
        [lambda: [is_valid_bsn(t) for t in texts], lambda: are_valid_bsns(texts)],
        repeat,
    )

    ring = KeyRing.generate()
    pseudonymiser = Pseudonymiser(ring)
    subkey = ring.active.derive(pseudonymiser.purpose)
    messages = [BSN_LABEL + b.digits.encode("ascii") for b in bsns]
    got = pseudonymiser.pseudonymise_many(bsns[:1000])
    want = [hmac.digest(subkey, m, "sha256") for m in messages[:1000]]
    assert [p.digest for p in got] == want, "pseudonymise_many disagrees with hmac.digest"

    t_hmac, ((t_one, r_one), (t_many, r_many), (t_digests, r_digests)) = rounds(
        lambda: [hmac.digest(subkey, m, "sha256") for m in messages],
        [
            lambda: [pseudonymiser.pseudonymise(b) for b in bsns],
            lambda: pseudonymiser.pseudonymise_many(bsns),
            lambda: pseudonymiser.digests_many(bsns),
        ],
        repeat,
    )

    def rate(seconds: float) -> str:
        return f"{n / seconds / 1e6:8.3f}"

    rows = [
        ("11-test: naive loop (baseline)", t_naive, 1.0, ""),
        ("11-test: is_valid_bsn per call", t_single, r_single, ""),
        ("11-test: are_valid_bsns batch", t_batch, r_batch, ">= 3 M/s"),
        ("HMAC: bare hmac.digest loop (baseline)", t_hmac, 1.0, ""),
        ("pseudonymise per call", t_one, r_one, ""),
        ("pseudonymise_many (Pseudonym objects)", t_many, r_many, ">= 1.5 x"),
        ("digests_many (raw digests)", t_digests, r_digests, ""),
    ]
    print(f"python {platform.python_version()} on {platform.machine()}, n={n:,}, {repeat} rounds")
    print(f"{'measurement':<40} {'M ops/s':>8} {'ratio':>7}  target")
    for name, seconds, ratio, target in rows:
        print(f"{name:<40} {rate(seconds)} {ratio:6.2f}x  {target}")
    print(
        f"goal 11-test >= 3 M/s: {'met' if n / t_batch >= 3e6 else 'NOT met'} "
        f"({n / t_batch / 1e6:.2f} M/s); goal pseudonymise_many >= 1.5 x hmac.digest: "
        f"{'met' if r_many >= 1.5 else 'NOT met'} ({r_many:.2f} x)"
    )


if __name__ == "__main__":
    main()
