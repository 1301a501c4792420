"""Synthetic data for demos, tests and research: municipalities, organisations in all seven
domains, professionals and young people in families, and a simulation of professionals at work
(rates per young person). Every BSN comes from the synthetic range (11-test-valid numbers
starting with 9); nothing here is real.

The national scale, columnar and numpy-based (extra ``[research]``), is
:mod:`verwijsindex_core.synthetic.nation`.
"""

from verwijsindex_core.synthetic._bsns import (
    SYNTHETIC_BSN_COUNT,
    SYNTHETIC_BSN_FIRST_DIGIT,
    SyntheticBsns,
    is_synthetic_bsn,
    random_synthetic_bsn,
)
from verwijsindex_core.synthetic._population import (
    MUNICIPALITIES,
    Child,
    Family,
    Population,
    generate_population,
)
from verwijsindex_core.synthetic._simulation import (
    SimulatedIndex,
    Simulation,
    SimulationRates,
    SimulationStats,
    poisson,
)

__all__ = [
    "MUNICIPALITIES",
    "SYNTHETIC_BSN_COUNT",
    "SYNTHETIC_BSN_FIRST_DIGIT",
    "Child",
    "Family",
    "Population",
    "SimulatedIndex",
    "Simulation",
    "SimulationRates",
    "SimulationStats",
    "SyntheticBsns",
    "generate_population",
    "is_synthetic_bsn",
    "poisson",
    "random_synthetic_bsn",
]
