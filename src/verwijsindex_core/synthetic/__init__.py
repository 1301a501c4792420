"""Synthetic data for demos, tests and research: municipalities, organisations in all seven
domains, professionals and young people in families. Every BSN is generated to pass the
11-test and is made up; nothing here is real."""

from verwijsindex_core.synthetic._population import (
    MUNICIPALITIES,
    Child,
    Family,
    Population,
    generate_population,
)

__all__ = ["MUNICIPALITIES", "Child", "Family", "Population", "generate_population"]
