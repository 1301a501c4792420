"""The research kit (extra ``[research]``: numpy, matplotlib; DuckDB optional): batch
matching on columns, policy and identifier-quality experiments, the benchmark suite.

- :func:`match_counts` / :func:`match_pairs`: the engine's matches on a
  :class:`~verwijsindex_core.synthetic.nation.SignalTable`, counted (per kind, region pair,
  domain pair) or as pairs; :func:`duckdb_match_counts`: the same through DuckDB SQL.
- Experiments, one function per question, each returning a :class:`Table`.
- :func:`run_suite`: every benchmark of the project, beside its baseline (``verwijsindex
  bench``).

Data come from :mod:`verwijsindex_core.synthetic.nation`; see ``docs/research.md``.
"""

from verwijsindex_core.research._batch import (
    DIRECT,
    FAMILY,
    MatchCounts,
    MatchPairs,
    match_counts,
    match_pairs,
)
from verwijsindex_core.research._duckdb import duckdb_match_counts, duckdb_sql
from verwijsindex_core.research._experiments import (
    Table,
    family_matching_experiment,
    region_boundaries_experiment,
    same_organisation_experiment,
    signal_term_experiment,
)
from verwijsindex_core.research._identifiers import (
    ERROR_KINDS,
    eleven_test_detection,
    identifier_experiment,
    typo,
)
from verwijsindex_core.research._report import PLOTS, SuiteResult, write_report
from verwijsindex_core.research._suite import FULL, QUICK, Sizes, run_measurement, run_suite

__all__ = [
    "DIRECT",
    "ERROR_KINDS",
    "FAMILY",
    "FULL",
    "PLOTS",
    "QUICK",
    "MatchCounts",
    "MatchPairs",
    "Sizes",
    "SuiteResult",
    "Table",
    "duckdb_match_counts",
    "duckdb_sql",
    "eleven_test_detection",
    "family_matching_experiment",
    "identifier_experiment",
    "match_counts",
    "match_pairs",
    "region_boundaries_experiment",
    "run_measurement",
    "run_suite",
    "same_organisation_experiment",
    "signal_term_experiment",
    "typo",
    "write_report",
]
