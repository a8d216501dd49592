"""The model zoo: every champion loads by name and re-evaluates to its model card's numbers."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from scratchnn.cli import main
from scratchnn.errors import ScratchnnError
from scratchnn.wann import load_champion, zoo_names
from scratchnn.wann.evaluate import Evaluation, evaluate
from scratchnn.wann.networks.formats import load_network
from scratchnn.wann.networks.packed import instances
from scratchnn.wann.search.population import Population, pack_population
from scratchnn.wann.tasks import make_task
from scratchnn.wann.zoo import manifest, resolve, zoo_dir, zoo_path


def _rows(result: Evaluation | dict) -> dict[str, tuple[float, float, int]]:
    """An episode task's rows by key (an evaluation, or its JSON)."""
    if isinstance(result, dict):
        result = Evaluation.from_dict(result)
    return {r.key: (r.mean, r.std, r.n) for r in result.rows}


def test_the_zoo_holds_the_three_tasks_and_their_files_match_the_manifest():
    assert zoo_names() == ["cartpole", "mnist256", "swingup"]
    for name in zoo_names():
        info = manifest(name)
        assert info["name"] == name
        for part in ("champion", "trained"):
            entry = info[part]
            if entry is None:
                continue
            for key in ("file", "eval"):
                data = (zoo_dir() / name / entry[key]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == entry[f"{key}_sha256"]
        assert (zoo_dir() / name / "MODEL_CARD.md").is_file()


def test_load_champion_by_name():
    c = load_champion("swingup")
    assert c.task == "swingup" and c.weights is None
    assert c.genome.n_enabled() == c.manifest["champion"]["network"]["connections"]
    t = load_champion("swingup:trained")
    assert t.weights is not None and t.weights.shape == (t.genome.n_enabled(),)
    assert "930.62 ± 5.11" in t.card  # the card shows the trained eval it ships
    m = load_champion("mnist256:trained")
    assert m.weights is not None and m.genome.n_in == 256


def test_zoo_names_resolve_only_when_no_such_file(tmp_path, monkeypatch):
    assert resolve("swingup") == zoo_path("swingup")
    assert resolve("mnist256:trained").name == "trained.json"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "swingup").write_text("a file named like a zoo entry")
    assert resolve("swingup") == tmp_path.joinpath("swingup").relative_to(tmp_path)
    assert resolve("x/best.json").as_posix() == "x/best.json"  # a path, not a name


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuch", "no file nosuch and no zoo champion 'nosuch' \\(the zoo holds: cartpole"),
        ("cartpole:trained", "has no trained individual weights"),
        ("swingup:best", "not a zoo name"),
    ],
)
def test_bad_zoo_names_are_one_clear_error(spec, message):
    with pytest.raises(ScratchnnError, match=message):
        load_network(resolve(spec), 5, 1)


def test_swingup_champion_and_trained_weights_re_evaluate_to_the_card():
    """The paper's protocol (100 episodes per condition, seed 0) on the shipped files gives
    the numbers of the shipped evaluations, which the model card shows."""
    task = make_task("swingup")
    for spec, part in (("swingup", "eval.json"), ("swingup:trained", "trained-eval.json")):
        c = load_champion(spec)
        got = _rows(evaluate(task, c.genome, episodes=100, seed=0, weights=c.weights))
        want = _rows(json.loads((zoo_dir() / "swingup" / part).read_text()))
        assert got.keys() == want.keys()
        for cond, (m, s, n) in want.items():
            assert got[cond][0] == pytest.approx(m, rel=1e-9), cond
            assert got[cond][1] == pytest.approx(s, rel=1e-9), cond
            assert got[cond][2] == n


def test_wann_eval_takes_a_zoo_name(tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert main(["wann", "eval", "swingup:trained", "--task", "swingup", "--json", str(out)]) == 0
    rows = _rows(json.loads(out.read_text()))
    want = _rows(json.loads((zoo_dir() / "swingup" / "trained-eval.json").read_text()))
    assert rows["trained"] == pytest.approx(want["trained"])
    assert "with individual weights" in capsys.readouterr().out


def test_wann_eval_of_a_zoo_name_needs_no_task(tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert main(["wann", "eval", "swingup", "--json", str(out)]) == 0
    want = _rows(json.loads((zoo_dir() / "swingup" / "eval.json").read_text()))
    got = _rows(json.loads(out.read_text()))
    assert got.keys() == want.keys()
    for cond, row in want.items():
        assert got[cond] == pytest.approx(row, rel=1e-9), cond
    capsys.readouterr()
    (tmp_path / "best.json").write_text("{}")
    assert main(["wann", "eval", str(tmp_path / "best.json")]) == 2
    assert "--task is required" in capsys.readouterr().err


@pytest.mark.mnist
def test_mnist256_tuned_and_trained_accuracy_match_the_card(mnist):
    """Test accuracy at the card's tuned shared weight, and with the trained individual
    weights, on the 10,000 test images (a quick check: no random draws, no tuning)."""
    task = make_task("mnist256")
    champ, trained = load_champion("mnist256"), load_champion("mnist256:trained")
    packed = pack_population(Population.from_genomes([champ.genome]))
    n_edges = packed.n_edges(0)

    def accuracy(edge_weights: np.ndarray) -> float:
        inst = instances(packed, np.zeros(1, np.int64), edge_weights[None])
        z = task.logits(packed, inst, task.data.X_test)[0]
        return float((z.argmax(axis=1) == task.data.y_test).mean())

    w = champ.eval["tuned_weight"]
    assert accuracy(np.full(n_edges, w)) == champ.eval["tuned_accuracy"]
    assert accuracy(np.asarray(trained.weights)) == trained.eval["trained_accuracy"]


@pytest.mark.slow
def test_cartpole_champion_re_evaluates_to_the_card(tmp_path):
    """Gymnasium's own CartPole (the backend the card's evaluation names), through the
    command line with the card's options."""
    c = load_champion("cartpole")
    out = tmp_path / "eval.json"
    args = ["wann", "eval", "cartpole", "--task", c.task, *c.manifest["eval_options"].split()]
    assert main([*args, "--json", str(out)]) == 0
    got = _rows(json.loads(out.read_text()))
    for cond, (m, s, n) in _rows(c.eval).items():
        assert got[cond] == pytest.approx((m, s, n), rel=1e-9), cond
