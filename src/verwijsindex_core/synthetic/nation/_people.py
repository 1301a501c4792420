"""The young people of a nation as columns, computed when first asked for: the generator knows
how many there are at once, but draws their columns (every person and family, about five
times as many rows as a national year has signals) only when a column is read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.errors import ValidationError

__all__ = ["People"]  # (PEOPLE_COLUMNS: for the NPZ reader and writer)


@dataclass(frozen=True, eq=False)
class _Columns:
    key: npt.NDArray[np.int64]
    born: npt.NDArray[np.int32]
    family: npt.NDArray[np.int64]
    municipality: npt.NDArray[np.int16]
    move_day: npt.NDArray[np.int32]
    move_to: npt.NDArray[np.int16]
    parents: npt.NDArray[np.int64]


PEOPLE_COLUMNS: Final = tuple(f.name for f in fields(_Columns))
"""The columns of :class:`People` (``parents`` an ``(n, 2)`` array)."""


class People:
    """The young people of the nation (one row each): key, date of birth (ordinal), family,
    municipality on the start date, the day of the family's move (0: none) and where to, and
    the parents' keys (``(n, 2)``, -1 for none).

    Built from columns, or (:meth:`on_demand`) from a count and a function that computes the
    columns the first time one is read; ``len`` never computes them."""

    __slots__ = ("_columns", "_count", "_make")

    def __init__(  # noqa: PLR0917 - the dataclass's constructor, positional as it was
        self,
        key: npt.NDArray[np.int64],
        born: npt.NDArray[np.int32],
        family: npt.NDArray[np.int64],
        municipality: npt.NDArray[np.int16],
        move_day: npt.NDArray[np.int32],
        move_to: npt.NDArray[np.int16],
        parents: npt.NDArray[np.int64],
    ) -> None:
        self._columns: _Columns | None = _Columns(
            key, born, family, municipality, move_day, move_to, parents
        )
        self._count = len(key)
        self._make: Callable[[], People] | None = None

    @classmethod
    def on_demand(cls, count: int, make: Callable[[], People]) -> People:
        """``count`` people whose columns ``make`` computes when one is first read."""
        people = cls.__new__(cls)
        people._columns, people._count, people._make = None, count, make
        return people

    @staticmethod
    def concat(parts: list[People]) -> People:
        """Row-wise concatenation (computes the parts not yet computed, without keeping
        their columns: the result holds the only copy)."""
        if not parts:
            raise ValidationError("parts", "empty", "needs at least one People")
        columns = [p._peek() for p in parts]
        return People(
            **{name: np.concatenate([getattr(c, name) for c in columns]) for name in PEOPLE_COLUMNS}
        )

    @property
    def computed(self) -> bool:
        """Whether the columns are in memory (reading one computes them)."""
        return self._columns is not None

    def columns(self) -> dict[str, npt.NDArray[np.generic]]:
        """The columns by name, ``parents`` as ``parent_0`` and ``parent_1`` (as written)."""
        data = self._data()
        out: dict[str, npt.NDArray[np.generic]] = {
            name: getattr(data, name) for name in PEOPLE_COLUMNS if name != "parents"
        }
        for c in range(data.parents.shape[1]):
            out[f"parent_{c}"] = data.parents[:, c]
        return out

    def _peek(self) -> _Columns:
        """The columns, computed (and not kept) if they were not yet."""
        if self._columns is not None:
            return self._columns
        assert self._make is not None
        return self._make()._data()

    def _data(self) -> _Columns:
        """The columns (computed now if they were not yet)."""
        if self._columns is None:
            assert self._make is not None
            made = self._make()._data()
            if len(made.key) != self._count:
                raise ValidationError("people", "count", "the computed columns differ in length")
            self._columns, self._make = made, None
        return self._columns

    @property
    def key(self) -> npt.NDArray[np.int64]:
        return self._data().key

    @property
    def born(self) -> npt.NDArray[np.int32]:
        return self._data().born

    @property
    def family(self) -> npt.NDArray[np.int64]:
        return self._data().family

    @property
    def municipality(self) -> npt.NDArray[np.int16]:
        return self._data().municipality

    @property
    def move_day(self) -> npt.NDArray[np.int32]:
        return self._data().move_day

    @property
    def move_to(self) -> npt.NDArray[np.int16]:
        return self._data().move_to

    @property
    def parents(self) -> npt.NDArray[np.int64]:
        return self._data().parents

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        return f"People({len(self):,})"
