"""Weight Agnostic Neural Networks (Gaier & Ha, 2019): topology search with one shared weight.

In progress (issue 8). Here so far: the genome and its expression to a matrix
(:mod:`~scratchnn.wann.genome`), the ten activations (:mod:`~scratchnn.wann.activations`), the
four mutations (:mod:`~scratchnn.wann.mutations`) and NSGA-II ranking
(:mod:`~scratchnn.wann.nsga`). The search loop, the tasks and the CLI are not built yet.
"""
