"""Weight Agnostic Neural Networks (Gaier & Ha, 2019): topology search with one shared weight.

Where things live (each sub-package's docstring lists its modules):

- :mod:`scratchnn.wann.networks`: what a network is and how it computes:
  :mod:`~scratchnn.wann.networks.genome` (nodes and connection genes, expression to a matrix),
  :mod:`~scratchnn.wann.networks.activations` (the ten activations),
  :mod:`~scratchnn.wann.networks.packed` (a population in flat arrays, compiled forward
  kernels, the MNIST cross-entropy kernel), :mod:`~scratchnn.wann.networks.backprop` (gradients
  through a genome) and :mod:`~scratchnn.wann.networks.formats` (champion files: JSON, the
  reference's CSV and drawings, individual weights);
- :mod:`scratchnn.wann.search`: the topology search: :mod:`~scratchnn.wann.search.mutations`
  (add connection, insert node, re-enable, change activation),
  :mod:`~scratchnn.wann.search.population`, :mod:`~scratchnn.wann.search.nsga`, the generation
  loop :mod:`~scratchnn.wann.search.loop` (checkpoints, resume),
  :mod:`~scratchnn.wann.search.config` (hyper-parameters, ``presets/*.yaml``),
  :mod:`~scratchnn.wann.search.run` (the output folder) and
  :mod:`~scratchnn.wann.search.distributed` (Ray);
- :mod:`scratchnn.wann.tasks`: what networks are scored on, one module per task: ``boolean``,
  ``swingup``, ``mnist256``, ``gym`` (any Gymnasium environment), ``biped``, with ``envpool`` (the
  C++ backend) and ``base`` (the protocols); ``make_task`` builds one by name;
- :mod:`scratchnn.wann.weights`: individual weights for a found topology:
  :mod:`~scratchnn.wann.weights.pgpe` and :mod:`~scratchnn.wann.weights.cma` (CMA-ES), run on
  episodes by :mod:`~scratchnn.wann.weights.episodes`; :mod:`~scratchnn.wann.weights.gradient`
  (backprop, MNIST-256); :mod:`~scratchnn.wann.weights.baselines` (fixed topologies);
- :mod:`~scratchnn.wann.evaluate`: the paper's evaluation protocol (``wann eval``);
  :mod:`~scratchnn.wann.evaluation`: its typed result (``Evaluation``, keyed rows);
  :mod:`~scratchnn.wann.compare`: search folders ranked on common draws (``wann compare``);
- :mod:`~scratchnn.wann.zoo`: the model zoo shipped in the package (``load_champion``);
  :mod:`~scratchnn.wann.checks`: the argument checks at the library's doors, beside
  :mod:`scratchnn.validation`;
  :mod:`~scratchnn.wann.plots`: figures; :mod:`scratchnn.wann.show`: a champion as an
  interactive page (``wann show``).

The rooms build on each other in one direction: ``networks`` <- ``tasks`` <- ``search`` <- the
top-level modules (``tests/test_layout.py`` checks that no import goes round in a circle).
"""

#: the paper's shared weights: every network is scored with all its connections set to each
PAPER_WEIGHTS: tuple[float, ...] = (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)


def __getattr__(name: str) -> object:
    """``load_champion`` and ``zoo_names`` (:mod:`~scratchnn.wann.zoo`), imported on first use."""
    if name in ("load_champion", "zoo_names"):
        from . import zoo

        return getattr(zoo, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def weights_word(n: int) -> str:
    """How messages name a count of weights: "six" for the paper's six, else the digits."""
    return {len(PAPER_WEIGHTS): "six"}.get(n, str(n))
