"""The writeup's theory: softmax Jacobian, perceptron gates, XOR and the 16 Boolean functions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scratchnn.cli import main
from scratchnn.theory import (
    TABLES,
    all_separability,
    cross_entropy_grad_fused,
    cross_entropy_grad_via_jacobian,
    finite_difference_jacobian,
    perceptron,
    perceptron_learn,
    run_checks,
    separability,
    softmax_jacobian,
    train_xor,
    xor_hand_set,
)
from scratchnn.theory.boolean import INPUTS, constraints

vectors = arrays(np.float64, st.integers(2, 8), elements=st.floats(-30, 30))


def test_jacobian_formula_entries():
    z = np.array([0.5, -1.0, 2.0])
    s = np.exp(z) / np.exp(z).sum()
    J = softmax_jacobian(z)
    for i in range(3):
        for j in range(3):
            expected = s[i] * (1 - s[i]) if i == j else -s[i] * s[j]
            assert J[i, j] == pytest.approx(expected, rel=1e-12)


@given(vectors)
def test_jacobian_matches_central_differences(z):
    assert np.allclose(softmax_jacobian(z), finite_difference_jacobian(z), atol=1e-7)


@given(vectors, st.floats(-1e3, 1e3))
def test_jacobian_properties(z, shift):
    J = softmax_jacobian(z)
    assert np.allclose(J, J.T, atol=1e-15)
    assert np.allclose(J.sum(axis=1), 0, atol=1e-12)
    assert np.allclose(softmax_jacobian(z + shift), J, atol=1e-9)


@given(vectors, st.data())
def test_chain_rule_equals_fused_gradient(z, data):
    y = data.draw(st.integers(0, len(z) - 1))
    s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    if s[y] < 1e-200:  # dL/ds = -1/s_y overflows; the fused form is the stable one
        return
    assert np.allclose(
        cross_entropy_grad_via_jacobian(z, y), cross_entropy_grad_fused(z, y), atol=1e-9
    )


def test_jacobian_is_stable_for_large_inputs_and_batched():
    J = softmax_jacobian(np.array([1000.0, 0.0, -1000.0]))
    assert np.all(np.isfinite(J)) and np.allclose(J, 0)
    Z = np.random.default_rng(0).standard_normal((5, 4))
    Jb = softmax_jacobian(Z)
    assert Jb.shape == (5, 4, 4)
    assert np.allclose(Jb[3], softmax_jacobian(Z[3]))


def test_writeup_gates():
    assert perceptron(np.array([1.0, 1.0]), -2.0, INPUTS).tolist() == [0, 0, 0, 1]
    assert perceptron(np.array([2.0, 2.0]), -1.0, INPUTS).tolist() == [0, 1, 1, 1]


@pytest.mark.parametrize("name", ["AND", "OR", "NAND", "NOR"])
def test_perceptron_rule_learns_gates_from_zero(name):
    w, b, updates = perceptron_learn(TABLES[name])
    assert perceptron(w, b, INPUTS).tolist() == TABLES[name].tolist()
    assert updates > 0


def test_perceptron_rule_fails_on_xor():
    assert perceptron_learn(TABLES["XOR"], max_epochs=200) is None


def test_sixteen_functions_fourteen_separable():
    table = all_separability()
    assert len(table) == 16 and len({tuple(f.targets) for f in table}) == 16
    assert sorted(f.name for f in table if not f.separable) == ["XNOR", "XOR"]
    for f in table:
        if f.separable:
            w1, w2, b = f.solution
            assert perceptron(np.array([w1, w2]), b, INPUTS).tolist() == f.targets.tolist()


@pytest.mark.parametrize("name", ["XOR", "XNOR"])
def test_farkas_certificate_proves_infeasibility(name):
    f = separability(name, TABLES[name])
    A, c = constraints(f.targets)
    y = f.certificate
    assert np.all(y >= 0)
    assert np.allclose(y @ A, 0)  # the inequalities add up to 0 <= y.c ...
    assert y @ c < 0  # ... which is false
    assert np.allclose(y, 1)  # the writeup's proof: all four rows with weight 1
    assert "0 <= -2" in f.explain()


def test_xor_by_two_layers():
    assert xor_hand_set(INPUTS).tolist() == [0, 1, 1, 0]
    ok, model = train_xor(seed=0)
    assert ok and model.log_probs(INPUTS).argmax(axis=1).tolist() == [0, 1, 1, 0]


def test_every_check_passes_and_cli_lists_sixteen(capsys, tmp_path):
    assert all(c.passed for c in run_checks())
    assert main(["theory", "--figure", str(tmp_path / "g.png")]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if "separable" in ln and ln.startswith("[PASS]")]
    assert sum("NOT linearly separable" in ln for ln in lines) == 2
    assert "[PASS] AND is linearly separable (outputs 0001 on 00 01 10 11)" in out
    assert len([ln for ln in lines if ":" in ln and "of 16" not in ln]) == 16
    assert (tmp_path / "g.png").stat().st_size > 5000


@settings(max_examples=25)
@given(st.lists(st.integers(0, 1), min_size=4, max_size=4))
def test_lp_and_perceptron_rule_agree(targets):
    t = np.array(targets)
    sep = separability("f", t).separable
    learned = perceptron_learn(t, max_epochs=200)
    assert sep == (learned is not None)
