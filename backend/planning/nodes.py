"""Node numbering and speed groups, shared by the OR-Tools model and the ruin-and-recreate.

Node ``k < n_stops`` is stop ``k``; rep ``v`` starts at node ``n_stops + 2v`` and ends at
``n_stops + 2v + 1``. Reps with the same travel speed share one duration table: a *speed group*,
numbered in the order of each group's first rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Problem
from .travel import Tables


@dataclass(frozen=True)
class Nodes:
    n_stops: int
    n_reps: int
    location: np.ndarray  # location index of each node
    group_of: tuple[int, ...]  # speed group of each rep
    groups: tuple[tuple[int, ...], ...]  # the reps of each speed group

    def start(self, rep: int) -> int:
        return self.n_stops + 2 * rep

    def end(self, rep: int) -> int:
        return self.n_stops + 2 * rep + 1

    @property
    def grid(self):
        """Index of the node x node block in a location x location table."""
        return np.ix_(self.location, self.location)

    def durations(self, tables: Tables, group: int) -> np.ndarray:
        """The location x location duration table of a speed group."""
        return tables.durations[self.groups[group][0]]

    def costs(self, problem: Problem, tables: Tables, group: int) -> np.ndarray:
        """What travel costs for a speed group: distance or duration, as the objective says."""
        return tables.distance if problem.objective == "distance" else self.durations(tables, group)


def node_index(problem: Problem, tables: Tables) -> Nodes:
    loc = problem.location_index
    reps = problem.reps
    location = [loc[s.location] for s in problem.stops]
    location += [loc[x] for r in reps for x in (r.start, r.end)]
    by_table: dict[int, list[int]] = {}
    for v in range(len(reps)):
        by_table.setdefault(id(tables.durations[v]), []).append(v)
    groups = tuple(tuple(vs) for vs in by_table.values())
    group_of = [0] * len(reps)
    for g, members in enumerate(groups):
        for v in members:
            group_of[v] = g
    return Nodes(
        len(problem.stops), len(reps), np.array(location, dtype=np.int64), tuple(group_of), groups
    )
