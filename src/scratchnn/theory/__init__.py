"""The writeup's theory, executable: softmax Jacobian, perceptron gates, XOR impossibility."""

from .boolean import (
    TABLES,
    all_separability,
    perceptron,
    perceptron_learn,
    separability,
    train_xor,
    xor_hand_set,
)
from .checks import Check, run_checks
from .jacobian import (
    cross_entropy_grad_fused,
    cross_entropy_grad_via_jacobian,
    finite_difference_jacobian,
    softmax_jacobian,
)

__all__ = [
    "TABLES",
    "Check",
    "all_separability",
    "cross_entropy_grad_fused",
    "cross_entropy_grad_via_jacobian",
    "finite_difference_jacobian",
    "perceptron",
    "perceptron_learn",
    "run_checks",
    "separability",
    "softmax_jacobian",
    "train_xor",
    "xor_hand_set",
]
