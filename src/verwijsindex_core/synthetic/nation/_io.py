"""Writing and reading a nation: NPZ files (numpy's zip of ``.npy`` columns, uncompressed) and
a JSON description; Parquet through DuckDB when it is installed.

Layout of a nation directory::

    nation.json       config, counts, the municipality codes and region names
    signals.npz       the SignalTable columns (parents as parent_0, parent_1)
    people.npz        the young people (key, born, family, ...): only when asked for
    geography.npz     municipalities, regions, organisations, professionals

Without ``people.npz``, :func:`load_nation` gives people that are drawn again from the
configuration (deterministic: the same people) when their columns are first read.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, fields
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.synthetic.nation._generate import Nation, build_nation
from verwijsindex_core.synthetic.nation._geography import Geography
from verwijsindex_core.synthetic.nation._model import NationConfig, NationRates
from verwijsindex_core.synthetic.nation._people import PEOPLE_COLUMNS, People
from verwijsindex_core.synthetic.nation._table import SignalTable

__all__ = ["load_nation", "write_nation", "write_parquet"]

FORMAT: Final = "verwijsindex-synthetic-nation/1"
_SIGNAL_COLUMNS: Final = (
    "subject",
    "organisation",
    "professional",
    "domain",
    "municipality",
    "registered",
    "stopped",
    "planned_end",
    "born",
)


def _directory(directory: str | os.PathLike[str]) -> Path:
    if not isinstance(directory, (str, os.PathLike)):
        raise ValidationError("directory", "type", "must be a path")
    return Path(directory)


def write_nation(
    nation: Nation, directory: str | os.PathLike[str], *, people: bool = False
) -> Path:
    """Write ``nation`` into ``directory`` (created; existing files are replaced). The people
    table (``people.npz``: about five rows per signal of a national year) only with
    ``people=True``; :func:`load_nation` draws it again from the configuration otherwise."""
    if not isinstance(nation, Nation):
        raise ValidationError("nation", "type", "must be a Nation")
    if not isinstance(people, bool):
        raise ValidationError("people", "type", "must be a bool")
    out = _directory(directory)
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "signals.npz", **nation.signals.columns())  # type: ignore[arg-type]
    if people:
        np.savez(out / "people.npz", **nation.people.columns())  # type: ignore[arg-type]
    else:
        (out / "people.npz").unlink(missing_ok=True)  # not a stale one of another nation
    geo = nation.geography
    arrays = {
        f.name: getattr(geo, f.name)
        for f in fields(geo)
        if isinstance(getattr(geo, f.name), np.ndarray)
    }
    np.savez(out / "geography.npz", **arrays)
    config = asdict(nation.config)
    config["start"] = nation.config.start.isoformat()
    meta = {
        "format": FORMAT,
        "config": config,
        "signals": len(nation.signals),
        "people": len(nation.people),
        "municipalities": list(geo.codes),
        "region_names": list(geo.region_names),
    }
    (out / "nation.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def load_nation(directory: str | os.PathLike[str]) -> Nation:
    """Read a nation written by :func:`write_nation`."""
    root = _directory(directory)
    try:
        meta = json.loads((root / "nation.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValidationError("directory", "format", "is not a synthetic nation")
        raw = dict(meta["config"])
        rates = raw.pop("rates")
        raw["start"] = date.fromisoformat(raw["start"])
        rates = {
            k: tuple((a, tuple(w)) for a, w in v)
            if k == "domain_by_age"
            else tuple(v)
            if isinstance(v, list)
            else v
            for k, v in rates.items()
        }
        config = NationConfig(**raw, rates=NationRates(**rates))
        codes = tuple(meta["municipalities"])
        with np.load(root / "signals.npz") as s:
            parent_columns = sorted(k for k in s.files if k.startswith("parent_"))
            signals = SignalTable(
                **{name: s[name] for name in _SIGNAL_COLUMNS},
                parents=np.stack([s[k] for k in parent_columns], axis=1),
                municipalities=codes,
            )
        people = _people(root, config, int(meta["people"]))
        with np.load(root / "geography.npz") as g:
            geo = Geography(
                codes=codes,
                region_names=tuple(meta["region_names"]),
                **{f.name: g[f.name] for f in fields(Geography) if f.name in g.files},
            )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ValidationError(
            "directory", "read", f"cannot be read as a nation ({type(exc).__name__})"
        ) from None
    return Nation(config, geo, people, signals)


def _people(root: Path, config: NationConfig, count: int) -> People:
    """The people of ``people.npz``, or drawn again from ``config`` when they are read."""
    if not (root / "people.npz").is_file():
        return People.on_demand(count, lambda: build_nation(config).people)
    with np.load(root / "people.npz") as p:
        return People(
            **{name: p[name] for name in PEOPLE_COLUMNS if name != "parents"},
            parents=np.stack([p["parent_0"], p["parent_1"]], axis=1),
        )


def write_parquet(nation: Nation, directory: str | os.PathLike[str]) -> list[Path]:
    """Write ``signals.parquet`` and ``people.parquet`` with DuckDB (``pip install duckdb``,
    part of the ``[research]`` extra's optional backend)."""
    if not isinstance(nation, Nation):
        raise ValidationError("nation", "type", "must be a Nation")
    try:
        import duckdb  # noqa: PLC0415 - optional
    except ImportError:
        raise ValidationError("duckdb", "missing", "pip install duckdb to write Parquet") from None
    out = _directory(directory)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"signals": nation.signals.columns(), "people": nation.people.columns()}
    written = []
    con = duckdb.connect()
    try:
        for name, columns in tables.items():
            con.register(name, {k: np.ascontiguousarray(v) for k, v in columns.items()})
            path = out / f"{name}.parquet"
            con.execute(f"COPY {name} TO '{path.as_posix()}' (FORMAT parquet)")
            written.append(path)
    finally:
        con.close()
    return written
