"""Batch matching counts: numpy (verwijsindex_core.research.match_counts) against the best
DuckDB SQL for the same counts on the same data, one thread each, beside the time to
generate and write the synthetic nation.

    python benchmarks/bench_batch.py [--signals 10000000] [--threads 1] [--data DIR]

Each measurement runs in a fresh process (its peak resident memory is its own). The nation is
generated once (deterministic: NationConfig.for_signals(N, seed)), written as NPZ, and both
engines read the same files; re-registrations are dropped before either clock starts. Goals
(issue 13): numpy <= 1.0 x DuckDB's time at 10 M signals, <= 64 bytes per signal of extra peak
memory beyond the input columns; generation >= 1 M signals written per second.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from pathlib import Path

from verwijsindex_core.research import run_measurement


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signals", type=int, default=10_000_000)
    parser.add_argument("--threads", type=int, default=1, help="DuckDB threads (numpy: one)")
    parser.add_argument("--data", type=Path, help="keep the generated nation here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.data or Path(tmp) / "nation"
        [gen], gen_peak = run_measurement("generate", {"n": args.signals, "out": str(where)})
        [ours], ours_peak = run_measurement("batch_numpy", {"path": str(where)})
        [duck], duck_peak = run_measurement(
            "batch_duckdb", {"path": str(where), "threads": args.threads}
        )
    n = ours["n"]
    print(
        f"python {platform.python_version()}, {n:,} signals ({gen['people']:,} young people), "
        f"numpy one thread, DuckDB {args.threads} thread(s)"
    )
    print(f"{'measurement':<44} {'seconds':>9} {'per second':>12} {'ratio':>7} {'peak RSS MB':>12}")
    print(
        f"{'DuckDB SQL counts (baseline)':<44} {duck['seconds']:9.2f} "
        f"{n / duck['seconds']:12,.0f} {1:6.2f}x {duck_peak / 1e6:12,.0f}"
    )
    print(
        f"{'numpy match_counts':<44} {ours['seconds']:9.2f} {n / ours['seconds']:12,.0f} "
        f"{ours['seconds'] / duck['seconds']:6.2f}x {ours_peak / 1e6:12,.0f}"
    )
    print(
        f"{'generate + write the nation (NPZ)':<44} {gen['seconds']:9.2f} "
        f"{gen['per_second']:12,.0f} {'':>7} {gen_peak / 1e6:12,.0f}"
    )
    same = all(ours[k] == duck[k] for k in ("direct", "family", "cross_region_direct"))
    print(
        f"matches: direct {ours['direct']:,}, family {ours['family']:,}, cross-region "
        f"{ours['cross_region_direct'] + ours['cross_region_family']:,}; same counts: {same}"
    )
    print(
        f"numpy extra peak memory (tracemalloc): {ours['extra_bytes_per_signal']:.1f} B/signal "
        f"beyond {ours['input_bytes_per_signal']:.0f} B/signal of input columns"
    )
    ratio = ours["seconds"] / duck["seconds"]
    print(
        f"goal <= 1.0 x DuckDB: {'met' if ratio <= 1.0 else 'NOT met'} ({ratio:.2f}x); "
        f"<= 64 B/signal: {'met' if ours['extra_bytes_per_signal'] <= 64 else 'NOT met'}; "
        f">= 1 M signals/s generated: {'met' if gen['per_second'] >= 1e6 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
