"""The planner's search options, validated: ``SolveParams``, also loadable from a TOML table.

params = SolveParams.from_file("config/planner.toml")   # or SolveParams(seconds=2, seed=1)
solve(problem, params=params)                            # keyword overrides still apply
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

STARTS = ("auto", "ortools", "greedy")


@dataclass(frozen=True)
class SolveParams:
    """How long and how to search; every field is checked when the object is made.

    - ``seconds``: wall-time budget (> 0).
    - ``seed``: random seed (>= 0) of the ruin-and-recreate and the worker seeds.
    - ``iterations``: bound the search by work instead of time (see ``solve``); None = by time.
    - ``ortools_share``: share of the budget for OR-Tools' guided local search; None = 0.1 when
      every stop is required, 0.03 otherwise.
    - ``polish_share``: last share of the budget for OR-Tools from the best plan; None = 0.1 for
      up to 200 stops when some are optional, else 0.
    - ``start``: "ortools", "greedy" (ruin-and-recreate's own construction) or "auto" (greedy
      when every stop is optional and there are more than 100).
    - ``workers``: independent searches in forked processes (>= 1), best plan kept.
    """

    seconds: float = 5.0
    seed: int = 0
    iterations: int | None = None
    ortools_share: float | None = None
    polish_share: float | None = None
    start: str = "auto"
    workers: int = 1

    def __post_init__(self):
        if not _number(self.seconds) or not math.isfinite(self.seconds) or self.seconds <= 0:
            raise ValueError(f"seconds must be a positive number, got {self.seconds!r}")
        _whole("seed", self.seed, 0)
        _whole("workers", self.workers, 1)
        if self.iterations is not None:
            _whole("iterations", self.iterations, 1)
        for name in ("ortools_share", "polish_share"):
            share = getattr(self, name)
            if share is not None and not (_number(share) and 0 <= share <= 1):
                raise ValueError(f"{name} must be between 0 and 1, got {share!r}")
        if self.start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, got {self.start!r}")

    def override(self, **options: Any) -> SolveParams:
        """A copy with ``options`` set (validated again); unknown names raise TypeError."""
        return replace(self, **options)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolveParams:
        """From a mapping such as a TOML table; unknown keys raise ValueError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown planner options {unknown}; expected some of {sorted(known)}")
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path, table: str = "planner") -> SolveParams:
        """From the ``[planner]`` table (or another ``table``) of a TOML file."""
        with Path(path).open("rb") as f:
            data = tomllib.load(f)
        if table not in data:
            raise ValueError(f"{path}: no [{table}] table")
        return cls.from_dict(data[table])


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(name: str, value: Any, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
