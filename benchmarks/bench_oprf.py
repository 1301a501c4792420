"""Cost of the RFC 9497 operations per element, on each backend, beside the native scalar
multiplication measured in the same run.

    python benchmarks/bench_oprf.py [--n 300] [--batch 100] [--repeat 5]

Baseline: one ``crypto_scalarmult_ristretto255`` call of the system libsodium through ctypes
(the cost floor of evaluating one element). Each figure is microseconds per element (best of
--repeat runs over --n elements, in batches of --batch) and its ratio to the baseline.
Goal (design §6): base-mode (OPRF) blind_evaluate <= 1.5 x the baseline on the native backend.
"""

from __future__ import annotations

import argparse
import ctypes
import platform
import time
from collections.abc import Callable

from verwijsindex_core.pseudonym.oprf import (
    Client,
    Mode,
    Server,
    available_backends,
    generate_key_pair,
)
from verwijsindex_core.pseudonym.oprf import _scalar as scalar
from verwijsindex_core.pseudonym.oprf._group import _load_native


def best_us(fn: Callable[[], object], count: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="elements per measurement")
    parser.add_argument("--batch", type=int, default=100, help="elements per request")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best kept)")
    args = parser.parse_args()
    n, batch, repeat = args.n, args.batch, args.repeat
    backends = available_backends()
    if "native" not in backends:
        raise SystemExit("the baseline needs the system libsodium (apt-get install libsodium23)")

    native = _load_native()
    point = native.from_uniform(bytes(range(64)))
    scalars = [scalar.random_nonzero() for _ in range(n)]
    out = ctypes.create_string_buffer(32)
    mult = native._mult
    baseline = best_us(lambda: [mult(out, k, point) for k in scalars], n, repeat)

    inputs = [f"verwijsindex-core/v1/oprf-bsn\x00{i:09d}".encode() for i in range(n)]
    chunks = [inputs[i : i + batch] for i in range(0, n, batch)]
    rows: list[tuple[str, float]] = []
    for backend in backends:
        sk, pk = generate_key_pair(backend=backend)
        for mode in (Mode.OPRF, Mode.VOPRF):
            server = Server(mode, sk, backend=backend)
            client = Client(mode, None if mode == Mode.OPRF else pk, backend=backend)
            states = [client.blind(chunk) for chunk in chunks]
            evaluations = [server.blind_evaluate(s.blinded_elements) for s in states]
            label = f"{backend:<8} {mode.name:<5}"
            rows.append(
                (
                    f"{label} blind",
                    best_us(lambda c=client: [c.blind(x) for x in chunks], n, repeat),
                )
            )
            rows.append(
                (
                    f"{label} blind_evaluate",
                    best_us(
                        lambda s=server, st=states: [
                            s.blind_evaluate(x.blinded_elements) for x in st
                        ],
                        n,
                        repeat,
                    ),
                )
            )
            rows.append(
                (
                    f"{label} finalize",
                    best_us(
                        lambda c=client, st=states, ev=evaluations: [
                            c.finalize(s, e) for s, e in zip(st, ev, strict=True)
                        ],
                        n,
                        repeat,
                    ),
                )
            )
    print(
        f"python {platform.python_version()} on {platform.machine()}, n={n}, batch={batch}, "
        f"best of {repeat}"
    )
    print(f"{'measurement':<36} {'us/element':>10} {'ratio':>7}")
    print(f"{'native scalarmult (baseline)':<36} {baseline:10.1f} {1.0:6.2f}x")
    for name, us in rows:
        print(f"{name:<36} {us:10.1f} {us / baseline:6.2f}x")
    goal = next(us for name, us in rows if name.startswith("native   OPRF  blind_evaluate"))
    verdict = "met" if goal <= 1.5 * baseline else "NOT met"
    print(
        f"goal native OPRF blind_evaluate <= 1.5 x scalarmult: {verdict} ({goal / baseline:.2f} x)"
    )


if __name__ == "__main__":
    main()
