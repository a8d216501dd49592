"""NSGA-II ranking (Deb et al., 2002): non-dominated fronts, then crowding distance.

Objectives are columns of ``F`` (n, m), all to be **maximised**. ``p`` dominates ``q`` when
``F[p] >= F[q]`` in every objective and ``>`` in at least one.
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


def crowding_distance(F: np.ndarray) -> np.ndarray:
    """Crowding distance of each point of one front: per objective, the normalised gap between
    its two neighbours in sorted order, summed; the extremes of each objective get ``inf``."""
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
            d[order[1:-1]] += (F[order[2:], k] - F[order[:-2], k]) / span
    return d


def nsga_rank(F: np.ndarray) -> np.ndarray:
    """All indices, best first: by front, then by crowding distance (larger first)."""
    ranked = []
    for front in nondominated_fronts(F):
        cd = crowding_distance(np.asarray(F, dtype=float)[front])
        ranked.extend(front[np.argsort(-cd, kind="stable")])
    return np.array(ranked, dtype=int)
