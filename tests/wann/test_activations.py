"""The ten WANN activations."""

import numpy as np
import pytest

from scratchnn.wann.networks.activations import ACTIVATIONS_BY_ID, apply


def test_the_ten_activations():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    expected = {
        1: x,
        2: np.array([0, 0, 1, 1.0]),
        3: np.sin(np.pi * x),
        4: np.exp(-x * x / 2),
        5: np.tanh(x),
        6: 1 / (1 + np.exp(-x)),
        7: -x,
        8: np.abs(x),
        9: np.array([0, 0, 0.5, 2.0]),
        10: np.cos(np.pi * x),
    }
    assert set(ACTIVATIONS_BY_ID) == set(range(1, 11))
    for k, v in expected.items():
        assert np.allclose(apply(k, x), v), ACTIVATIONS_BY_ID[k].name
    with pytest.raises(ValueError, match="unknown activation id 11"):
        apply(11, x)


@pytest.mark.parametrize("act_id", range(1, 11))
def test_the_compiled_twin_gives_the_numpy_values(act_id):
    from scratchnn.wann.networks.activations import activate

    rng = np.random.default_rng(act_id)
    special = [0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 1.0, -1.0, 2.0, 1e6, -1e6, np.inf, -np.inf]
    x = np.concatenate([special, rng.normal(scale=3.0, size=500)])
    with np.errstate(all="ignore"):
        numpy_values = apply(act_id, x)
        compiled = np.array([activate(act_id, float(v)) for v in x])
    # the compiled twin's exp/tanh are within 3 ulp of the C library's (rtol 1e-15); its
    # sin(pi x) and cos(pi x) reduce the argument exactly, where NumPy's rounds pi * x first:
    # NumPy's error grows with |x| (|x| * 2^-53 * pi), so the tolerance does too
    atol = 1e-15 + 4e-16 * np.abs(np.nan_to_num(x, posinf=0.0, neginf=0.0))
    with np.errstate(invalid="ignore"):  # inf - inf
        close = np.isclose(compiled, numpy_values, rtol=1e-15, atol=0.0) | (
            np.abs(compiled - numpy_values) <= atol
        )
    same_nan = np.isnan(compiled) == np.isnan(numpy_values)
    assert np.all(same_nan) and np.all(close | np.isnan(compiled)), x[~(close | np.isnan(compiled))]
    nan = activate(act_id, float("nan"))
    assert (act_id == 2 and nan == 0.0) or np.isnan(nan)  # step: NaN > 0 is false
    with np.errstate(all="ignore"):
        assert np.array_equal(apply(act_id, np.array([np.nan])), [nan], equal_nan=True)


ADDED_ACTIVATION = """
import numba
import numpy as np
from scratchnn.wann.networks import activations as A


@numba.njit(inline="always")
def square(x):
    return x * x


@numba.njit(inline="always")
def d_square(x, v):
    return 2.0 * x


A.register(A.Activation(11, "square", "x^2", lambda x: x * x, square, d_square, A.EVEN))

from scratchnn.wann.networks.genome import express, forward, initial_genome  # noqa: E402
from scratchnn.wann.networks.packed import (  # noqa: E402
    forward_shared, pack_networks, shared_weight_cross_entropy,
)
from scratchnn.wann.search.mutations import mutate  # noqa: E402
from scratchnn.wann.search.population import Population, pack_population  # noqa: E402

rng = np.random.default_rng(0)
genomes = []
for _ in range(12):
    g = initial_genome(4, 3, 0.5, rng)
    for _ in range(30):
        g, _ = mutate(g, rng.random(3), (11, 5, 6, 1))
    genomes.append(g)
assert 11 in A.ALL_IDS and sum(n.act == 11 for g in genomes for n in g.hidden) > 10
nets = [express(g) for g in genomes]
packed = pack_networks(nets)
pop = pack_population(Population.from_genomes(genomes))  # the genome checks know id 11
assert all(np.array_equal(getattr(pop, f), getattr(packed, f)) for f in ("act", "edge_src"))
W = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
X, y = rng.normal(size=(64, 4)), rng.integers(0, 3, 64)
out = forward_shared(packed, X, W)
ce = shared_weight_cross_entropy(packed, W, X, y)
for k, e in enumerate(nets):
    for i, w in enumerate(W):
        z = forward(e, X, w)
        assert np.allclose(out[k, i], z, rtol=1e-12, atol=1e-12, equal_nan=True)
        lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
        assert np.isclose(ce[k, i], (lse - z[np.arange(64), y]).mean(), rtol=1e-10)
print(A.apply(11, np.array([3.0]))[0], A.activate(11, 3.0), A.derivative(11, 3.0, 9.0))
"""


def test_an_activation_added_to_the_table_works_in_the_reference_and_the_kernels(tmp_path):
    """One entry added (through :func:`register`, in a fresh process with its own Numba cache,
    so that the kernels compile against the extended table) reaches the reference forward pass,
    the genome checks, the mutations and the packed kernels (the forward pass and the
    shared-weight cross-entropy, whose parity shortcut uses the entry's symmetry)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    script = tmp_path / "added_activation.py"
    script.write_text(ADDED_ACTIVATION)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"), NUMBA_NUM_THREADS="1")
    env["PYTHONPATH"] = str(repo / "src")
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["9.0", "9.0", "6.0"]


def test_the_table_drives_the_compiled_dispatch():
    from scratchnn.wann.networks import activations as table

    assert tuple(table.ACTIVATIONS_BY_ID) == table.ALL_IDS and table.STEP not in table.NO_STEP
    assert np.isnan(table.activate(99, 1.0)) and np.isnan(table.derivative(99, 1.0, 1.0))
    for a in table.ACTIVATIONS_BY_ID.values():
        x = np.array([-1.25, -0.5, 0.0, 0.75, 2.0])
        assert table.parity(a.id) == a.parity and table.has_pair(a.id) == (a.pair is not None)
        if a.parity != table.NO_PARITY:  # the symmetry the parity shortcut relies on, exactly
            sign = 1.0 if a.parity == table.EVEN else -1.0
            f = [table.activate(a.id, v) for v in x]
            assert [table.activate(a.id, -v) for v in x] == [sign * v for v in f], a.name
        row = x.copy()
        table.activate_row(a.id, 1.5, row, len(row))
        assert np.array_equal(row, [table.activate(a.id, 1.5 * v) for v in x]), a.name
        if a.pair is not None:
            row, twin = x.copy(), np.empty(len(x))
            table.pair_row(a.id, 1.5, row, twin, len(x))
            assert np.array_equal(twin, [table.activate(a.id, -1.5 * v) for v in x]), a.name
    with pytest.raises(ValueError, match="taken"):
        table.register(table.ACTIVATIONS_BY_ID[1])
