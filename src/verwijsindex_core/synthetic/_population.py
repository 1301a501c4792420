"""Synthetic data: a region with municipalities, organisations in all seven domains,
professionals, and young people in families. Every BSN is drawn from the synthetic range
(:mod:`verwijsindex_core.synthetic._bsns`: 11-test-valid numbers starting with 9, all
distinct); nothing here is real. Deterministic for a given ``random.Random``.

The national scale (design §7) is :mod:`verwijsindex_core.synthetic.nation` (columnar, numpy).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from verwijsindex_core.matching import Domain, Organisation, Professional
from verwijsindex_core.pseudonym import Bsn
from verwijsindex_core.synthetic._bsns import SyntheticBsns

__all__ = [
    "MUNICIPALITIES",
    "Child",
    "Family",
    "Population",
    "generate_population",
]

MUNICIPALITIES: Final[dict[str, tuple[str, str]]] = {
    # code: (name, covenant region)
    "GM0518": ("'s-Gravenhage", "haaglanden"),
    "GM0503": ("Delft", "haaglanden"),
    "GM0637": ("Zoetermeer", "haaglanden"),
    "GM1783": ("Westland", "haaglanden"),
    "GM0603": ("Rijswijk", "haaglanden"),
    "GM1916": ("Leidschendam-Voorburg", "haaglanden"),
    "GM1926": ("Pijnacker-Nootdorp", "haaglanden"),
    "GM0599": ("Rotterdam", "rijnmond"),
    "GM0606": ("Schiedam", "rijnmond"),
    "GM0622": ("Vlaardingen", "rijnmond"),
}

_FIRST: Final = (
    "Anna",
    "Bram",
    "Chaima",
    "Daan",
    "Esra",
    "Femke",
    "Gijs",
    "Hamza",
    "Iris",
    "Jesse",
    "Kim",
    "Lotte",
    "Mohammed",
    "Noor",
    "Olga",
    "Pieter",
    "Quinten",
    "Roos",
    "Sanne",
    "Thijs",
    "Umut",
    "Vera",
    "Wouter",
    "Yara",
    "Zeynep",
)
_LAST: Final = (
    "de Vries",
    "Jansen",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
)
_FUNCTIONS: Final[dict[Domain, tuple[str, ...]]] = {
    Domain.JEUGDHULP: ("Jeugdhulpverlener", "Gezinscoach", "Ambulant hulpverlener"),
    Domain.JEUGDGEZONDHEIDSZORG: ("Jeugdverpleegkundige", "Jeugdarts"),
    Domain.GEZONDHEIDSZORG: ("Huisarts", "Praktijkondersteuner", "Kinderpsycholoog"),
    Domain.ONDERWIJS: ("Intern begeleider", "Mentor", "Zorgcoordinator"),
    Domain.MAATSCHAPPELIJKE_ONDERSTEUNING: ("Maatschappelijk werker", "Wijkcoach"),
    Domain.WERK_EN_INKOMEN: ("Klantmanager", "Jobcoach"),
    Domain.POLITIE_EN_JUSTITIE: ("Jeugdagent", "Reclasseringswerker"),
}
_ORG_KINDS: Final[dict[Domain, tuple[str, ...]]] = {
    Domain.JEUGDHULP: ("Jeugdhulp", "Jeugdzorg"),
    Domain.JEUGDGEZONDHEIDSZORG: ("JGZ", "Consultatiebureau"),
    Domain.GEZONDHEIDSZORG: ("Huisartsenpraktijk", "GGZ Jeugd"),
    Domain.ONDERWIJS: ("Basisschool", "College"),
    Domain.MAATSCHAPPELIJKE_ONDERSTEUNING: ("Wijkteam", "Welzijn"),
    Domain.WERK_EN_INKOMEN: ("Werkplein", "Sociale Dienst"),
    Domain.POLITIE_EN_JUSTITIE: ("Politie", "Jeugdreclassering"),
}


@dataclass(frozen=True)
class Child:
    bsn: Bsn
    date_of_birth: date
    municipality: str


@dataclass(frozen=True)
class Family:
    parents: tuple[Bsn, ...]
    children: tuple[Child, ...]


@dataclass
class Population:
    organisations: list[Organisation]
    professionals: dict[str, list[Professional]]
    families: list[Family]
    regions: dict[str, str] = field(default_factory=dict)

    @property
    def children(self) -> list[tuple[Child, Family]]:
        return [(c, f) for f in self.families for c in f.children]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def generate_population(
    rng: random.Random,
    *,
    subjects: int = 10_000,
    organisations_per_domain: int = 6,
    professionals_per_organisation: int = 5,
    today: date,
) -> Population:
    """Organisations in every domain and municipality mix, and families of 1-4 children aged
    0-22 on ``today`` until ``subjects`` children exist."""
    codes = list(MUNICIPALITIES)
    organisations: list[Organisation] = []
    professionals: dict[str, list[Professional]] = {}
    for domain in Domain:
        for n in range(organisations_per_domain):
            code = codes[(n * 3 + len(organisations)) % len(codes)]
            place, _ = MUNICIPALITIES[code]
            kind = _ORG_KINDS[domain][n % len(_ORG_KINDS[domain])]
            org = Organisation(
                id=f"{domain.value[:6]}-{n + 1}",
                name=f"{kind} {place} {n + 1}",
                domain=domain,
                municipality=code,
            )
            organisations.append(org)
            professionals[org.id] = [
                Professional(
                    id=f"{org.id}-p{k + 1}",
                    name=_name(rng),
                    function=rng.choice(_FUNCTIONS[domain]),
                    phone=f"0{rng.randrange(10, 80)}-{rng.randrange(1_000_000, 9_999_999)}",
                    email=f"medewerker{k + 1}@{org.id}.example",
                    organisation_id=org.id,
                )
                for k in range(professionals_per_organisation)
            ]
    families: list[Family] = []
    bsns = SyntheticBsns(rng)
    count = 0
    while count < subjects:
        size = min(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), subjects - count)
        municipality = rng.choice(codes[:7] * 3 + codes[7:])  # mostly Haaglanden
        oldest = rng.randrange(0, 23 * 365)
        children = []
        for k in range(size):
            age_days = max(oldest - k * rng.randrange(300, 1500), rng.randrange(0, 365))
            dob = today - timedelta(days=age_days)
            children.append(Child(bsns.draw(), dob, municipality))
        parents = tuple(bsns.draw() for _ in range(2 if rng.random() < 0.8 else 1))
        families.append(Family(parents, tuple(children)))
        count += size
    regions = {code: region for code, (_, region) in MUNICIPALITIES.items()}
    return Population(organisations, professionals, families, regions)
