"""Weight Agnostic Neural Networks (Gaier & Ha, 2019): topology search with one shared weight.

Where things live:

- :mod:`~scratchnn.wann.genome`: nodes and connection genes, expression to a matrix, a plain
  reference forward pass; :mod:`~scratchnn.wann.activations`: the ten activations;
- :mod:`~scratchnn.wann.mutations`: add connection, insert node, re-enable, change activation;
- :mod:`~scratchnn.wann.nsga`: NSGA-II fronts and crowding distance;
- :mod:`~scratchnn.wann.search`: the generation loop, champion, checkpoints and resume;
  :mod:`~scratchnn.wann.config`: its hyper-parameters and the ``laptop``/``paper`` presets
  (``presets/*.yaml``);
- :mod:`~scratchnn.wann.packed`: a whole population packed into flat arrays and evaluated by
  compiled kernels; :mod:`~scratchnn.wann.tasks`: Boolean functions, ``swingup``, ``mnist256``;
- :mod:`~scratchnn.wann.swingup`: CartPoleSwingUp physics (vectorised env and compiled
  rollouts), :mod:`~scratchnn.wann.gym_env`: its Gymnasium registration;
  :mod:`~scratchnn.wann.mnist256`: 16x16 resize and deskew;
- :mod:`~scratchnn.wann.evaluate`: the paper's evaluation protocol (``wann eval``);
  :mod:`~scratchnn.wann.formats`: our JSON and the reference's champion CSV;
  :mod:`~scratchnn.wann.zoo`: the model zoo shipped in the package (``load_champion``);
  :mod:`~scratchnn.wann.run` and :mod:`~scratchnn.wann.plots`: the output folder and figures.
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
