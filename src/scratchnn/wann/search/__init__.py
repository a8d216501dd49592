"""The WANN topology search: genomes change by mutation, NSGA-II ranks them, the loop repeats.

- :mod:`~scratchnn.wann.search.loop`: the generation loop (evaluate at the shared weights, rank,
  select, breed), the champion, checkpoints and resume; its public names are re-exported here,
  so ``from scratchnn.wann.search import step`` works;
- :mod:`~scratchnn.wann.search.mutations`: add connection, insert node, re-enable, change
  activation (one genome at a time);
- :mod:`~scratchnn.wann.search.population`: the whole population in flat arrays, bred by
  compiled kernels (the default engine);
- :mod:`~scratchnn.wann.search.nsga`: NSGA-II fronts and crowding distance;
- :mod:`~scratchnn.wann.search.config`: the hyper-parameters and the ``laptop`` / ``paper``
  presets (``presets/*.yaml``);
- :mod:`~scratchnn.wann.search.run`: one search's output folder (``wann search``);
- :mod:`~scratchnn.wann.search.distributed`: evaluation spread over processes or a Ray cluster.

The genome itself (nodes, connection genes, expression) is :mod:`scratchnn.wann.networks.genome`.
"""

from __future__ import annotations

from .loop import (
    CHECKPOINT,
    CHECKPOINT_VERSION,
    ENGINES,
    OLD_CHECKPOINT,
    WEIGHTS,
    Evaluator,
    GenerationStats,
    SearchState,
    evaluate_here,
    initial_state,
    load_checkpoint,
    progress_line,
    run_search,
    save_checkpoint,
    search_with_restarts,
    seed_checkpoint,
    select,
    step,
)

__all__ = [
    "CHECKPOINT",
    "CHECKPOINT_VERSION",
    "ENGINES",
    "OLD_CHECKPOINT",
    "WEIGHTS",
    "Evaluator",
    "GenerationStats",
    "SearchState",
    "evaluate_here",
    "initial_state",
    "load_checkpoint",
    "progress_line",
    "run_search",
    "save_checkpoint",
    "search_with_restarts",
    "seed_checkpoint",
    "select",
    "step",
]
