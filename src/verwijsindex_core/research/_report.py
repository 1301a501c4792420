"""The suite's outputs: ``results.json``, ``results.md`` and PNG plots (matplotlib, Agg)."""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verwijsindex_core.research._experiments import Table

__all__ = ["PLOTS", "SuiteResult", "write_report"]

PLOTS = ("throughput.png", "memory.png", "experiments.png")


@dataclass
class SuiteResult:
    """Everything one run measured (also written as ``results.json``)."""

    environment: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    experiments: list[Table] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "results": self.rows,
            "experiments": [
                {"title": t.title, "columns": list(t.columns), "rows": [list(r) for r in t.rows]}
                for t in self.experiments
            ],
            "scripts": self.scripts,
        }


def _rate(v: float) -> str:
    return f"{v:,.0f}"


def _results_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| benchmark | measurement | n | per second | baseline per second | ratio | peak RSS MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = r.get("baseline_per_second")
        ratio = r.get("ratio")
        lines.append(
            f"| {r['benchmark']} | {r['measurement']} | {r['n']:,} | {_rate(r['per_second'])} | "
            f"{_rate(base) if base else '-'} | {f'{ratio:.2f}x' if ratio else '-'} | "
            f"{r['peak_rss_bytes'] / 1e6:,.0f} |"
        )
    return lines


def _batch_table(rows: list[dict[str, Any]]) -> list[str]:
    """numpy against DuckDB per size: time ratio, memory, and that the counts agree."""
    by_n: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        if r["benchmark"] == "batch":
            by_n[r["n"]]["numpy" if "numpy" in r["measurement"] else "duckdb"] = r
    lines = [
        "| signals | numpy s | DuckDB s | numpy / DuckDB time | extra peak B/signal (numpy) "
        "| input B/signal | matches (direct + family) | same counts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in sorted(by_n):
        got = by_n[n]
        if "numpy" not in got or "duckdb" not in got:
            continue
        a, b = got["numpy"], got["duckdb"]
        same = all(a[k] == b[k] for k in ("direct", "family", "cross_region_direct"))
        lines.append(
            f"| {n:,} | {a['seconds']:.2f} | {b['seconds']:.2f} | "
            f"{a['seconds'] / b['seconds']:.2f}x | {a['extra_bytes_per_signal']:.0f} | "
            f"{a['input_bytes_per_signal']:.0f} | {a['direct']:,} + {a['family']:,} | "
            f"{'yes' if same else 'NO'} |"
        )
    return lines


def write_markdown(result: SuiteResult, path: Path) -> None:
    env = result.environment
    lines = [
        "# verwijsindex bench",
        "",
        f"Run {env['when']} ({'quick' if env['quick'] else 'full'}), Python {env['python']}, "
        f"numpy {env['numpy']}, DuckDB {env['duckdb']}, {env['cpus']} CPUs, one thread per "
        "measurement. Every rate stands beside a baseline measured in the same run.",
        "",
        "## Batch matching: numpy against DuckDB SQL",
        "",
        *_batch_table(result.rows),
        "",
        "## All measurements",
        "",
        *_results_table(result.rows),
        "",
        "## Experiments",
        "",
    ]
    for table in result.experiments:
        lines += [table.to_markdown(), ""]
    if result.scripts:
        lines += ["## benchmarks/ scripts", ""]
        for s in result.scripts:
            lines += [
                f"### {s['script']} {' '.join(s['args'])} (exit {s['exit']}, {s['seconds']} s)",
                "",
                "```",
                s["output"],
                "```",
                "",
            ]
    lines += ["## Plots", ""] + [f"![{p}]({p})" for p in PLOTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _series(result: SuiteResult) -> dict[str, list[tuple[int, float, float]]]:
    series: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for r in result.rows:
        name = f"{r['benchmark']}: {r['measurement']}"
        series[name].append((r["n"], r["per_second"], r["peak_rss_bytes"] / r["n"]))
    for points in series.values():
        points.sort()
    return series


def _lines(
    plt: Any, series: dict[str, list[tuple[int, float, float]]], which: int, path: Path
) -> None:
    """Throughput (``which`` 1) or peak memory per item (2) against N, log-log."""
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for name, points in sorted(series.items()):
        if which == 2 and "baseline" in name:
            continue
        style = "--" if "baseline" in name else "-"
        ys = [p[which] for p in points]
        ax.plot([p[0] for p in points], ys, style, marker="o", label=name)
    if which == 1:
        ax.set(xscale="log", yscale="log", xlabel="N (items or signals)", ylabel="per second")
        ax.set_title("Throughput against N (dashed: baselines)")
    else:
        ax.set(xscale="log", yscale="log", xlabel="N", ylabel="peak RSS / N (bytes)")
        ax.set_title("Peak memory of the measuring process per item against N")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bars(plt: Any, experiments: list[Table], path: Path) -> None:
    """The policy experiments as bar charts (direct and family stacked; cross-region share)."""
    head = ("setting", "direct", "family", "total")
    bars = [t for t in experiments if t.columns[:4] == head]
    panels: list[Table] = bars + [t for t in experiments if t.title == "Region boundaries"]
    fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(3.2 * max(1, len(panels)), 4))
    axes_list = list(axes) if len(panels) > 1 else [axes]
    for ax, table in zip(axes_list, panels, strict=False):
        if table in bars:
            labels = [str(r[0]) for r in table.rows]
            direct = [int(r[1]) for r in table.rows]
            ax.bar(labels, direct, label="direct")
            ax.bar(labels, [int(r[2]) for r in table.rows], bottom=direct, label="family")
            ax.set_ylabel("matches")
            ax.legend(fontsize=7)
        else:
            labels = [textwrap.fill(str(r[0]), 12) for r in table.rows]
            ax.bar(labels, [float(r[4]) * 100 for r in table.rows], color="tab:green")
            ax.set_ylabel("cross-region share %")
        ax.set_title(table.title, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(result: SuiteResult, out: Path) -> list[Path]:
    import matplotlib  # noqa: PLC0415 - the [research] extra

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    series = _series(result)
    paths = [out / name for name in PLOTS]
    _lines(plt, series, 1, paths[0])
    _lines(plt, series, 2, paths[1])
    _bars(plt, result.experiments, paths[2])
    return paths


def write_report(result: SuiteResult, out: Path) -> None:
    (out / "results.json").write_text(
        json.dumps(result.as_json(), indent=2) + "\n", encoding="utf-8"
    )
    write_markdown(result, out / "results.md")
    write_plots(result, out)
