"""Configurable policy of one index (regional practice differs; the law sets the bounds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching._rules import MAX_SIGNAL_YEARS, RETENTION_YEARS

__all__ = ["Policy"]


@dataclass(frozen=True)
class Policy:
    """How this index applies the rules.

    - ``default_signal_years``: planned end when the vendor gives none (1 in Haaglanden).
    - ``max_signal_years``: at most 2 (Jeugdwet 7.1.4.5 lid 2a); a policy may only lower it.
    - ``same_organisation_matching``: match two professionals of one organisation (off).
    - ``history_notice``: tell a new professional that inactive signals exist (on).
    - ``history_view``: allow viewing earlier contacts with a stated reason (on).
    - ``retention_years``: purge inactive signals after this many years (5).
    - ``regions``: municipality code -> covenant region; an unmapped municipality is its own
      region. ``coordinator_suffix`` names a region's coordinator mailbox
      (``<region>-coordinator`` by default).
    """

    default_signal_years: int = 1
    max_signal_years: int = MAX_SIGNAL_YEARS
    same_organisation_matching: bool = False
    history_notice: bool = True
    history_view: bool = True
    retention_years: int = RETENTION_YEARS
    regions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    coordinator_suffix: str = "-coordinator"

    def __post_init__(self) -> None:
        if not 1 <= self.max_signal_years <= MAX_SIGNAL_YEARS:
            raise ValidationError(
                "max_signal_years", "max-duration", "must be 1 or 2 (Jeugdwet 7.1.4.5 lid 2a)"
            )
        if not 1 <= self.default_signal_years <= self.max_signal_years:
            raise ValidationError(
                "default_signal_years", "max-duration", "must lie between 1 and max_signal_years"
            )
        if self.retention_years < 1:
            raise ValidationError("retention_years", "positive", "must be at least 1")
        object.__setattr__(self, "regions", MappingProxyType(dict(self.regions)))

    def region_of(self, municipality: str) -> str:
        """The covenant region of a municipality code."""
        return self.regions.get(municipality, municipality)

    def coordinator_of(self, region: str) -> str:
        """The organisation id of a region's coordinator (receives moves, cross-region)."""
        return f"{region}{self.coordinator_suffix}"
