"""The synthetic nation (design §7): about 4.5 million young people in families, 342
municipalities in 42 covenant regions, thousands of organisations, and a year (or more) of
signals, as numpy columns. Needs the ``[research]`` extra (numpy).

- :class:`NationConfig` (seed, size, period; :meth:`NationConfig.for_signals`) and
  :class:`NationRates` (the signal process and the figures it is calibrated on);
- :func:`generate_nation` (chunks) and :func:`build_nation` (all of it); a nation's
  :class:`People` are computed when their columns are first read (``len`` is known at once);
- :class:`SignalTable`: the columnar signal format the research kit reads, with
  :func:`signal_ends` and :func:`drop_idempotent` (the engine's rules on columns);
- :func:`write_nation` / :func:`load_nation` (NPZ, readable by numpy, pandas, Polars, DuckDB;
  the people table only with ``people=True``, else drawn again from the configuration when
  read) and :func:`write_parquet` (with DuckDB installed);
- :func:`synthetic_bsns`: the synthetic-range BSN of a person number.
"""

from verwijsindex_core.synthetic.nation._bsn import synthetic_bsns
from verwijsindex_core.synthetic.nation._generate import (
    Nation,
    People,
    build_nation,
    generate_nation,
    nation_geography,
)
from verwijsindex_core.synthetic.nation._geography import Geography, make_geography
from verwijsindex_core.synthetic.nation._io import load_nation, write_nation, write_parquet
from verwijsindex_core.synthetic.nation._model import CBS_AGE_GROUPS, NationConfig, NationRates
from verwijsindex_core.synthetic.nation._table import (
    DAY_SHIFT,
    DOMAINS,
    NO_STOP,
    SignalTable,
    day_of,
    drop_idempotent,
    event_time,
    re_registrations,
    signal_ends,
)

__all__ = [
    "CBS_AGE_GROUPS",
    "DAY_SHIFT",
    "DOMAINS",
    "NO_STOP",
    "Geography",
    "Nation",
    "NationConfig",
    "NationRates",
    "People",
    "SignalTable",
    "build_nation",
    "day_of",
    "drop_idempotent",
    "event_time",
    "generate_nation",
    "load_nation",
    "make_geography",
    "nation_geography",
    "re_registrations",
    "signal_ends",
    "synthetic_bsns",
    "write_nation",
    "write_parquet",
]
