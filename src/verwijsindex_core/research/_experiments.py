"""Policy experiments: one function per question, each returning a :class:`Table`.

Each runs :func:`~verwijsindex_core.research.match_counts` on the same signals under the
policies it compares; ``period`` restricts the count to matches made in a period (use it to
leave out a run-in year of a generated nation).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy
from verwijsindex_core.research._batch import DIRECT, FAMILY, MatchCounts, match_counts
from verwijsindex_core.synthetic.nation import SignalTable, drop_idempotent

__all__ = [
    "Table",
    "family_matching_experiment",
    "region_boundaries_experiment",
    "same_organisation_experiment",
    "signal_term_experiment",
]


@dataclass(frozen=True)
class Table:
    """A result table: a title, column names and rows (numbers and labels)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | int | float, ...], ...]

    def as_dicts(self) -> list[dict[str, str | int | float]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_markdown(self) -> str:
        def cell(v: str | int | float) -> str:
            if isinstance(v, float):
                return f"{v:.1%}" if abs(v) <= 1 else f"{v:,.1f}"
            return f"{v:,}" if isinstance(v, int) else v

        lines = [
            f"**{self.title}**",
            "",
            "| " + " | ".join(self.columns) + " |",
            "|" + "---|" * len(self.columns),
        ]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.rows]
        return "\n".join(lines)


def _policy(policy: Policy | None) -> Policy:
    if policy is None:
        return Policy(regions={})
    if not isinstance(policy, Policy):
        raise ValidationError("policy", "type", "must be a Policy")
    return policy


def _row(setting: str, counts: MatchCounts, base: MatchCounts) -> tuple[str | int | float, ...]:
    return (
        setting,
        counts.direct,
        counts.family,
        counts.total,
        counts.total - base.total,
        (counts.total - base.total) / base.total if base.total else 0.0,
    )


_COLUMNS = ("setting", "direct", "family", "total", "change", "change %")


def _compare(
    title: str,
    table: SignalTable,
    settings: list[tuple[str, Policy, bool]],
    period: tuple[date, date] | None,
) -> Table:
    results = []
    for setting, policy, family in settings:
        # Re-registrations depend on the policy (a longer default term keeps signals live).
        signals = drop_idempotent(table, policy)
        results.append(
            (
                setting,
                match_counts(
                    signals, policy, family=family, period=period, check=False, idempotent="trust"
                ),
            )
        )
    base = results[0][1]
    return Table(title, _COLUMNS, tuple(_row(s, c, base) for s, c in results))


def same_organisation_experiment(
    table: SignalTable, policy: Policy | None = None, *, period: tuple[date, date] | None = None
) -> Table:
    """Matches gained by matching two professionals of one organisation (off by default)."""
    p = _policy(policy)
    table.check(p)
    return _compare(
        "Same-organisation matching",
        table,
        [
            ("off (default)", replace(p, same_organisation_matching=False), True),
            ("on", replace(p, same_organisation_matching=True), True),
        ],
        period,
    )


def family_matching_experiment(
    table: SignalTable, policy: Policy | None = None, *, period: tuple[date, date] | None = None
) -> Table:
    """Matches lost without family matching (gezinsmatch)."""
    p = _policy(policy)
    table.check(p)
    return _compare(
        "Family matching", table, [("on (default)", p, True), ("off", p, False)], period
    )


def signal_term_experiment(
    table: SignalTable, policy: Policy | None = None, *, period: tuple[date, date] | None = None
) -> Table:
    """Matches gained when a signal without a planned end lasts 2 years instead of 1."""
    p = _policy(policy)
    table.check(replace(p, max_signal_years=2))
    return _compare(
        "Default signal term",
        table,
        [
            ("1 year", replace(p, default_signal_years=1, max_signal_years=2), True),
            ("2 years", replace(p, default_signal_years=2, max_signal_years=2), True),
        ],
        period,
    )


def region_boundaries_experiment(
    table: SignalTable,
    policy: Policy | None = None,
    *,
    period: tuple[date, date] | None = None,
) -> Table:
    """The share of matches that cross a region boundary: with the policy's covenant regions,
    with one region for the whole country, and with every municipality a region of its own.
    Matching is national either way; the boundaries decide which matches notify two
    regions' coordinators."""
    p = _policy(policy)
    table.check(p)
    signals = drop_idempotent(table, p)
    variants = [
        ("covenant regions", p),
        ("one national region", replace(p, regions=dict.fromkeys(table.municipalities, "nl"))),
        ("every municipality its own", replace(p, regions={})),
    ]
    rows = []
    for name, variant in variants:
        counts = match_counts(signals, variant, period=period, check=False, idempotent="trust")
        total = counts.total
        rows.append(
            (
                name,
                len(counts.regions),
                counts.cross_region(DIRECT),
                counts.cross_region(FAMILY),
                counts.cross_region() / total if total else 0.0,
            )
        )
    return Table(
        "Region boundaries",
        ("regions", "count", "cross direct", "cross family", "cross share"),
        tuple(rows),
    )
