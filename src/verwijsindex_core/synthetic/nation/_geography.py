"""A synthetic country: municipalities with sizes, covenant regions, organisations in the
seven domains with their professionals. Codes are synthetic (``GM9001``...), not CBS's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.errors import ValidationError

__all__ = ["Geography", "make_geography"]

_FIRST_CODE: Final = 9001  # real CBS codes stay below 2000: GM9xxx is visibly synthetic


@dataclass(frozen=True, eq=False)
class Geography:
    """Municipalities (``weight``: share of the young people), their covenant regions, and
    organisations (``org_*``) with professionals numbered ``prof_first[o]`` up to
    ``prof_first[o] + prof_count[o]``. ``md_*`` index the organisations of each
    (municipality, domain), ``rd_*`` of each (region, domain), ``d_*`` of each domain."""

    codes: tuple[str, ...]
    region_names: tuple[str, ...]
    region: npt.NDArray[np.int16]
    weight: npt.NDArray[np.float64]
    org_municipality: npt.NDArray[np.int16]
    org_domain: npt.NDArray[np.int8]
    prof_first: npt.NDArray[np.int32]
    prof_count: npt.NDArray[np.int32]
    md_orgs: npt.NDArray[np.int32]
    md_start: npt.NDArray[np.int64]
    md_count: npt.NDArray[np.int64]
    rd_orgs: npt.NDArray[np.int32]
    rd_start: npt.NDArray[np.int64]
    rd_count: npt.NDArray[np.int64]
    d_orgs: npt.NDArray[np.int32]
    d_start: npt.NDArray[np.int64]
    d_count: npt.NDArray[np.int64]

    @property
    def regions(self) -> dict[str, str]:
        """Municipality code -> region id: the table for :class:`Policy` ``regions``."""
        return {
            c: self.region_names[r] for c, r in zip(self.codes, self.region.tolist(), strict=True)
        }

    @property
    def professionals(self) -> int:
        return int(self.prof_count.sum())

    def __repr__(self) -> str:
        return (
            f"Geography({len(self.codes)} municipalities, {len(self.region_names)} regions, "
            f"{len(self.org_domain):,} organisations, {self.professionals:,} professionals)"
        )


def _index(
    keys: npt.NDArray[np.int64], size: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Organisations grouped by ``keys``: (organisations in key order, start, count)."""
    order = np.argsort(keys, kind="stable").astype(np.int32)
    count = np.bincount(keys, minlength=size).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    return order, start, count


def make_geography(
    rng: np.random.Generator,
    *,
    municipalities: int = 342,
    regions: int = 42,
    organisations: int = 4_000,
    professionals_per_organisation: float = 10.0,
) -> Geography:
    """Municipality sizes log-normal (median 1, like Dutch municipalities, a few large
    cities), municipalities grouped into ``regions`` contiguous covenant regions of random
    size, at least one organisation of every domain in every municipality and the rest
    spread by size, 1 + Poisson professionals per organisation."""
    if not 7 <= municipalities <= 999:
        raise ValidationError("municipalities", "range", "must lie between 7 and 999")
    if not 1 <= regions <= municipalities:
        raise ValidationError("regions", "range", "must lie between 1 and municipalities")
    if organisations < municipalities * 7:
        raise ValidationError(
            "organisations", "range", "needs one per domain in every municipality at least"
        )
    m = municipalities
    sizes = np.exp(rng.normal(0.0, 0.9, m))
    weight = sizes / sizes.sum()
    cuts = np.sort(rng.choice(np.arange(1, m), size=regions - 1, replace=False))
    region = np.zeros(m, dtype=np.int16)
    region[cuts] = 1
    region = np.cumsum(region).astype(np.int16)
    region = region[rng.permutation(m)]  # regions are not contiguous in size order
    codes = tuple(f"GM{_FIRST_CODE + i:04d}" for i in range(m))
    names = tuple(f"regio-{r + 1:02d}" for r in range(regions))

    base_m = np.repeat(np.arange(m, dtype=np.int64), 7)
    base_d = np.tile(np.arange(7, dtype=np.int64), m)
    extra = organisations - m * 7
    extra_m = rng.choice(m, size=extra, p=weight)
    extra_d = rng.integers(0, 7, size=extra)
    org_m = np.concatenate([base_m, extra_m]).astype(np.int16)
    org_d = np.concatenate([base_d, extra_d]).astype(np.int8)
    prof_count = (1 + rng.poisson(professionals_per_organisation - 1, len(org_m))).astype(np.int32)
    prof_first = np.concatenate([[0], np.cumsum(prof_count)[:-1]]).astype(np.int32)

    md_orgs, md_start, md_count = _index(org_m.astype(np.int64) * 7 + org_d, m * 7)
    org_r = region[org_m].astype(np.int64)
    rd_orgs, rd_start, rd_count = _index(org_r * 7 + org_d, regions * 7)
    d_orgs, d_start, d_count = _index(org_d.astype(np.int64), 7)
    return Geography(
        codes=codes,
        region_names=names,
        region=region,
        weight=weight,
        org_municipality=org_m,
        org_domain=org_d,
        prof_first=prof_first,
        prof_count=prof_count,
        md_orgs=md_orgs,
        md_start=md_start,
        md_count=md_count,
        rd_orgs=rd_orgs,
        rd_start=rd_start,
        rd_count=rd_count,
        d_orgs=d_orgs,
        d_start=d_start,
        d_count=d_count,
    )
