"""The same match counts through DuckDB: the benchmark baseline and an optional backend.

The SQL is the best plain formulation found: two hash self-joins (on subject; on parent over
the table unnested by parent), the overlap as two range predicates, the may-match rule, and
the smallest-shared-parent rule to count a pair of siblings once; grouped by region and
domain pair. The end of each signal comes from the same rules as the numpy path
(:func:`~verwijsindex_core.synthetic.nation.signal_ends`), computed inside the timed call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy
from verwijsindex_core.research._batch import DIRECT, FAMILY, MatchCounts, _prepare
from verwijsindex_core.synthetic.nation import SignalTable

__all__ = ["duckdb_match_counts", "duckdb_sql"]


def duckdb_sql(parents: int, *, same_organisation: bool, family: bool) -> dict[str, str]:
    """The queries (direct, family) over a table ``s`` with the columns id, subject,
    organisation, professional, domain, region, registered, e (end), parent_0.."""
    may = "a.organisation <> b.organisation"
    if same_organisation:
        may = f"({may} OR a.professional <> b.professional)"
    made = "greatest(a.registered, b.registered)"
    overlap = f"a.registered < b.e AND b.registered < a.e AND p.lo <= {made} AND {made} < p.hi"
    group = (
        "least(a.region, b.region) AS r1, greatest(a.region, b.region) AS r2, "
        "least(a.domain, b.domain) AS d1, greatest(a.domain, b.domain) AS d2"
    )
    queries = {
        "direct": (
            f"SELECT {group}, count(*) AS n FROM s a JOIN s b "  # noqa: S608 - constants only
            "ON a.subject = b.subject AND a.id < b.id, period p "
            f"WHERE {overlap} AND {may} GROUP BY ALL"
        )
    }
    if family:
        unnest = " UNION ALL ".join(
            f"SELECT parent_{c} AS parent, * FROM s WHERE parent_{c} >= 0"  # noqa: S608
            for c in range(parents)
        )
        smaller = " OR ".join(
            f"(a.parent_{ca} >= 0 AND a.parent_{ca} < a.parent AND a.parent_{ca} = b.parent_{cb})"
            for ca in range(parents)
            for cb in range(parents)
        )
        queries["family"] = (
            f"WITH f AS ({unnest}) SELECT {group}, count(*) AS n FROM f a JOIN f b "  # noqa: S608
            "ON a.parent = b.parent AND a.id < b.id, period p "
            f"WHERE a.subject <> b.subject AND {overlap} AND {may} AND NOT ({smaller}) "
            "GROUP BY ALL"
        )
    return queries


def duckdb_match_counts(
    table: SignalTable,
    policy: Policy | None = None,
    *,
    family: bool = True,
    check: bool = True,
    idempotent: str = "drop",
    period: tuple[date, date] | None = None,
    threads: int = 1,
    memory_limit: str | None = None,
) -> MatchCounts:
    """:func:`~verwijsindex_core.research.match_counts` computed by DuckDB (``pip install
    duckdb``) with ``threads`` threads: the same answer, for comparison and as a backend."""
    try:
        import duckdb  # noqa: PLC0415 - optional
    except ImportError:
        raise ValidationError("duckdb", "missing", "pip install duckdb for this backend") from None
    if type(threads) is not int or not 1 <= threads <= 256:
        raise ValidationError("threads", "range", "must be an int from 1 to 256")
    if memory_limit is not None and not isinstance(memory_limit, str):
        raise ValidationError("memory_limit", "type", "must be a string such as '4GB'")
    p = _prepare(table, policy, check=check, idempotent=idempotent, period=period)
    t = p.table
    r = max(1, len(p.regions))
    columns: dict[str, Any] = {
        "id": np.arange(len(t), dtype=np.int64),
        "subject": t.subject,
        "organisation": t.organisation,
        "professional": t.professional,
        "domain": t.domain,
        "region": p.region,
        "registered": t.registered,
        "e": p.ends,
    }
    k = t.parents.shape[1]
    for c in range(k):
        columns[f"parent_{c}"] = np.ascontiguousarray(t.parents[:, c])
    lo, hi = p.period if p.period is not None else (0, int(np.iinfo(np.int64).max))
    region_pairs = np.zeros((2, r, r), dtype=np.int64)
    domain_pairs = np.zeros((2, 7, 7), dtype=np.int64)
    con = duckdb.connect()
    try:
        con.execute(f"SET threads = {threads}")
        if memory_limit is not None:
            con.execute("SET memory_limit = ?", [memory_limit])
        con.register("s", columns)
        con.execute(f"CREATE TEMP TABLE period AS SELECT {lo}::BIGINT AS lo, {hi}::BIGINT AS hi")
        queries = duckdb_sql(k, same_organisation=p.same_org, family=family)
        for name, sql in queries.items():
            kind = DIRECT if name == "direct" else FAMILY
            out = con.execute(sql).fetchnumpy()
            r1, r2 = out["r1"].astype(np.int64), out["r2"].astype(np.int64)
            d1, d2 = out["d1"].astype(np.int64), out["d2"].astype(np.int64)
            n = out["n"].astype(np.int64)
            np.add.at(region_pairs[kind], (r1, r2), n)
            np.add.at(domain_pairs[kind], (d1, d2), n)
    finally:
        con.close()
    return MatchCounts(
        regions=p.regions or ("",),
        region_pairs=region_pairs,
        domain_pairs=domain_pairs,
        signals=len(t),
        dropped=p.dropped,
    )
