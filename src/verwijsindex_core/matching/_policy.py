"""Configurable policy of one index (regional practice differs; the law sets the bounds), and
the municipality -> covenant region table."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching._rules import MAX_SIGNAL_YEARS, RETENTION_YEARS

__all__ = ["DEFAULT_REGIONS_FILE", "Policy", "default_regions", "load_regions"]

DEFAULT_REGIONS_FILE: Final = "data/regions.csv"
"""The shipped table (package data of ``verwijsindex_core.matching``)."""

_MUNICIPALITY: Final = re.compile(r"GM[0-9]{4}")
_REGION: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")


def _parse_regions(text: str, source: str) -> dict[str, str]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"municipality", "region"} <= set(reader.fieldnames):
        raise ValidationError(
            "regions", "csv-header", f"{source} needs the columns municipality and region"
        )
    table: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        code, region = (row.get("municipality") or "").strip(), (row.get("region") or "").strip()
        if not _MUNICIPALITY.fullmatch(code):
            raise ValidationError(
                "regions", "municipality-code", f"{source} line {line}: not a code like GM0518"
            )
        if not _REGION.fullmatch(region):
            raise ValidationError(
                "regions",
                "region-id",
                f"{source} line {line}: a region id is lower-case letters, digits and '-'",
            )
        if table.setdefault(code, region) != region:
            raise ValidationError(
                "regions", "one-region", f"{source} line {line}: municipality in two regions"
            )
    return table


def load_regions(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a municipality -> covenant region table from a CSV file with the columns
    ``municipality`` (a CBS code such as ``GM0518``) and ``region`` (an id such as
    ``haaglanden``); other columns (a name) are ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError("regions", "read", f"{path} cannot be read ({exc})") from None
    return _parse_regions(text, str(path))


@cache
def _shipped() -> Mapping[str, str]:
    text = resources.files("verwijsindex_core.matching").joinpath(DEFAULT_REGIONS_FILE)
    return MappingProxyType(_parse_regions(text.read_text(encoding="utf-8"), "regions.csv"))


def default_regions() -> Mapping[str, str]:
    """The shipped table: the municipalities of the covenant regions Haaglanden and
    Rotterdam-Rijnmond (CBS codes). Load the table of your own covenant with
    :func:`load_regions`; a municipality missing from the table is its own region."""
    return _shipped()


@dataclass(frozen=True)
class Policy:
    """How this index applies the rules.

    - ``default_signal_years``: planned end when the vendor gives none (1 in Haaglanden).
    - ``max_signal_years``: at most 2 (Jeugdwet 7.1.4.5 lid 2a); a policy may only lower it.
    - ``same_organisation_matching``: match two professionals of one organisation (off).
    - ``history_notice``: tell a new professional that inactive signals exist (on).
    - ``history_view``: allow viewing earlier contacts with a stated reason (on).
    - ``retention_years``: purge inactive signals after this many years (5).
    - ``regions``: municipality code -> covenant region (default: :func:`default_regions`);
      a municipality missing from it is its own region. ``coordinator_suffix`` names a
      region's coordinator mailbox (``<region>-coordinator`` by default).
    """

    default_signal_years: int = 1
    max_signal_years: int = MAX_SIGNAL_YEARS
    same_organisation_matching: bool = False
    history_notice: bool = True
    history_view: bool = True
    retention_years: int = RETENTION_YEARS
    regions: Mapping[str, str] = field(default_factory=default_regions)
    coordinator_suffix: str = "-coordinator"

    def __post_init__(self) -> None:
        for name in ("default_signal_years", "max_signal_years", "retention_years"):
            value = getattr(self, name)
            if type(value) is not int:
                raise ValidationError(name, "type", "must be an int")
        for name in ("same_organisation_matching", "history_notice", "history_view"):
            if type(getattr(self, name)) is not bool:
                raise ValidationError(name, "type", "must be True or False")
        if not 1 <= self.max_signal_years <= MAX_SIGNAL_YEARS:
            raise ValidationError(
                "max_signal_years", "max-duration", "must be 1 or 2 (Jeugdwet 7.1.4.5 lid 2a)"
            )
        if not 1 <= self.default_signal_years <= self.max_signal_years:
            raise ValidationError(
                "default_signal_years", "max-duration", "must lie between 1 and max_signal_years"
            )
        if not 1 <= self.retention_years <= 100:
            raise ValidationError("retention_years", "range", "must lie between 1 and 100")
        if not isinstance(self.regions, Mapping):
            raise ValidationError("regions", "type", "must map municipality codes to regions")
        for code, region in self.regions.items():
            if not (isinstance(code, str) and _MUNICIPALITY.fullmatch(code)):
                raise ValidationError("regions", "municipality-code", "keys are codes like GM0518")
            if not (isinstance(region, str) and _REGION.fullmatch(region)):
                raise ValidationError(
                    "regions", "region-id", "a region id is lower-case letters, digits and '-'"
                )
        if not (
            isinstance(self.coordinator_suffix, str)
            and re.fullmatch(r"[A-Za-z0-9._-]{1,15}", self.coordinator_suffix)
        ):
            raise ValidationError(
                "coordinator_suffix", "identifier", "1-15 letters, digits, '.', '_' or '-'"
            )
        object.__setattr__(self, "regions", MappingProxyType(dict(self.regions)))

    def region_of(self, municipality: str) -> str:
        """The covenant region of a municipality code (the code itself when unmapped)."""
        return self.regions.get(municipality, municipality)

    def coordinator_of(self, region: str) -> str:
        """The organisation id of a region's coordinator (receives moves, cross-region)."""
        return f"{region}{self.coordinator_suffix}"
