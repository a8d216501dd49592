"""NSGA-II ranking (Deb et al., 2002): non-dominated fronts, then crowding distance.

Objectives are columns of ``F`` (n, m), all to be **maximised**. ``p`` dominates ``q`` when
``F[p] >= F[q]`` in every objective and ``>`` in at least one.

Crowding distance, per objective ``k`` over one front sorted by it (``x_(1) <= ... <= x_(n)``):
the extremes get ``inf``, every other point ``(x_(i+1) - x_(i-1)) * c_k`` with

- ``c_k = 1 / (x_(n) - x_(1))`` (``"nsga2"``, Deb et al.'s normalisation by the range), or
- ``c_k = |1 / x_(n) - x_(1)|`` (``"reference"``: what WANNRelease's ``getCrowdingDist``
  computes, the reciprocal applied to the maximum alone: an operator-precedence slip). Its weight
  then depends on the objective's values: a swingup front's mean returns (tens to hundreds) get
  a factor near ``|x_(1)|`` instead of ``1 / range``, so their gaps outweigh the
  ``1 / connections`` objective's by about four orders of magnitude more than NSGA-II's.
"""

from __future__ import annotations

import numpy as np


def nondominated_fronts(F: np.ndarray) -> list[np.ndarray]:
    """Indices of each front, best first (front 0 is the Pareto set)."""
    F = np.asarray(F, dtype=float)
    n = len(F)
    ge = (F[:, None, :] >= F[None, :, :]).all(axis=2)
    gt = (F[:, None, :] > F[None, :, :]).any(axis=2)
    dominates = ge & gt  # dominates[p, q]: p dominates q
    n_dominators = dominates.sum(axis=0)
    fronts = []
    current = np.flatnonzero(n_dominators == 0)
    assigned = np.zeros(n, bool)
    while current.size:
        fronts.append(current)
        assigned[current] = True
        n_dominators = n_dominators - dominates[current].sum(axis=0)
        current = np.flatnonzero((n_dominators == 0) & ~assigned)
    return fronts


CROWDING = ("nsga2", "reference")


def crowding_distance(F: np.ndarray, crowding: str = "nsga2") -> np.ndarray:
    """Crowding distance of each point of one front: per objective, the scaled gap between
    its two neighbours in sorted order, summed; the extremes of each objective get ``inf``
    (the scale ``c_k`` of ``crowding``: module docstring)."""
    if crowding not in CROWDING:
        raise ValueError(f"crowding must be one of {CROWDING}, got {crowding!r}")
    F = np.asarray(F, dtype=float)
    n, m = F.shape
    d = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for k in range(m):
        order = np.argsort(F[:, k], kind="stable")
        span = F[order[-1], k] - F[order[0], k]
        d[order[0]] = d[order[-1]] = np.inf
        if span > 0:
            gap = F[order[2:], k] - F[order[:-2], k]
            if crowding == "nsga2":
                d[order[1:-1]] += gap / span
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    d[order[1:-1]] += gap * abs(1.0 / F[order[-1], k] - F[order[0], k])
    return d


def nsga_rank(F: np.ndarray, crowding: str = "nsga2") -> np.ndarray:
    """All indices, best first: by front, then by crowding distance (larger first)."""
    ranked = []
    for front in nondominated_fronts(F):
        cd = crowding_distance(np.asarray(F, dtype=float)[front], crowding)
        ranked.extend(front[np.argsort(-cd, kind="stable")])
    return np.array(ranked, dtype=int)
