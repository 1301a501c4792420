"""The benchmark suite behind ``verwijsindex bench``: every benchmark of the project, each beside
its baseline in the same run, then ``results.md``, ``results.json`` and PNG plots.

Steps (sizes: :data:`QUICK` or :data:`FULL`):

- generate the synthetic nation and write it (signals written per second);
- batch matching counts, numpy and DuckDB SQL on the same written data, one thread each;
- pseudonymise (``digests_many``, ``pseudonymise_many``) beside a bare ``hmac.digest`` loop;
- register through the facade into a MemoryStore (beside dict grouping) and a SQLiteStore
  (beside a raw ``executemany``);
- the policy experiments and the identifier-quality experiment;
- the scripts in ``benchmarks/`` (their own baselines), when the directory is found.

Each measurement runs in a fresh process, so its peak resident memory is its own.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from verwijsindex_core._progress import Progress
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy
from verwijsindex_core.research._experiments import (
    Table,
    family_matching_experiment,
    region_boundaries_experiment,
    same_organisation_experiment,
    signal_term_experiment,
)
from verwijsindex_core.research._identifiers import eleven_test_detection, identifier_experiment
from verwijsindex_core.research._report import SuiteResult, write_report

__all__ = ["FULL", "QUICK", "Sizes", "run_measurement", "run_suite"]


@dataclass(frozen=True)
class Sizes:
    """How large each benchmark runs (signals or items)."""

    generate: tuple[int, ...]
    pseudonymise: tuple[int, ...]
    register_memory: tuple[int, ...]
    register_sqlite: tuple[int, ...]
    experiment_people: int
    identifier_signals: int
    scripts: dict[str, tuple[str, ...]] = field(default_factory=dict)


QUICK: Final = Sizes(
    generate=(10_000, 100_000),
    pseudonymise=(10_000, 100_000),
    register_memory=(10_000,),
    register_sqlite=(10_000,),
    experiment_people=60_000,
    identifier_signals=20_000,
    scripts={
        "bench_pseudonym.py": ("--n", "20000", "--repeat", "1"),
        "bench_oprf.py": ("--n", "20", "--batch", "10", "--repeat", "1"),
        "bench_engine.py": ("--signals", "5000", "--memory-signals", "2000"),
        "bench_store.py": ("--signals", "5000"),
        "bench_reads.py": ("--sizes", "2000"),
    },
)
"""``--quick``: about a minute on two cores (CI runs it)."""

FULL: Final = Sizes(
    generate=(10_000, 100_000, 1_000_000, 10_000_000),
    pseudonymise=(10_000, 100_000, 1_000_000, 10_000_000),
    register_memory=(10_000, 100_000, 1_000_000),
    register_sqlite=(10_000, 100_000),
    experiment_people=4_500_000,
    identifier_signals=300_000,
    scripts={
        "bench_pseudonym.py": ("--n", "200000", "--repeat", "3"),
        "bench_oprf.py": ("--n", "300"),
        "bench_engine.py": ("--signals", "200000"),
        "bench_store.py": ("--signals", "100000"),
        "bench_reads.py": ("--sizes", "10000,100000"),
    },
)
"""The full run: 10 k to 10 M signals where memory allows (register: 1 M in memory, 100 k in
SQLite, as each costs minutes beyond that on two cores)."""


def _environment(quick: bool) -> dict[str, Any]:
    import numpy  # noqa: PLC0415

    env: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "numpy": numpy.__version__,
        "threads": 1,
    }
    try:
        import duckdb  # noqa: PLC0415

        env["duckdb"] = duckdb.__version__
    except ImportError:
        env["duckdb"] = None
    return env


def run_measurement(
    task: str, args: dict[str, Any], timeout: float = 3_600.0
) -> tuple[list[dict[str, Any]], int]:
    """Run one measurement (``generate``, ``batch_numpy``, ``batch_duckdb``,
    ``pseudonymise``, ``register_memory``, ``register_sqlite``) in a fresh process: its
    result rows and its peak resident memory in bytes."""
    if not isinstance(task, str) or not isinstance(args, dict):
        raise ValidationError("task", "type", "a task name and a dict of arguments")
    command = [sys.executable, "-m", "verwijsindex_core.research._worker", task, json.dumps(args)]
    with subprocess.Popen(  # noqa: S603 - our own module, arguments we built
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            raise ValidationError("bench", "timeout", f"{task} took over {timeout:.0f} s") from None
    if child.returncode != 0:
        last = (err or "").strip().splitlines()[-1:] or ["no output"]
        raise ValidationError("bench", "worker", f"{task} failed: {last[0][:200]}")
    answer = json.loads(out.strip().splitlines()[-1])
    rows: list[dict[str, Any]] = answer["rows"]
    return rows, int(answer["peak_rss_bytes"])


def find_benchmarks(start: Path | None = None) -> Path | None:
    """The project's ``benchmarks/`` directory: under the working directory, or beside the
    source tree of an editable install."""
    here = Path(__file__).resolve()
    for candidate in (
        (start or Path.cwd()) / "benchmarks",
        here.parents[3] / "benchmarks",
    ):
        if (candidate / "bench_pseudonym.py").is_file():
            return candidate
    return None


def _script(path: Path, args: tuple[str, ...], timeout: float) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        done = subprocess.run(  # noqa: S603 - the project's own scripts
            [sys.executable, str(path), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output, code = done.stdout, done.returncode
        if code != 0:
            output += "\n" + "\n".join(done.stderr.strip().splitlines()[-3:])
    except subprocess.TimeoutExpired:
        output, code = f"(stopped after {timeout:.0f} s)", -1
    return {
        "script": path.name,
        "args": list(args),
        "exit": code,
        "seconds": round(time.perf_counter() - start, 2),
        "output": output.strip(),
    }


def _experiments(sizes: Sizes, data: Path) -> list[Table]:
    from verwijsindex_core.synthetic.nation import (  # noqa: PLC0415
        NationConfig,
        build_nation,
        write_nation,
    )

    # Two years, counted in the second: a signal of the first year is still live in it.
    config = NationConfig(people=sizes.experiment_people, days=730, start=date(2019, 1, 1))
    nation = build_nation(config)
    write_nation(nation, data / "experiments")
    policy = Policy(regions=nation.geography.regions)
    period = (date(2020, 1, 1), date(2021, 1, 1))
    signals = nation.signals
    tables = [
        same_organisation_experiment(signals, policy, period=period),
        family_matching_experiment(signals, policy, period=period),
        signal_term_experiment(signals, policy, period=period),
        region_boundaries_experiment(signals, policy, period=period),
        eleven_test_detection(20_000),
    ]
    sample = signals.take(slice(0, sizes.identifier_signals))
    tables.append(identifier_experiment(sample, policy, rate=0.01))
    return tables


def run_suite(
    out: Path,
    *,
    quick: bool = False,
    stream: TextIO | None = None,
    show_progress: bool = False,
    benchmarks: Path | None = None,
    sizes: Sizes | None = None,
    say: Callable[[str], None] = print,
) -> SuiteResult:
    """Run the suite and write ``results.md``, ``results.json`` and the plots into ``out``."""
    if not isinstance(out, Path):
        raise ValidationError("out", "type", "must be a Path")
    chosen = sizes or (QUICK if quick else FULL)
    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    data.mkdir(exist_ok=True)
    found = benchmarks or find_benchmarks()
    steps: list[tuple[str, Callable[[], None]]] = []
    result = SuiteResult(_environment(quick))
    timeout = 600.0 if quick else 3_600.0

    def measure(benchmark: str, task: str, **args: Any) -> Callable[[], None]:
        def step() -> None:
            rows, peak = run_measurement(task, args, timeout)
            for row in rows:
                row["benchmark"] = benchmark
                row["peak_rss_bytes"] = peak
                result.rows.append(row)

        return step

    for n in chosen.generate:
        where = str(data / f"nation-{n}")
        steps.append((f"generate {n:,}", measure("generate", "generate", n=n, out=where)))
        steps.append((f"batch numpy {n:,}", measure("batch", "batch_numpy", path=where)))
        steps.append((f"batch DuckDB {n:,}", measure("batch", "batch_duckdb", path=where)))
    for n in chosen.pseudonymise:
        steps.append((f"pseudonymise {n:,}", measure("pseudonymise", "pseudonymise", n=n)))
    for n in chosen.register_memory:
        steps.append((f"register memory {n:,}", measure("register", "register_memory", n=n)))
    for n in chosen.register_sqlite:
        steps.append((f"register SQLite {n:,}", measure("register", "register_sqlite", n=n)))

    def experiments() -> None:
        result.experiments.extend(_experiments(chosen, data))

    steps.append(("experiments", experiments))

    def script(path: Path, args: tuple[str, ...]) -> Callable[[], None]:
        return lambda: result.scripts.append(_script(path, args, timeout))

    if found is not None:
        for name, args in chosen.scripts.items():
            if (found / name).is_file():
                steps.append((f"benchmarks/{name}", script(found / name, args)))

    progress = Progress(
        "bench", len(steps), stream or sys.stderr, enabled=show_progress, unit="steps"
    )
    for done, (label, step) in enumerate(steps):
        say(f"[{done + 1}/{len(steps)}] {label}")
        step()
        progress.update(done + 1, done + 1)
    progress.finish(len(steps), len(steps))

    write_report(result, out)
    return result
