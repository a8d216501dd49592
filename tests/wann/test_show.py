"""``scratchnn wann show``: the champion page's data, its HTML, and the page in a real browser."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from scratchnn.cli import main
from scratchnn.errors import ScratchnnError
from scratchnn.wann import load_champion
from scratchnn.wann.evaluate import SWEEP_GRID, _instances, evaluate
from scratchnn.wann.networks.genome import initial_genome
from scratchnn.wann.search.population import Population, pack_population
from scratchnn.wann.show import page_data, render_page
from scratchnn.wann.show.episodes import Run, gym_episodes, swingup_episodes
from scratchnn.wann.show.network import network_layout
from scratchnn.wann.show.scores import control_grid, tuning_states
from scratchnn.wann.tasks import make_task, swingup
from scratchnn.wann.zoo import zoo_path

from .helpers import hidden_net

REPO = Path(__file__).resolve().parents[2]
PAGE_DATA = re.compile(r'<script id="page-data" type="application/json">(.*?)</script>', re.S)


def _embedded(html: str) -> dict:
    return json.loads(PAGE_DATA.search(html).group(1))


def _browser_missing() -> str | None:
    """Why the headless-Chromium checks cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (pip install -e '.[dev]')"
    if shutil.which("chromium") is None and not os.environ.get("CHROMIUM"):
        return "Debian package chromium not installed (apt-get install -y chromium)"
    return None


needs_browser = pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))


def _checker():
    """scripts/show_check.py as a module."""
    spec = importlib.util.spec_from_file_location("show_check", REPO / "scripts/show_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _path_edges(layout: dict, i: int) -> list[int]:
    """The edges on the paths through node ``i`` (into its ancestors, out of its descendants),
    computed here independently of the page's script."""
    edges = layout["edges"]

    def reach(up: bool) -> set[int]:
        seen, stack = {i}, [i]
        while stack:
            v = stack.pop()
            for s, t in edges:
                u = s if up else t
                if (t if up else s) == v and u not in seen:
                    seen.add(u)
                    stack.append(u)
        return seen

    anc, desc = reach(True), reach(False)
    return [k for k, (s, t) in enumerate(edges) if t in anc or s in desc]


# --- the page's data ---------------------------------------------------------------------------


def test_layout_draws_every_enabled_connection_by_layer():
    g = hidden_net()
    g.conns[0].enabled = True  # bias -> out
    lay = network_layout(g, ("a", "b"), ("out",))
    assert len(lay["edges"]) == g.n_enabled() == 5
    by_id = {n["id"]: n for n in lay["nodes"]}
    assert [by_id[v]["depth"] for v in (0, 1, 2, 4, 3)] == [0, 0, 0, 1, 2]
    assert by_id[0]["x"] == by_id[1]["x"] < by_id[4]["x"] < by_id[3]["x"]  # columns by depth
    assert by_id[4]["act_name"] == "tanh" and by_id[1]["label"] == "a"
    ids = [n["id"] for n in lay["nodes"]]
    for s, t in lay["edges"]:  # every edge runs from a shallower to a deeper node
        assert lay["nodes"][s]["depth"] < lay["nodes"][t]["depth"]
    assert sorted((ids[s], ids[t]) for s, t in lay["edges"]) == sorted(
        (c.src, c.dst) for c in g.conns if c.enabled
    )


def test_mnist_inputs_are_drawn_as_the_image():
    g = initial_genome(256, 10, 0.05, np.random.default_rng(0))
    lay = network_layout(g)
    assert lay["image_inputs"] and len(lay["edges"]) == g.n_enabled()
    pix = {n["id"]: (n["x"], n["y"]) for n in lay["nodes"] if n["kind"] == "input"}
    assert len(pix) == 256
    assert pix[1][1] == pix[16][1] < pix[17][1]  # row 0, then row 1
    assert pix[1][0] == pix[17][0] < pix[2][0]  # column 0, then column 1


def test_grid_means_are_wann_evals_weight_sweep_and_the_sd_is_of_the_same_episodes():
    task, c = make_task("swingup"), load_champion("swingup")
    ev = evaluate(task, c.genome, episodes=3, seed=1, tune_episodes=2)
    grid = control_grid(task, c.genome, eval_episodes=3, episodes=2, seed=1)
    assert grid["weights"] == list(ev.sweep.weights) == SWEEP_GRID.tolist()
    assert grid["mean"] == list(ev.sweep.mean)
    packed = pack_population(Population.from_genomes([c.genome]))
    states = tuning_states(task, 3, 2, seed=1)
    k = 7  # one weight, its two episodes run here one by one
    W = np.full((2, packed.n_edges(0)), SWEEP_GRID[k])
    scores = task.episode_scores(packed, _instances(packed, W), states)
    assert grid["sd"][k] == pytest.approx(float(scores.std()), rel=1e-12)
    assert grid["mean"][k] == pytest.approx(float(scores.mean()), rel=1e-12)


def test_swingup_recordings_are_the_episodes_the_scores_count():
    task, c = make_task("swingup"), load_champion("swingup:trained")
    packed = pack_population(Population.from_genomes([c.genome]))
    E = packed.n_edges(0)
    runs = [Run("w = -1", -1.0, np.full(E, -1.0)), Run("w = 0.3", 0.3, np.full(E, 0.3))]
    runs.append(Run("trained", None, c.weights))
    state = tuning_states(task, 4, 2, seed=0)[0]
    rec = swingup_episodes(c.genome, runs, state, steps=300, stride=4)
    W = np.stack([r.edge_weights for r in runs])
    n = len(runs)
    want, steps = swingup.rollouts(
        packed, *_instances(packed, W), np.arange(n), np.zeros(n, int), state[None], 300, True
    )
    for r, ret, st in zip(rec["runs"], want, steps, strict=True):
        assert r["return"] == ret and r["steps"] == st  # the same physics, to the last bit
        x = np.frombuffer(base64.b64decode(r["x"]), "<i2")
        assert len(x) == r["frames"] == -(-st // 4) + 1
        assert x[0] == round(1000 * state[0])
    assert rec["runs"][2]["w"] is None


def test_gym_recordings_render_frames_of_the_scored_episode():
    from PIL import Image

    task = make_task("gym:CartPole-v1", workers=1)
    task = task.with_options(backend="gymnasium")
    c = load_champion("cartpole")
    E = c.genome.n_enabled()
    runs = [Run("w = -2", -2.0, np.full(E, -2.0)), Run("w = 0.05", 0.05, np.full(E, 0.05))]
    seed = int(tuning_states(task, 3, 2, seed=0)[0])
    rec = gym_episodes(task.spec, c.genome, runs, seed, frames=6, width=120)
    packed = pack_population(Population.from_genomes([c.genome]))
    W = np.stack([r.edge_weights for r in runs])
    want = task.episode_scores(packed, _instances(packed, W), np.array([seed, seed]))
    for r, ret in zip(rec["runs"], want, strict=True):
        assert r["return"] == ret
        assert r["frame_step"][0] == 0 and r["frame_step"][-1] == r["steps"]
        assert len(r["frames"]) <= 6 + 2 and r["stride"] == -(-r["steps"] // 6)
        head, data = r["frames"][1].split(",", 1)
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        assert head.startswith("data:image/") and img.width == 120


def test_page_data_and_html_are_self_contained():
    data = page_data("swingup", make_task("swingup"), episodes=2)
    assert data["connections"] == load_champion("swingup").genome.n_enabled()
    assert len(data["network"]["edges"]) == data["connections"]
    assert data["tuned_weight"] == load_champion("swingup").eval["tuned_weight"]
    labels = [r["label"] for r in data["references"]]
    assert labels[0].startswith("random weights") and labels[2].startswith("tuned shared")
    assert len(data["player"]["runs"]) == len(SWEEP_GRID)  # one episode per grid weight
    assert data["table"][0] == ["Condition", "scratchnn", "the paper"]  # the model card's
    data["title"] = "a </script><script>alert(1)</script> title"
    html = render_page(data)
    assert _embedded(html)["title"] == data["title"]  # the JSON cannot end its script
    assert html.count("</script>") == 2
    for remote in ('src="http', 'href="http', "<link", "@import", "url(http"):
        assert remote not in html


# --- the command -------------------------------------------------------------------------------


def test_wann_show_writes_a_page_from_a_zoo_name_and_from_a_file(tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["wann", "show", "swingup", "--out", str(out), "--episodes", "2"]) == 0
    assert "written:" in capsys.readouterr().out
    data = _embedded(out.read_text())
    assert data["zoo"] == "swingup" and data["grid"]["episodes"] == 2
    assert data["page"]["command"].startswith("scratchnn wann show swingup --task swingup")
    src = zoo_path("swingup:trained")
    out2 = tmp_path / "file.html"
    argv = ["wann", "show", str(src), "--task", "swingup", "--out", str(out2), "--episodes", "2"]
    assert main(argv) == 0
    data = _embedded(out2.read_text())
    assert data["zoo"] is None and data["individual_weights"]
    assert data["grid"]["episodes"] == 2 and data["references"][-1]["n"] == 2  # evaluated now
    assert data["player"]["runs"][-1]["label"] == "tuned individual weights"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nosuch.json", "--task", "swingup"], "no champion file nosuch.json"),
        (["swingup", "--task", "gym:CartPole-v1"], "is a network for --task swingup"),
        (["swingup", "--task", "nosuchtask"], "unknown task 'nosuchtask'"),
        ([str(zoo_path("swingup")), "--task", "xor"], "inputs and 1 outputs; the task needs 2"),
        ([str(zoo_path("swingup"))], "--task is required"),
        (["swingup", "--episodes", "0"], "--episodes must be >= 1"),
        (["swingup", "--eval", "nosuch-eval.json"], "--eval nosuch-eval.json: no such file"),
    ],
)
def test_bad_input_is_one_line(tmp_path, capsys, argv, message):
    assert main(["wann", "show", *argv, "--out", str(tmp_path / "p.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "p.html").exists()


def test_a_wrong_eval_file_is_one_line(tmp_path):
    bad = tmp_path / "eval.json"
    bad.write_text('{"weights": [1, 2]}')
    with pytest.raises(ScratchnnError, match=r"eval\.json: not a wann eval result: no rows or"):
        page_data("swingup", make_task("swingup"), eval_file=bad)


# --- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def swingup_page(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("show") / "swingup.html"
    data = page_data("swingup:trained", make_task("swingup"), episodes=2)
    out.write_text(render_page(data))
    return out, data


@needs_browser
def test_the_page_works_in_headless_chromium(swingup_page):
    """No console error; one SVG edge per enabled connection; the slider shows the precomputed
    score of each weight; the player advances; hovering a node highlights exactly its paths."""
    out, data = swingup_page
    found = _checker().check(out)
    assert found["console_errors"] == []
    assert found["edges"] == load_champion("swingup:trained").genome.n_enabled() == 65
    for i, text, shown, _, idx, digits, preds in found["slider"]:
        assert digits == preds == []  # MNIST-256 pages only
        mean, sd = data["grid"]["mean"][i], data["grid"]["sd"][i]
        assert idx == i and shown == mean
        assert text == f"{mean:.2f} ± {sd:.2f}"
    before, after = found["player"]["frames"]
    assert after > before
    node = found["hover"]["node"]
    assert found["hover"]["highlighted"] == _path_edges(data["network"], node)
    assert 0 < len(found["hover"]["highlighted"]) < found["edges"]
    assert found["ok"] and found["load_ms"] < 1000


@needs_browser
def test_the_checker_fails_on_broken_pages(swingup_page, tmp_path):
    out, data = swingup_page
    html = out.read_text()
    check = _checker().check
    missing = dict(data, network=dict(data["network"], edges=data["network"]["edges"][1:]))
    page = tmp_path / "missing-edge.html"
    page.write_text(render_page(missing))
    found = check(page)
    assert not found["ok"] and found["edges"] == found["connections"] - 1
    page = tmp_path / "js-error.html"
    page.write_text(html.replace("setWeightIndex(gi);\n", "setWeightIndex(gi); undefinedCall();\n"))
    found = check(page)
    assert not found["ok"] and any("undefinedCall" in e for e in found["console_errors"])
    stuck = dict(data, grid=dict(data["grid"], mean=[0.0] * len(data["grid"]["mean"])))
    page = tmp_path / "stuck.html"  # a score that does not follow the slider
    page.write_text(render_page(stuck).replace("score.dataset.value = ys[gi]", "0"))
    assert not check(page)["ok"]


@pytest.mark.mnist
@needs_browser
def test_the_mnist_page_shows_each_weights_digit_accuracy_and_predictions(mnist, tmp_path):
    task = make_task("mnist256")
    data = page_data("mnist256", task)
    out = tmp_path / "mnist256.html"
    out.write_text(render_page(data))
    found = _checker().check(out)
    assert found["ok"] and found["edges"] == 687
    y = task.data.y_test
    samples = data["grid"]["samples"]
    assert samples["label"] == [int(y[i]) for i in samples["index"]]
    ev = load_champion("mnist256").eval  # the tuned weight's accuracy, as wann eval measured it
    k = data["grid"]["weights"].index(ev["tuned_weight"])
    assert data["grid"]["accuracy"][k] == ev["tuned_accuracy"]
    packed = pack_population(Population.from_genomes([load_champion("mnist256").genome]))
    W = np.full((1, packed.n_edges(0)), ev["tuned_weight"])
    z = task.logits(packed, _instances(packed, W), task.data.X_test[samples["index"]])[0]
    assert samples["pred"][k] == z.argmax(axis=1).tolist()
    for i, text, shown, _, _, digits, preds in found["slider"]:
        acc = data["grid"]["accuracy"][i]
        assert shown == acc and text == f"{100 * acc:.2f} %"
        assert digits == [f"{100 * a:.0f}" for a in data["grid"]["digit_accuracy"][i]]
        assert preds == [f"says {p}" for p in samples["pred"][i]]


# --- the zoo's pages: budgets ----------------------------------------------------------------


@pytest.mark.slow
@needs_browser
@pytest.mark.parametrize(
    ("name", "budget_mb"),
    [
        ("swingup", 2),
        ("swingup:trained", 2),
        ("cartpole", 3),
        pytest.param("mnist256", 2, marks=pytest.mark.mnist),
    ],
)
def test_zoo_pages_fit_the_budgets(name, budget_mb, tmp_path, capsys):
    """Each zoo page is written in at most 60 s, weighs at most its budget (MNIST-256 2 MB,
    the others, rendered frames included, 3 MB) and opens in headless Chromium in under 1 s
    with every check passing."""
    out = tmp_path / "page.html"
    t0 = time.perf_counter()
    assert main(["wann", "show", name, "--out", str(out)]) == 0
    seconds = time.perf_counter() - t0
    size = out.stat().st_size
    found = _checker().check(out)
    print(f"{name}: {size / 1e6:.2f} MB in {seconds:.1f} s, opens in {found['load_ms']:.0f} ms")
    assert seconds <= 60 and size <= budget_mb * 1e6
    assert found["ok"] and found["load_ms"] < 1000
    data = _embedded(out.read_text())
    if name == "mnist256":
        ev = load_champion(name).eval
        assert data["grid"]["digit_accuracy"] == ev["digit_accuracy"]["accuracy"]
    else:  # the slider's means are the shipped evaluation's weight sweep
        assert data["grid"]["mean"] == pytest.approx(
            load_champion(name).eval["weight_sweep"]["mean"]
        )
