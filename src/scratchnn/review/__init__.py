"""The writeup's paper review, executable: its five claims about Weight Agnostic Neural Networks
(Gaier & Ha, 2019), each tested by an experiment on the zoo champions and judged by a stated
rule.

One module per claim (``run(scale, seed)`` -> evidence and verdict, ``evidence_line``):

1. :mod:`.baselines`: champions against fixed-topology baselines under random shared weights;
2. :mod:`.robustness`: the score across the shared weight's magnitude and ways of setting
   weights;
3. :mod:`.tuning`: the cost of tuning one weight against training every weight;
4. :mod:`.images`: matched-size MLP and CNN on MNIST-256, and a permutation test for locality;
5. :mod:`.start`: training from the WANN's shared weight against a dense network from random
   weights.

:mod:`.verdict` holds the rules (pure functions from numbers to supported / not supported /
mixed), :mod:`.common` the scales and shared helpers, :mod:`.run` the driver and the printed
lines, :mod:`.report` the section of ``make reproduce``'s report.
"""

from .common import SCALES, Scale, scale_named
from .run import CLAIMS, claim_lines, run_review, write_figures
from .verdict import MIXED, NOT_SUPPORTED, SUPPORTED, VERDICTS

__all__ = [
    "CLAIMS",
    "MIXED",
    "NOT_SUPPORTED",
    "SCALES",
    "SUPPORTED",
    "VERDICTS",
    "Scale",
    "claim_lines",
    "run_review",
    "scale_named",
    "write_figures",
]
