"""The parameters of the synthetic nation and the public figures they are calibrated on.

Sources (``docs/research.md`` says more, and what is a modelling choice rather than a figure):

- Young people by age: CBS, population on 1 January 2021 in five-year groups (0-5 857,626;
  5-10 899,827; 10-15 954,278; 15-20 1,031,735; 20-25 1,107,486). Ages 0-22 sum to about
  4.41 M; design §7 rounds to 4.5 M.
- 342 municipalities on 1 January 2023 (CBS); 42 youth-care regions (Nederlandse
  Jeugdautoriteit), the scale of the covenant regions.
- MULTIsignaal, "Meetbaar 2023": 168,000 signals in 2023 up to 11 December, 114,000 client
  (direct) and 200,000 family matches, 19 % and 13.5 % of them between regions: about 1.9
  matches per signal, two family matches to one direct.
- Design §7: 200-350 k active signals and about 630 k matches a year (2020) nationally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from verwijsindex_core.errors import ValidationError

__all__ = ["CBS_AGE_GROUPS", "NationConfig", "NationRates"]

CBS_AGE_GROUPS: Final = (
    (0, 857_626),
    (5, 899_827),
    (10, 954_278),
    (15, 1_031_735),
    (20, 1_107_486),
)
"""(first age, people) of the five-year groups, CBS, 1 January 2021."""

_NATIONAL_YEAR_SIGNALS: Final = 315_000
"""Registrations a national year gives with the default rates (measured, docs/research.md);
used only to size a nation for a wanted number of signals."""


def _shares(name: str, values: tuple[float, ...]) -> None:
    if not all(isinstance(v, (int, float)) and v >= 0 for v in values) or not math.isclose(
        sum(values), 1.0, abs_tol=1e-9
    ):
        raise ValidationError(name, "shares", "must be non-negative and add up to 1")


@dataclass(frozen=True)
class NationRates:
    """The signal process, per family and per young person (see the module for sources).

    Families have 1-4 children (``family_sizes``), two parents or one, and some share a
    parent with another family (half-siblings). Each family is in a risk class (none,
    moderate, high) with a rate of *episodes* a year: in an episode each child of the family
    is involved with a chance, and an involved child gets 1 + Poisson(``extra_signals``)
    signals within ``episode_days``. Domains follow the child's age. A signal goes to an
    organisation of its domain in the family's municipality, else its region, else anywhere.
    """

    family_sizes: tuple[float, ...] = (0.30, 0.40, 0.20, 0.10)
    two_parent_share: float = 0.8
    half_sibling_share: float = 0.08
    risk_shares: tuple[float, float, float] = (0.935, 0.05, 0.015)
    episodes_per_year: tuple[float, float, float] = (0.06, 0.45, 1.45)
    involvement: tuple[float, float, float] = (0.45, 0.65, 0.76)
    extra_signals: tuple[float, float, float] = (0.05, 0.31, 0.56)
    episode_days: int = 120
    default_end_share: float = 0.6
    planned_days: tuple[int, int] = (60, 700)
    stop_share: float = 0.35
    own_municipality_share: float = 0.75
    own_region_share: float = 0.15
    moves_per_family_year: float = 0.04
    move_in_region_share: float = 0.6
    organisations: int = 4_000
    professionals_per_organisation: float = 10.0
    domain_by_age: tuple[tuple[int, tuple[float, ...]], ...] = (
        # (first age, weights over the seven domains in Domain order)
        (0, (0.20, 0.40, 0.20, 0.02, 0.15, 0.01, 0.02)),
        (4, (0.22, 0.15, 0.13, 0.30, 0.14, 0.01, 0.05)),
        (12, (0.25, 0.08, 0.12, 0.25, 0.12, 0.03, 0.15)),
        (18, (0.20, 0.02, 0.14, 0.12, 0.17, 0.20, 0.15)),
    )

    def __post_init__(self) -> None:
        _shares("family_sizes", self.family_sizes)
        _shares("risk_shares", self.risk_shares)
        for _, weights in self.domain_by_age:
            if len(weights) != 7:
                raise ValidationError("domain_by_age", "domains", "needs seven weights")
            _shares("domain_by_age", weights)
        for name in ("episodes_per_year", "involvement", "extra_signals"):
            values = getattr(self, name)
            if len(values) != 3 or not all(isinstance(v, (int, float)) and v >= 0 for v in values):
                raise ValidationError(name, "range", "three non-negative numbers")
        for name in (
            "two_parent_share",
            "half_sibling_share",
            "default_end_share",
            "stop_share",
            "own_municipality_share",
            "own_region_share",
            "move_in_region_share",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValidationError(name, "share", "must lie between 0 and 1")
        if any(v > 1 for v in self.involvement):
            raise ValidationError("involvement", "share", "must lie between 0 and 1")
        if self.own_municipality_share + self.own_region_share > 1:
            raise ValidationError("own_region_share", "share", "the shares exceed 1")
        low, high = self.planned_days
        if not 1 <= low < high <= 730:
            raise ValidationError("planned_days", "range", "1 <= low < high <= 730 days")
        if not 1 <= self.episode_days <= 730:
            raise ValidationError("episode_days", "range", "must lie between 1 and 730")


@dataclass(frozen=True)
class NationConfig:
    """A synthetic nation: ``people`` young people (0-22) on ``start``, followed for ``days``
    days; ``signals`` (optional) stops the generator at that many registrations. Everything
    follows from ``seed``."""

    seed: int = 2020
    people: int = 4_500_000
    start: date = date(2020, 1, 1)
    days: int = 365
    signals: int | None = None
    municipalities: int = 342
    regions: int = 42
    rates: NationRates = field(default_factory=NationRates)

    def __post_init__(self) -> None:
        if type(self.seed) is not int or self.seed < 0:
            raise ValidationError("seed", "range", "must be a non-negative int")
        if type(self.people) is not int or not 100 <= self.people <= 20_000_000:
            raise ValidationError("people", "range", "must lie between 100 and 20,000,000")
        if type(self.days) is not int or not 1 <= self.days <= 365 * 60:
            raise ValidationError("days", "range", "must lie between 1 and 21,900")
        if not isinstance(self.start, date):
            raise ValidationError("start", "type", "must be a date")
        if self.signals is not None and (
            type(self.signals) is not int or not 1 <= self.signals <= 100_000_000
        ):
            raise ValidationError("signals", "range", "must lie between 1 and 100,000,000")
        if not isinstance(self.rates, NationRates):
            raise ValidationError("rates", "type", "must be NationRates")

    @classmethod
    def for_signals(cls, signals: int, *, seed: int = 2020) -> NationConfig:
        """A nation sized to give ``signals`` registrations: below one national year's worth
        a proportionally smaller population over one year, above it the full 4.5 M over as
        many years as it takes (a stationary nation: births replace those turning 23)."""
        if type(signals) is not int or signals < 1:
            raise ValidationError("signals", "range", "must be a positive int")
        wanted = signals * 1.1  # a margin: the generator stops at exactly ``signals``
        if wanted <= _NATIONAL_YEAR_SIGNALS:
            people = max(1_000, round(4_500_000 * wanted / _NATIONAL_YEAR_SIGNALS))
            return cls(seed=seed, people=people, days=365, signals=signals)
        days = math.ceil(365 * wanted / _NATIONAL_YEAR_SIGNALS)
        return cls(seed=seed, days=days, signals=signals)
