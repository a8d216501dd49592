"""The training loop (scratchnn.training): its semantics against a plain re-implementation of the
reference, schedules, early stopping, the two step paths, input scaling.
"""

import ast
import itertools
import subprocess
import sys

import numpy as np
import pytest

from scratchnn.data import Split, Splits, scale_pixels
from scratchnn.errors import ConfigError, DataError
from scratchnn.models import SoftmaxRegression, TwoLayerNet
from scratchnn.optim import SGD, Adam, Schedule
from scratchnn.training import batch_slices, evaluate, fit, predict


def _reference_run(model, data, lr, reg, epochs, batch_size, seed):
    """The assignment's loop written out plainly, batch by batch."""
    rng = np.random.default_rng(seed)
    history = []
    best, best_params = -1.0, None
    n = len(data.train)
    for _ in range(epochs):
        order = rng.permutation(n)
        losses, correct = [], 0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            X, y = scale_pixels(data.train.X[idx]), data.train.y[idx]
            out = model.loss_grad(X, y)
            losses.append(out.loss)
            correct += np.sum(np.argmax(out.probs, axis=1) == y)  # before the update
            for k, g in out.grads.items():
                if k in model.weight_names:
                    g = g + reg * model.params[k]
                model.params[k] = model.params[k] - lr * g
        vl, vc = [], 0
        for start in range(0, len(data.val), batch_size):
            X = scale_pixels(data.val.X[start : start + batch_size])
            y = data.val.y[start : start + batch_size]
            out = model.loss_grad(X, y)
            vl.append(out.loss)
            vc += np.sum(np.argmax(out.probs, axis=1) == y)
        val_acc = vc / len(data.val)
        history.append((np.mean(losses), correct / n, np.mean(vl), val_acc))
        if val_acc > best:
            best, best_params = val_acc, {k: v.copy() for k, v in model.params.items()}
    return history, best_params


@pytest.mark.parametrize("cls", [TwoLayerNet, SoftmaxRegression])
@pytest.mark.parametrize("batch_size", [16, 37])  # 37: the last batch is smaller
def test_history_matches_the_plain_reference_loop(tiny_splits, cls, batch_size):
    def make():
        if cls is TwoLayerNet:
            return TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
        return SoftmaxRegression(input_size=12, num_classes=3)

    ref_hist, ref_best = _reference_run(make(), tiny_splits, 0.5, 0.01, 4, batch_size, seed=5)
    result = fit(make(), tiny_splits, SGD(0.5, 0.01), epochs=4, batch_size=batch_size, seed=5)
    assert result.status == "ok" and len(result.history) == 4
    for rec, (tl, ta, vl, va) in zip(result.history, ref_hist, strict=True):
        assert rec.train_loss == pytest.approx(tl, rel=1e-12)
        assert rec.train_acc == ta
        assert rec.val_loss == pytest.approx(vl, rel=1e-12)
        assert rec.val_acc == va
    for k in ref_best:
        assert np.allclose(result.best_params[k], ref_best[k], rtol=1e-12, atol=1e-15)


def test_same_seed_same_history_bit_for_bit(tiny_splits):
    def run(seed):
        m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
        return fit(m, tiny_splits, SGD(0.5, 0.001), epochs=3, batch_size=16, seed=seed)

    a, b, c = run(1), run(1), run(2)
    assert a.history_rows() != [] and [
        {k: v for k, v in r.items() if "seconds" not in k} for r in a.history_rows()
    ] == [{k: v for k, v in r.items() if "seconds" not in k} for r in b.history_rows()]
    assert a.test_acc == b.test_acc
    assert [r.train_loss for r in a.history] != [r.train_loss for r in c.history]


def test_best_model_is_strictly_best_validation_epoch(tiny_splits, monkeypatch):
    import scratchnn.training as tr

    accs = iter([0.5, 0.7, 0.7, 0.6])  # tie at epoch 3 must not replace epoch 2

    def fake_eval(model, split, batch_size):
        if split is tiny_splits.test:
            return 0.1, float(model.params["b2"][0])  # identify the model used for test
        return 0.3, next(accs)

    monkeypatch.setattr(tr, "evaluate_checked", fake_eval)
    m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
    snapshots = []

    def on_epoch(rec):
        snapshots.append(float(m.params["b2"][0]))

    res = fit(m, tiny_splits, SGD(0.5), epochs=4, batch_size=16, on_epoch=on_epoch)
    assert res.best_epoch == 2
    assert res.metrics()["val_acc_best"] == 0.7 and res.metrics()["val_acc_last"] == 0.6
    assert res.test_acc == snapshots[1]  # test accuracy is the epoch-2 model's


def test_divergence_stops_at_once_with_epoch_and_batch(tiny_splits):
    m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
    m.params["W2"][0, 0] = np.inf
    res = fit(m, tiny_splits, SGD(0.1), epochs=3, batch_size=16)
    assert res.status == "diverged"
    assert "epoch 1, batch 1 of 15" in res.message
    assert res.history == [] and res.test_acc is None


def test_huge_learning_rate_diverges(tiny_splits):
    m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
    res = fit(m, tiny_splits, SGD(1e300, reg=0.01), epochs=5, batch_size=16)
    assert res.status == "diverged" and "loss became" in res.message
    assert res.metrics()["status"] == "diverged"


def test_evaluate_groups_samples_into_training_sized_batches(tiny_splits):
    m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
    rng = np.random.default_rng(0)
    for v in m.params.values():
        v[...] = rng.standard_normal(v.shape)
    split = tiny_splits.val  # 60 rows, batch 25 -> 25, 25, 10
    loss, acc = evaluate(m, split, 25)
    per_batch = [
        m.loss_grad(scale_pixels(split.X[s]), split.y[s]).loss for s in batch_slices(60, 25)
    ]
    assert loss == pytest.approx(np.mean(per_batch), rel=1e-12)
    preds = m.log_probs(scale_pixels(split.X)).argmax(axis=1)
    assert acc == np.mean(preds == split.y)


def test_learns_the_synthetic_problem(tiny_splits):
    m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
    res = fit(m, tiny_splits, SGD(1.0, 1e-4), epochs=30, batch_size=16)
    assert res.test_acc > 0.9


def _fused_data(n=200, seed=0):
    """uint8 MNIST-like images (784 pixels, 10 classes) for the fused path."""
    rng = np.random.default_rng(seed)

    def split(m):
        X = rng.integers(0, 256, (m, 784), dtype=np.uint8)
        X[:, 600:] = 0
        return Split(X, rng.integers(0, 10, m).astype(np.uint8))

    return Splits(split(n), split(n // 2), split(n // 2))


def test_fit_takes_the_fused_path_for_the_reference_setup_only():
    from scratchnn.kernels import FusedTwoLayerSGD
    from scratchnn.optim import Schedule

    data = _fused_data()
    ref = TwoLayerNet(784, 16, 10)
    assert FusedTwoLayerSGD.applies(ref, SGD(0.1), Schedule(), data.train.X)
    assert fit(ref, data, SGD(0.1), epochs=1, batch_size=32).path == "fused"
    assert (
        fit(
            TwoLayerNet(784, 16, 10, dtype=np.float32), data, SGD(0.1), epochs=1, batch_size=32
        ).path
        == "fused"
    )
    others = [
        (SoftmaxRegression(784, 10), SGD(0.1), None, "not a TwoLayerNet"),
        (TwoLayerNet(784, 16, 10, activation="relu"), SGD(0.1), None, "'relu'"),
        (TwoLayerNet(784, 16, 10, dropout=0.2), SGD(0.1), None, "dropout 0.2"),
        (TwoLayerNet(784, 16, 10), SGD(0.1, momentum=0.9), None, "momentum 0.9"),
        (TwoLayerNet(784, 16, 10), Adam(0.01), None, "Adam, not SGD"),
        (TwoLayerNet(784, 16, 10), SGD(0.1), Schedule("cosine"), "schedule is not constant"),
    ]
    for model, opt, schedule, reason in others:
        why = FusedTwoLayerSGD.why_not(model, opt, schedule, data.train.X)
        assert why is not None and reason in why
        res = fit(model, data, opt, epochs=1, batch_size=32, schedule=schedule)
        assert res.path == "reference" and res.metrics()["path"] == "reference"
        with pytest.raises(ConfigError, match="path='fused' does not apply: .*" + reason[-8:]):
            fit(model, data, opt, epochs=1, batch_size=32, schedule=schedule, path="fused")
    floats = Splits(*(Split(s.X / 255.0, s.y) for s in (data.train, data.val, data.test)))
    assert "float64, not uint8" in FusedTwoLayerSGD.why_not(ref, SGD(0.1), None, floats.train.X)
    assert fit(TwoLayerNet(784, 16, 10), floats, SGD(0.1), epochs=1, batch_size=32).path == (
        "reference"
    )
    with pytest.raises(ConfigError, match="path must be one of 'auto'"):
        fit(ref, data, SGD(0.1), epochs=1, batch_size=32, path="fast")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_and_reference_paths_give_the_same_metrics(dtype):
    data = _fused_data(n=300)
    runs = {
        path: fit(
            TwoLayerNet(784, 16, 10, dtype=dtype, init_scale=0.1),
            data,
            SGD(0.5, 1e-3),
            epochs=3,
            batch_size=32,
            seed=2,
            path=path,
        )
        for path in ("fused", "reference")
    }
    a, b = runs["fused"], runs["reference"]
    assert (a.path, b.path) == ("fused", "reference")
    rel = 1e-9 if dtype == np.float64 else 1e-4
    for ra, rb in zip(a.history, b.history, strict=True):
        assert ra.train_loss == pytest.approx(rb.train_loss, rel=rel)
        assert ra.val_loss == pytest.approx(rb.val_loss, rel=rel)
        if dtype == np.float64:
            assert (ra.train_acc, ra.val_acc) == (rb.train_acc, rb.val_acc)
    assert a.best_epoch == b.best_epoch and a.test_loss == pytest.approx(b.test_loss, rel=rel)
    for k in a.best_params:
        assert np.allclose(a.best_params[k], b.best_params[k], rtol=rel, atol=1e-7), k


def test_fused_fit_leaves_the_callers_arrays_in_place_and_trained():
    """The fused kernel trains private copies; after fit the model's own arrays (same objects,
    same memory order) hold the trained parameters, equal to what the reference path gives."""
    data = _fused_data()
    m = TwoLayerNet(784, 16, 10, init_scale=0.1)
    arrays = dict(m.params)
    res = fit(m, data, SGD(0.5, 1e-3), epochs=2, batch_size=32, seed=1)
    assert res.path == "fused"
    for k, v in m.params.items():
        assert v is arrays[k] and v.flags.c_contiguous, k
    ref = TwoLayerNet(784, 16, 10, init_scale=0.1)
    fit(ref, data, SGD(0.5, 1e-3), epochs=2, batch_size=32, seed=1, path="reference")
    for k in m.params:
        assert np.allclose(m.params[k], ref.params[k], rtol=1e-9, atol=1e-12), k
    # and the model is usable as it is: its predictions are the reference model's
    assert np.array_equal(predict(m, data.test.X), predict(ref, data.test.X))


def test_float_features_are_used_as_given_and_other_dtypes_refused(tiny_splits):
    """uint8 pixels are scaled by 1/255; float features in [0, 1] are not scaled again."""
    scaled = Splits(
        *(Split(s.X / 255.0, s.y) for s in (tiny_splits.train, tiny_splits.val, tiny_splits.test))
    )

    def run(data):
        m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
        return fit(m, data, SGD(0.5, 0.01), epochs=3, batch_size=16, seed=5)

    a, b = run(tiny_splits), run(scaled)
    for ra, rb in zip(a.history, b.history, strict=True):
        assert ra.train_loss == pytest.approx(rb.train_loss, rel=1e-12)
        assert ra.val_acc == rb.val_acc
    assert b.test_acc == a.test_acc
    ints = Splits(
        Split(tiny_splits.train.X.astype(np.int64), tiny_splits.train.y),
        tiny_splits.val,
        tiny_splits.test,
    )
    with pytest.raises(DataError, match=r"data.train.X has dtype int64: give uint8 pixels"):
        run(ints)
    m = TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)
    assert np.array_equal(predict(m, scaled.test.X), predict(m, tiny_splits.test.X))
    with pytest.raises(DataError, match="dtype bool"):
        predict(m, tiny_splits.test.X > 100)


def test_fit_applies_the_schedule_per_step(tiny_splits, monkeypatch):
    seen = []
    opt = SGD(0.4)
    real = opt.step

    def spy(params, grads, names):
        seen.append(opt.learning_rate)
        real(params, grads, names)

    monkeypatch.setattr(opt, "step", spy)
    m = TwoLayerNet(12, 8, 3)
    fit(m, tiny_splits, opt, epochs=2, batch_size=60, schedule=Schedule("cosine"))
    assert seen[0] == pytest.approx(0.4) and seen[-1] < 0.4 * 0.2
    assert all(a >= b for a, b in itertools.pairwise(seen))
    assert opt.learning_rate == 0.4  # restored


def test_early_stopping(tiny_splits, monkeypatch):
    import scratchnn.training as tr

    accs = iter([0.5, 0.6, 0.6, 0.55, 0.7, 0.8])

    def fake_eval(model, split, batch_size):
        return 0.3, next(accs)

    monkeypatch.setattr(tr, "evaluate_checked", fake_eval)
    res = fit(
        TwoLayerNet(12, 8, 3),
        Splits(tiny_splits.train, tiny_splits.val, None),
        SGD(0.1),
        epochs=6,
        batch_size=16,
        patience=2,
    )
    assert len(res.history) == 4 and res.best_epoch == 2
    assert "early stop after epoch 4" in res.message
    assert res.test_acc is None  # test=None: the test set is never touched


def test_blas_is_single_threaded_inside_fit_even_when_scipy_loads_late():
    """SciPy (the fused kernel's BLAS) is imported inside fit, after the one-thread limit was
    set: it must be pinned too. In a fresh process, so that nothing has loaded SciPy before."""
    code = """
import sys, numpy as np
from threadpoolctl import threadpool_info
from scratchnn import SGD, TwoLayerNet, fit
from scratchnn.data import Split, Splits
assert "scipy" not in sys.modules
rng = np.random.default_rng(0)
X = rng.integers(0, 256, (64, 784), dtype=np.uint8)
s = Split(X, rng.integers(0, 10, 64).astype(np.uint8))
seen = []
on_epoch = lambda r: seen.extend(
    (i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas")
res = fit(TwoLayerNet(784, 8, 10), Splits(s, s, s), SGD(0.1), epochs=1, batch_size=32,
          on_epoch=on_epoch)
assert res.path == "fused" and "scipy" in sys.modules
print(sorted(set(seen)))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    pools = ast.literal_eval(out.strip())
    assert any("scipy" in path for path, _ in pools), pools
    assert all(n == 1 for _, n in pools), pools


@pytest.mark.parametrize("path", ["fused", "reference"])
def test_fit_without_a_validation_split(tiny_splits, path):
    """data.val None: no validation pass, NaN val metrics, the last epoch is the best; the
    training itself is the same as with a validation split."""
    no_val = Splits(tiny_splits.train, None, tiny_splits.test)
    a, b = TwoLayerNet(12, 8, 3), TwoLayerNet(12, 8, 3)
    res = fit(a, no_val, SGD(0.5, 1e-3), epochs=3, batch_size=32, seed=1, path=path)
    ref = fit(b, tiny_splits, SGD(0.5, 1e-3), epochs=3, batch_size=32, seed=1, path=path)
    assert res.status == "ok" and res.path == path and res.best_epoch == 3
    assert all(np.isnan(r.val_loss) and np.isnan(r.val_acc) for r in res.history)
    assert [r.train_loss for r in res.history] == [r.train_loss for r in ref.history]
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
        np.testing.assert_array_equal(res.best_params[k], a.params[k])
    assert res.test_acc is not None
    with pytest.raises(ConfigError, match="validation split"):
        fit(TwoLayerNet(12, 8, 3), no_val, SGD(0.5), epochs=2, batch_size=32, patience=1)
