"""The model zoo's manifests (``zoo.json``) and model cards (``MODEL_CARD.md``), generated from
the run records.

:data:`ZOO` names, per zoo entry, the records of its champion and of its trained individual
weights. The zoo folder ``src/scratchnn/zoo/<name>/`` holds copies of their files
(``best.json``, ``eval.json``, ``trained.json``, ``trained-eval.json``); :func:`manifest`
checks each copy's sha256 against the record before it describes it, so a card can only show
the numbers of the files it ships. The slot ``biped`` stays empty until a BipedalWalker
search reaches the paper's protocol: add its entry here, copy its files, run
``make results``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from scratchnn.results.markdown import DASH, pm, table
from scratchnn.results.records import Record, ResultsError, get, published

from .tables import BANNER

#: zoo entries: task id, champion record, trained-weights record and the search whose
#: champion those weights belong to (checked by connection count)
ZOO: dict[str, dict[str, Any]] = {
    "swingup": {
        "title": "SwingUp",
        "task": "swingup",
        "about": "CartPoleSwingUp, the WANN paper's swing-up task: 5 observations (x, x_dot, "
        "cos theta, sin theta, theta_dot), one force output in [-1, 1], 1,000 steps",
        "champion": "wann-swingup-tourn2-seed29",
        "trained": "wann-swingup-trained/s12/a3r",
        "trained_topology": "wann-swingup-tourn2-seed10",
        "eval_options": "",
    },
    "mnist256": {
        "title": "MNIST-256",
        "task": "mnist256",
        "about": "MNIST digits resized to 16 x 16 and deskewed (256 inputs), ten linear outputs "
        "and a softmax; test accuracy on the 10,000 test images",
        "champion": "wann-mnist256-alias-seed0",
        "trained": "wann-mnist256-alias-seed0/trained-refit",
        "trained_topology": "wann-mnist256-alias-seed0",
        "eval_options": "",
    },
    "cartpole": {
        "title": "CartPole",
        "task": "gym:CartPole-v1",
        "about": "Gymnasium's CartPole-v1 (4 observations, argmax of two outputs, at most 500 "
        "steps); not one of the paper's tasks",
        "champion": "wann-cartpole-seed0",
        "trained": None,
        "trained_topology": None,
        # the evaluation ran on Gymnasium's environments with 20 tuning episodes per weight
        "eval_options": "--backend gymnasium --tune-episodes 20 --workers 1",
    },
}
#: the zoo folder inside the package, relative to the repository root
ZOO_DIR = Path("src/scratchnn/zoo")
FILES = {"champion": ("best.json", "eval.json"), "trained": ("trained.json", "trained-eval.json")}
SOURCE = {"champion": ("best.json", "eval.json"), "trained": ("trained.json", "eval.json")}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(records: dict[str, Record], name: str, zoo_dir: Path) -> dict[str, Any]:
    """``zoo.json`` of entry ``name``: task, and per part (champion, trained) the files, their
    sha256 (checked equal to the record's), the record and the network; a clear error when a
    zoo file is missing or differs from what its record names."""
    spec = ZOO[name]
    out: dict[str, Any] = {"name": name, "task": spec["task"], "title": spec["title"]}
    out["eval_options"] = spec["eval_options"]
    for part in ("champion", "trained"):
        if not spec[part]:
            out[part] = None
            continue
        rec = get(records, spec[part])
        entry: dict[str, Any] = {"record": f"results/{rec.name}"}
        pairs = zip(FILES[part], SOURCE[part], ("file", "eval"), strict=True)
        for dst, src, key in pairs:
            path = zoo_dir / name / dst
            want = (rec.data.get("artifacts") or {}).get(src, {}).get("sha256")
            if not path.is_file():
                raise ResultsError(f"zoo {name}: {path} is missing (copy it from {rec.name}/{src})")
            got = _sha256(path)
            if got != want:
                raise ResultsError(f"zoo {name}: {dst} is not {rec.name}/{src} (sha256 differs)")
            entry[key] = dst
            entry[f"{key}_sha256"] = got
        entry["network"] = rec.data.get("network")
        if part == "trained":
            entry["topology_record"] = f"results/{spec['trained_topology']}"
        out[part] = entry
    return out


def _made_by(rec: Record) -> list[str]:
    lines = [f"- record: `results/{rec.name}/run.json`"]
    for c in rec.data.get("commands") or []:
        lines.append(f"- `{c['command']}`" + (f" ({c['context']})" if c.get("context") else ""))
    lines.append(
        f"- commit {rec.data.get('commit') or 'not recorded'}, seed "
        f"{rec.seed if rec.seed is not None else 'the command default'}; versions "
        + ("not recorded" if rec.data.get("versions") is None else json.dumps(rec.data["versions"]))
    )
    return lines


def model_card(records: dict[str, Record], name: str) -> str:
    """``MODEL_CARD.md`` of zoo entry ``name`` (Markdown, numbers from the records)."""
    spec = ZOO[name]
    champ = get(records, spec["champion"])
    trained = get(records, spec["trained"]) if spec["trained"] else None
    theirs = published()["wann"].get(spec["task"])
    lines = [BANNER, "", f"# {spec['title']}: scratchnn model zoo", ""]
    lines += [f"Task: {spec['about']} (`--task {spec['task']}`).", ""]
    lines += ["```python", "from scratchnn.wann import load_champion", "",
              f'champion = load_champion("{name}")  # genome, eval, task']  # fmt: skip
    if trained:
        lines.append(f'trained = load_champion("{name}:trained")  # with individual weights')
    lines += ["```", ""]
    lines += ["## Numbers", ""]
    if spec["task"] == "mnist256":
        lines += _mnist_numbers(champ, trained, theirs)
    else:
        lines += _control_numbers(champ, trained, theirs)
    lines += [
        "",
        "Protocol (`scratchnn wann eval`, the paper's): "
        + (
            "test accuracy on the 10,000 test images at 100 random shared weights U(-2, 2) "
            "(mean ± sd over the draws), at each of the six search weights and as their "
            "ensemble vote; the tuned shared weight is chosen on 10,000 training images."
            if spec["task"] == "mnist256"
            else f"mean ± sd of the episode reward over {champ.condition('tuned_shared')[2]} "
            "episodes per condition, the same initial states for every condition; the tuned "
            "shared weight is the best of the grid -2..2 (step 0.05) on "
            f"{champ.eval().get('tune_episodes')} separate episodes per weight."
        ),
        "",
    ]
    net = champ.data.get("network") or {}
    lines += ["## The network", ""]
    lines.append(
        f"`best.json`: {net.get('hidden_nodes')} hidden nodes, {net.get('connections')} "
        f"connections; the champion of `results/{champ.name}`."
    )
    if trained:
        tn = trained.data.get("network") or {}
        lines.append(
            f"`trained.json`: {tn.get('connections')} individual weights on the champion of "
            f"`results/{spec['trained_topology']}` "
            f"({trained.metrics.get('training', {}).get('method', 'trained')})."
        )
    lines += ["", "## How it was made", "", "Champion:", "", *_made_by(champ)]
    if trained:
        lines += ["", "Trained individual weights:", "", *_made_by(trained)]
    opts = f" {spec['eval_options']}" if spec["eval_options"] else ""
    lines += ["", "## Re-evaluate", "", "```bash",
              f"scratchnn wann eval {name} --task {spec['task']}{opts}"]  # fmt: skip
    if trained:
        lines.append(f"scratchnn wann eval {name}:trained --task {spec['task']}{opts}")
    lines += ["```", ""]
    return "\n".join(lines)


def _control_numbers(champ: Record, trained: Record | None, theirs: dict | None) -> list[str]:
    rows = []
    for which, label in (
        ("random_weights", "random weights U(-2, 2)"),
        ("random_shared", "random shared weight U(-2, 2)"),
        ("tuned_shared", f"tuned shared weight (w = {champ.eval()['tuned_weight']:g})"),
        ("trained", "tuned individual weights"),
    ):
        src = trained if which == "trained" else champ
        ours = pm(*src.condition(which)[:2], 2) if src and src.has_condition(which) else DASH
        rows.append([label, ours, pm(*theirs[which], 0) if theirs else DASH])
    return [table(["Condition", "scratchnn", "the paper"], rows).rstrip("\n")]


def _mnist_numbers(champ: Record, trained: Record | None, theirs: dict | None) -> list[str]:
    c = champ.mnist()
    t = theirs or {}
    tr = trained.mnist()["trained"] if trained else None
    rows = [
        ["random shared weight U(-2, 2)", pm(c["random_shared"], c["random_shared_sd"], 1, " %"),
         pm(*t["random_shared"], 1, " %")],
        ["mean of the six search weights", pm(c["mean_six"], c["sd_six"], 2, " %"), DASH],
        ["ensemble of the six weights", pm(c["ensemble"], None, 2, " %"),
         pm(t["ensemble"][0], None, 1, " %")],
        [f"tuned shared weight (w = {c['tuned_weight']:g})", pm(c["tuned_shared"], None, 2, " %"),
         pm(t["tuned_shared"][0], None, 1, " %")],
        ["trained individual weights", pm(tr, None, 2, " %"), pm(t["trained"][0], None, 1, " %")],
    ]  # fmt: skip
    return [table(["Condition", "scratchnn", "the paper"], rows).rstrip("\n")]


def zoo_index(records: dict[str, Record], zoo_dir: Path) -> str:
    """The zoo at a glance: entry, task, network and the headline numbers."""
    rows = []
    for name, spec in ZOO.items():
        m = manifest(records, name, zoo_dir)
        champ = get(records, spec["champion"])
        if spec["task"] == "mnist256":
            c = champ.mnist()
            shared = pm(c["tuned_shared"], None, 2, " %")
        else:
            shared = pm(*champ.condition("tuned_shared")[:2], 1)
        tr = DASH
        if spec["trained"]:
            rec = get(records, spec["trained"])
            tr = (
                pm(rec.mnist()["trained"], None, 2, " %")
                if spec["task"] == "mnist256"
                else pm(*rec.condition("trained")[:2], 2)
            )
        net = m["champion"]["network"] or {}
        rows.append([f"`{name}`", f"`{spec['task']}`",
                     f"{net.get('hidden_nodes')} hidden, {net.get('connections')} connections",
                     shared, tr])  # fmt: skip
    rows.append(["`biped`", "`biped`", "no champion at the paper's scale yet", DASH, DASH])
    header = ["Name", "task", "champion", "tuned shared weight", "trained individual weights"]
    return table(header, rows)


def generate_zoo(records: dict[str, Record], root: Path) -> dict[Path, str]:
    """{path relative to ``root``: text} of every zoo manifest and model card."""
    zoo_dir = root / ZOO_DIR
    out = {}
    for name in ZOO:
        out[ZOO_DIR / name / "zoo.json"] = (
            json.dumps(manifest(records, name, zoo_dir), indent=1, ensure_ascii=False) + "\n"
        )
        out[ZOO_DIR / name / "MODEL_CARD.md"] = model_card(records, name)
    return out
