"""A champion page's data (:func:`page_data`) and the page itself (:func:`render_page`).

:func:`page_data` loads the champion (a file or a zoo name), takes its evaluation (the zoo's
``eval.json``, a ``wann eval --json`` file, or :func:`~scratchnn.wann.evaluate.evaluate` run
now), computes the slider's grid (:mod:`~scratchnn.wann.show.scores`) and records the episodes
(:mod:`~scratchnn.wann.show.episodes`).
It returns one JSON-able dict; :func:`render_page` puts it into the HTML template
(``template.html``: inline CSS and JavaScript, no network access), which draws everything and
does no model arithmetic.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ...errors import ScratchnnError
from ...fileio import finite
from ..evaluate import PAPER, SWEEP_GRID, WEIGHTS, evaluate, paper_table
from ..evaluation import Evaluation
from ..networks.activations import ACTIVATIONS_BY_ID
from ..networks.genome import Genome
from ..tasks import ClassificationTask, EnvironmentTask, Task, ViewableTask
from .episodes import Run, gym_episodes, swingup_episodes
from .network import network_layout
from .scores import grid, references, tuning_states

#: episodes per grid weight when the champion's evaluation does not say (Gymnasium tasks run
#: in Python environments: fewer)
DEFAULT_EPISODES = {"gym": 20, "other": 100}


@dataclass(frozen=True)
class Source:
    """Where the champion comes from: the zoo name (or None), the file, the evaluation and,
    for a zoo entry, its manifest and model card."""

    zoo: str | None
    path: Path
    genome: Genome
    weights: np.ndarray | None
    eval: Evaluation | None
    manifest: dict | None
    card: str | None


def load_source(spec: str, task: Task, eval_file: Path | None = None) -> Source:
    """The champion ``spec`` (a file, or a zoo name ``NAME`` / ``NAME:trained``) checked against
    ``task``; one-line :class:`ScratchnnError` for a missing file, a zoo entry of another task
    or a network of the wrong shape."""
    from ..networks.formats import load_network
    from ..zoo import _LOOSE, load_champion, resolve

    path = resolve(spec)
    if Path(spec).exists() or not _LOOSE.match(str(spec)):
        if not path.is_file():
            raise ScratchnnError(f"no champion file {spec} (give a file or a zoo name)")
        genome, weights = load_network(path, task.n_in, task.n_out)
        return Source(None, path, genome, weights, _read_eval(eval_file), None, None)
    champ = load_champion(str(spec))
    if champ.task != task.name:
        raise ScratchnnError(
            f"zoo champion {spec!r} is a network for --task {champ.task}, not {task.name}"
        )
    ev = _read_eval(eval_file) if eval_file else Evaluation.from_dict(champ.eval)
    return Source(
        str(spec), champ.path, champ.genome, champ.weights, ev, champ.manifest, champ.card
    )


def _read_eval(path: Path | None) -> Evaluation | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScratchnnError(f"cannot read --eval {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScratchnnError(f"--eval {path}: not a wann eval JSON file ({exc})") from None
    try:
        return Evaluation.from_dict(data)
    except ScratchnnError as exc:
        raise ScratchnnError(f"--eval {path}: {exc}") from None


def eval_episodes(result: Evaluation) -> int:
    """The evaluation episodes of an episode task's evaluation (its first row's count)."""
    return int(result.rows[0].n)


def markdown_table(text: str) -> list[list[str]]:
    """The rows of the first Markdown pipe table in ``text`` (header first, no rule line)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in line[1:-1].split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                rows.append(cells)
        elif rows:
            break
    return rows


def card_facts(card: str, part: str) -> dict:
    """From a zoo ``MODEL_CARD.md``: the task line, the numbers table (ours beside the
    paper's), its protocol line and the "How it was made" bullets of ``part`` (``champion``
    or ``trained``)."""
    task = next((ln[6:] for ln in card.splitlines() if ln.startswith("Task: ")), "")
    numbers = card.split("## Numbers", 1)[-1].split("\n## ", 1)[0]
    protocol = next((ln for ln in numbers.splitlines() if ln.startswith("Protocol")), "")
    made = card.split("## How it was made", 1)[-1].split("\n## ", 1)[0]
    heading = "Trained individual weights:" if part == "trained" else "Champion:"
    block = made.split(heading, 1)[-1].split("\n\n", 2)
    text = block[1] if len(block) > 1 else ""
    bullets = [ln[2:] for ln in text.splitlines() if ln.startswith("- ")]
    return {"task": task, "table": markdown_table(numbers), "protocol": protocol, "made": bullets}


def _runs(source: Source, result: Evaluation, gym: bool, E: int) -> list[Run]:
    """The episodes to record: every grid weight (SwingUp) or the six search weights and the
    tuned one (Gymnasium), and the individual weights when there are some."""
    ws = sorted({*WEIGHTS, float(result.tuned_weight)}) if gym else SWEEP_GRID.tolist()
    runs = [Run(f"w = {w:g}", float(w), np.full(E, float(w))) for w in ws]
    if source.weights is not None:
        runs.append(Run("tuned individual weights", None, np.asarray(source.weights, float)))
    return runs


def page_data(
    spec: str,
    task: Task,
    *,
    episodes: int | None = None,
    seed: int = 0,
    frames: int = 40,
    frame_width: int = 320,
    eval_file: Path | None = None,
    command: str = "",
) -> dict:
    """Everything the page shows, as a JSON-able dict (see the module docstring). ``episodes``:
    episodes per grid weight (default: the evaluation's tuning episodes); ``frames``: frames
    per recorded Gymnasium episode, ``frame_width`` their width in pixels."""
    from ...experiments.provenance import git_commit
    from ..search.population import Population, pack_population

    source = load_source(spec, task, eval_file)
    g = source.genome
    gym = isinstance(task, EnvironmentTask)
    result = source.eval
    if result is None:  # wann eval's machinery, now
        n = episodes or DEFAULT_EPISODES["gym" if gym else "other"]
        result = evaluate(task, g, episodes=n, seed=seed, weights=source.weights, tune_episodes=n)
    if isinstance(task, ClassificationTask):
        n_eval, n_grid = 0, 0
    else:
        if result.kind != "episodes" or not result.rows:
            raise ScratchnnError(f"the evaluation is not one of task {task.name} (no rows)")
        n_eval = eval_episodes(result)
        n_grid = episodes or int(n_eval if result.tune_episodes is None else result.tune_episodes)
    sweep = grid(task, g, n_eval, n_grid, seed)
    E = int(pack_population(Population.from_genomes([g])).n_edges(0))
    player = None
    if isinstance(task, ViewableTask):
        start = tuning_states(task, n_eval, n_grid, seed)[0]
        runs = _runs(source, result, gym, E)
        if task.viewer == "gym":
            player = gym_episodes(task.spec, g, runs, int(start), frames, frame_width)
        else:
            player = swingup_episodes(g, runs, start, task.steps)
        player["start"] = np.asarray(start).tolist()
    part = "trained" if source.zoo and source.zoo.endswith(":trained") else "champion"
    facts = card_facts(source.card, part) if source.card else {}
    # the card's table is the champion's (its trained row aside); other networks: their own
    table = (facts.get("table") if part == "champion" and eval_file is None else None) or (
        markdown_table(paper_table(task.name, result))
    )
    acts = sorted({n.act for n in g.hidden})
    title = (source.manifest or {}).get("title") or task.name
    return {
        "title": f"{title}: {'trained individual weights' if part == 'trained' else 'champion'}"
        if source.zoo
        else f"{task.name}: {source.path.name}",
        "task": task.name,
        "task_text": facts.get("task", ""),
        "zoo": source.zoo,
        "file": str(source.path) if source.zoo is None else source.path.name,
        "connections": g.n_enabled(),
        "hidden": len(g.hidden),
        "inputs": g.n_in,
        "outputs": g.n_out,
        "activations": [ACTIVATIONS_BY_ID[a].name for a in acts],
        "individual_weights": source.weights is not None,
        "table": table,
        "protocol": facts.get("protocol", "") if part == "champion" else "",
        "made": facts.get("made", []),
        "has_paper": task.name in PAPER,
        "tuned_weight": float(result.tuned_weight),
        "references": references(result),
        "grid": sweep,
        "network": network_layout(g, task.input_names, task.output_names),
        "player": player,
        "page": {
            "command": command,
            "commit": git_commit(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
    }


def template() -> str:
    """The page's HTML template (package data)."""
    return (resources.files(__package__) / "template.html").read_text(encoding="utf-8")


def render_page(data: dict) -> str:
    """The self-contained HTML page of ``data`` (from :func:`page_data`): the template with the
    data as a JSON literal (``</`` escaped so that no string can end the script)."""
    text = json.dumps(finite(data), separators=(",", ":"), allow_nan=False)
    text = text.replace("</", "<\\/")
    page = template()
    if "__PAGE_DATA__" not in page:
        raise ScratchnnError("the champion page template has no __PAGE_DATA__ slot")
    return page.replace("__PAGE_DATA__", text, 1)
