"""Markdown tables generated from run records: pure functions, records in, text out.

Which runs a table shows is chosen here, by record name (:data:`HEADLINE`, :data:`FAMILIES`);
every number comes from a record (:mod:`.records`) or, for the paper's and the writeup's
numbers, from ``published.json`` and :mod:`scratchnn.experiments.writeup`, always labelled as
theirs. Rows over several seeds use :func:`scratchnn.stats.summarize`: n, mean ± sd, min to
max, and from five seeds the interquartile mean with its 95 % stratified-bootstrap interval.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..stats import summarize
from .markdown import BANNER, DASH, pm, table
from .records import Record, ResultsError, get, published
from .review import review_table
from .speed import mlp_speed

#: which records the headline shows: the champion (shared-weight rows), the trained individual
#: weights, and the searches the champion was chosen from (name prefixes of top-level search
#: records); a new champion (e.g. a full-scale BipedalWalker search) is one edit here
HEADLINE: dict[str, dict[str, Any]] = {
    "swingup": {
        "title": "SwingUp",
        "champion": "wann-swingup-tourn2-seed29",
        "trained": "wann-swingup-trained/s12/a3r",
        "trained_topology": "wann-swingup-tourn2-seed10",
        "pool": ("wann-swingup-paper-seed", "wann-swingup-tourn2-seed"),
    },
    "mnist256": {
        "title": "MNIST-256",
        "champion": "wann-mnist256-alias-seed0",
        "trained": "wann-mnist256-alias-seed0/trained-refit",
        "trained_topology": "wann-mnist256-alias-seed0",
        "pool": ("wann-mnist256-paper", "wann-mnist256-tourn2", "wann-mnist256-alias-seed"),
    },
    "biped": {
        "title": "BipedalWalker",
        "champion": "wann-biped-walker",
        "trained": "wann-biped-walker/trained",
        "trained_topology": "wann-biped-walker",
        "pool": ("wann-biped-reduced", "wann-biped-walker"),
    },
}
MLP_RECORD = "mlp-writeup"

#: search families of a task: (name prefix, label), top-level search records only
FAMILIES: dict[str, list[tuple[str, str]]] = {
    "swingup": [
        ("wann-swingup-tourn2-seed", "paper preset, two tournaments per child (the reference's)"),
        ("wann-swingup-paper-seed", "paper preset, one tournament per child"),
        ("wann-swingup-crowding-ref-seed", "one tournament, the reference's crowding distance"),
        ("wann-swingup-alias-seed", "two tournaments, the reference's disabled-gene alias"),
        ("v0.1/wann-swingup-", "scratchnn 0.1's engine (laptop and paper presets)"),
    ],
    "mnist256": [
        ("wann-mnist256-alias-seed", "paper preset, the reference's disabled-gene alias"),
        ("wann-mnist256-tourn2", "paper preset, two tournaments per child"),
        ("wann-mnist256-paper", "paper preset, one tournament per child"),
    ],
}


def searches(records: dict[str, Record], prefixes: tuple[str, ...] | str) -> list[Record]:
    """Top-level search records (``kind`` wann-search, with an eval) whose name starts with
    one of ``prefixes``, sorted by seed then name."""
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    out = [
        r
        for r in records.values()
        if r.name.startswith(prefixes)
        and r.name.count("/") == prefixes[0].count("/")
        and r.data.get("kind") == "wann-search"
        and "eval" in r.metrics
    ]
    return sorted(out, key=lambda r: (r.seed if isinstance(r.seed, int) else -1, r.name))


def _seed_text(rec: Record) -> str:
    return DASH if rec.seed is None else str(rec.seed)


# ---------------------------------------------------------------- headline


def headline(records: dict[str, Record], link: Callable[[str], str]) -> str:
    """The headline table: per task and condition, scratchnn's number beside the paper's (and
    the writeup's MLP numbers), with how many seeds or searches; ``link(page)`` gives the href
    of a results page (``"swingup"`` -> ``"swingup.md"`` or ``"docs/results/swingup.md"``)."""
    pub = published()["wann"]
    rows: list[list[str]] = []
    rows += _mlp_headline_rows(get(records, MLP_RECORD), link)
    for task, spec in HEADLINE.items():
        champ = get(records, spec["champion"])
        pool = searches(records, spec["pool"])
        chosen = f"champion of {len(pool)} searches (seed {_seed_text(champ)})"
        if len(pool) == 1:
            cfg = (champ.data.get("config") or {}).get("printed") or {}
            gens = champ.metrics.get("search", {}).get("generation")
            chosen = (
                f"one search (pop {cfg.get('pop')}, {gens} generations, seed {_seed_text(champ)})"
            )
        page = f"[{spec['title']}]({link(task)})"
        if task == "mnist256":
            rows += _mnist_headline_rows(records, spec, champ, chosen, page, pub[task])
            continue
        theirs = pub[task]
        for which, label in (
            ("random_weights", "random weights U(-2, 2)"),
            ("random_shared", "random shared weight U(-2, 2)"),
            ("tuned_shared", "tuned shared weight"),
        ):
            m, s, n = champ.condition(which)
            if which == "tuned_shared":
                label += f" (w = {champ.eval()['tuned_weight']:g})"
            rows.append([page, label, pm(m, s), pm(*theirs[which], 0), f"{chosen}; {n} episodes"])
        label = "tuned individual weights"
        if spec["trained"]:
            tr = get(records, spec["trained"])
            m, s, n = tr.condition("trained")
            topo = trained_topology(records, spec)
            how = (
                f"{tr.metrics.get('training', {}).get('method', 'trained')} on seed "
                f"{_seed_text(topo)}'s champion; {n} episodes"
            )
            rows.append([page, label, pm(m, s, 2), pm(*theirs["trained"], 0), how])
        else:
            rows.append([page, label, "not run", pm(*theirs["trained"], 0), DASH])
    header = ["Task", "Condition", "scratchnn", "Published (paper / writeup)", "Runs"]
    return table(header, rows)


def trained_topology(records: dict[str, Record], spec: dict[str, Any]) -> Record:
    """The search whose champion the headline's trained weights belong to, checked: its
    network has as many hidden nodes and connections as the trained one."""
    topo = get(records, spec["trained_topology"])
    a = get(records, spec["trained"]).data.get("network") or {}
    b = topo.data.get("network") or {}
    if not a:  # an MNIST trained folder keeps no network: its parent search is the topology
        a = b if spec["trained"].startswith(topo.name + "/") else {}
    key = ("hidden_nodes", "connections")
    if not a or [a.get(k) for k in key] != [b.get(k) for k in key]:
        raise ResultsError(f"{spec['trained']} is not a network of {topo.name}")
    return topo


def _mlp_headline_rows(rec: Record, link: Callable[[str], str]) -> list[list[str]]:
    from ..experiments import writeup

    m = rec.metrics
    seeds = len(rec.seed) if isinstance(rec.seed, list) else 1
    page = f"[MNIST MLP]({link('mlp')})"
    default = m["lr_sweep"]["0.1"]["test_acc"]
    tuned = m["tuned"]["test_acc"]
    lr1 = m["lr_sweep"]["1"]["test_acc"]
    n = f"{seeds} seeds"
    return [
        [page, "784-128-10 sigmoid, test accuracy, defaults (lr 0.1, reg 0.001)",
         pm(default["mean"], default["std"], 4),
         f"{writeup.LR_TABLE['test_acc'][0.1]:.4f} / {writeup.REG_TABLE['test_acc'][0.001]:.4f} "
         "(writeup: lr / reg table)", n],
        [page, "same, lr 1", pm(lr1["mean"], lr1["std"], 4),
         f"{writeup.LR_TABLE['test_acc'][1.0]:.4f} (writeup)", n],
        [page, "same, tuned (batch 32, lr 0.5, reg 2e-4, 50 epochs)",
         pm(tuned["mean"], tuned["std"], 4), f"{writeup.TUNED['test_acc']:.4f} (writeup)", n],
    ]  # fmt: skip


def _mnist_headline_rows(
    records: dict[str, Record], spec: dict, champ: Record, chosen: str, page: str, theirs: dict
) -> list[list[str]]:
    c = champ.mnist()
    draws = champ.eval()["random_shared"]["n"]
    tr = get(records, spec["trained"]).mnist()["trained"] if spec["trained"] else None
    how = "backprop" + (", refit on 60,000 images" if "refit" in (spec["trained"] or "") else "")
    if spec["trained"]:
        how += f", on seed {_seed_text(trained_topology(records, spec))}'s champion"
    pct = " %"
    return [
        [page, "random shared weight U(-2, 2)",
         pm(c["random_shared"], c["random_shared_sd"], 1, pct),
         pm(*theirs["random_shared"], 1, pct), f"{chosen}; {draws} weights drawn"],
        [page, "ensemble of the six weights", pm(c["ensemble"], None, 2, pct),
         pm(theirs["ensemble"][0], None, 1, pct), chosen],
        [page, f"tuned shared weight (w = {c['tuned_weight']:g})",
         pm(c["tuned_shared"], None, 2, pct), pm(theirs["tuned_shared"][0], None, 1, pct), chosen],
        [page, "trained individual weights", pm(tr, None, 2, " %"),
         pm(theirs["trained"][0], None, 1, " %"), how],
    ]  # fmt: skip


# ---------------------------------------------------------------- MLP


def mlp_writeup(records: dict[str, Record]) -> str:
    """The writeup's three tables: our mean ± sd over seeds beside the writeup's single run."""
    from ..experiments import writeup

    rec = get(records, MLP_RECORD)
    m = rec.metrics
    seeds = len(rec.seed) if isinstance(rec.seed, list) else 1

    def cell(c: dict, theirs: float | None) -> str:
        ours = pm(c["mean"], c["std"], 4) if c.get("mean") is not None else "diverged"
        return ours if theirs is None else f"{ours} ({theirs:.4f})"

    out = [f"Ours: mean ± sd over {seeds} shuffle seeds; the writeup's single run in brackets.\n"]
    lr_keys = {float(k): k for k in m["lr_sweep"]}
    header = [""] + [f"lr {v:g}" for v in writeup.LR_VALUES]
    rows = []
    for metric, label in (("train_acc", "train acc"), ("test_acc", "test acc")):
        rows.append(
            [label]
            + [cell(m["lr_sweep"][lr_keys[v]][metric], writeup.LR_TABLE[metric][v])
               for v in writeup.LR_VALUES]
        )  # fmt: skip
    out.append(table(header, rows))
    reg_keys = {float(k): k for k in m["reg_sweep"]}
    header = [""] + [f"reg {v:g}" for v in writeup.REG_VALUES]
    rows = []
    for metric, label, theirs_key in (
        ("train_acc", "train acc", "train_acc"),
        ("val_acc_last", "val acc, last epoch", "val_acc"),
        ("val_acc_best", "val acc, best epoch", "val_acc"),
        ("test_acc", "test acc", "test_acc"),
    ):
        rows.append(
            [label]
            + [cell(m["reg_sweep"][reg_keys[v]][metric], writeup.REG_TABLE[theirs_key][v])
               for v in writeup.REG_VALUES]
        )  # fmt: skip
    out.append(table(header, rows))
    t = m["tuned"]
    rows = [
        ["train acc", cell(t["train_acc"], writeup.TUNED["train_acc"])],
        ["val acc, best epoch", cell(t["val_acc_best"], writeup.TUNED["val_acc"])],
        ["test acc", cell(t["test_acc"], writeup.TUNED["test_acc"])],
    ]
    out.append(table(["tuned (batch 32, lr 0.5, reg 2e-4, 50 epochs)", ""], rows))
    prov = rec.data.get("versions") or {}
    out.append(
        f"Made by `{rec.data['command']}` at commit {rec.data['commit']}"
        + (" (with uncommitted changes)" if rec.data.get("dirty") else "")
        + f"; scratchnn {prov.get('scratchnn')}, Python {prov.get('python')}, "
        f"NumPy {prov.get('numpy')}, {prov.get('cores')} cores.\n"
    )
    return "\n".join(out)


# ---------------------------------------------------------------- WANN searches


def _control_summary_rows(task: str, records: dict[str, Record]) -> list[list[str]]:
    rows = []
    for prefix, label in FAMILIES[task]:
        recs = searches(records, prefix)
        if not recs:
            continue
        row = [label, str(len(recs))]
        for which in ("tuned_shared", "random_shared", "random_weights"):
            row.append(summarize([r.condition(which)[0] for r in recs]).text(1))
        row.append(summarize([_connections(r) for r in recs]).text(0))
        rows.append(row)
    return rows


def _connections(rec: Record) -> float:
    net = rec.data.get("network") or {}
    if net.get("connections") is None:
        raise ResultsError(f"record {rec.name}: no network summary")
    return float(net["connections"])


def control_searches(records: dict[str, Record], task: str) -> str:
    """A control task's searches: a summary row per family (over its seeds), then one row per
    search of every family (its champion scored by ``wann eval``, 100 episodes per
    condition)."""
    theirs = published()["wann"].get(task)
    out = []
    header = ["Searches", "n", "tuned shared weight", "random shared weight", "random weights",
              "connections"]  # fmt: skip
    out.append(
        "Each search's champion, scored by `scratchnn wann eval` (mean reward over 100 "
        "episodes per condition); per family: mean ± sd over searches (min to max), and from "
        "five searches the interquartile mean [95 % stratified-bootstrap interval].\n"
    )
    out.append(table(header, _control_summary_rows(task, records)))
    if theirs:
        out.append(
            f"The paper's champion: tuned shared weight {pm(*theirs['tuned_shared'], 0)}, "
            f"random shared weight {pm(*theirs['random_shared'], 0)}, random weights "
            f"{pm(*theirs['random_weights'], 0)}.\n"
        )
    header = ["Search", "seed", "tuned w", "tuned shared weight", "random shared weight",
              "random weights", "hidden", "connections", "commit"]  # fmt: skip
    rows = []
    for prefix, _ in FAMILIES[task]:
        for r in searches(records, prefix):
            net = r.data.get("network") or {}
            rows.append(
                [f"`{r.name}`", _seed_text(r), f"{r.eval().get('tuned_weight', float('nan')):g}"]
                + [
                    pm(*r.condition(w)[:2])
                    for w in ("tuned_shared", "random_shared", "random_weights")
                ]
                + [
                    str(net.get("hidden_nodes", DASH)),
                    str(net.get("connections", DASH)),
                    r.data.get("commit") or DASH,
                ]
            )
    out.append(table(header, rows))
    return "\n".join(out)


def _input_file(command: str | None) -> str:
    m = re.search(r"(?:train-weights|eval) (\S+)", command or "")
    return m.group(1).split("/work/main/")[-1] if m else DASH


def control_trained(records: dict[str, Record], prefix: str = "wann-swingup-trained/") -> str:
    """Trained individual weights: every train-weights run under ``prefix`` with an eval,
    best first, and every 1,000-episode evaluation of a network with individual weights."""
    rows = []
    runs = [
        r
        for r in records.values()
        if r.name.startswith(prefix) and "eval" in r.metrics and r.has_condition("trained")
        and r.condition("trained")[2] == 100
    ]  # fmt: skip
    runs.sort(key=lambda r: -r.condition("trained")[0])
    for r in runs:
        tr = r.metrics.get("training", {})
        val = tr.get("validation_score")
        rows.append([
            f"`{r.name}`", f"`{_input_file(r.data.get('command'))}`", str(tr.get("method", DASH)),
            pm(*r.condition("trained")[:2], 2), DASH if val is None else f"{val:.2f}",
            pm(*r.condition("tuned_shared")[:2]), r.data.get("commit") or DASH,
        ])  # fmt: skip
    header = ["Run", "starts from", "method", "individual weights (100 episodes)",
              "validation score", "same topology, tuned shared weight", "commit"]  # fmt: skip
    out = [table(header, rows)]
    rows = []
    for r in sorted(records.values(), key=lambda r: r.name):
        if "eval" not in r.metrics or not r.has_condition("trained"):
            continue
        m, s, n = r.condition("trained")
        if n < 1000:
            continue
        rows.append([f"`{r.name}`", f"`{_input_file(r.data.get('command'))}`", pm(m, s, 2),
                     pm(*r.condition("tuned_shared")[:2]), str(n)])  # fmt: skip
    if rows:
        out.append("On 1,000 episodes:\n")
        out.append(table(["Evaluation", "network", "individual weights",
                          "tuned shared weight", "episodes"], rows))  # fmt: skip
    return "\n".join(out)


def mnist_searches(records: dict[str, Record]) -> str:
    """The MNIST-256 searches: per family over seeds, then per search (test accuracy)."""
    theirs = published()["wann"]["mnist256"]
    out = [
        "Test accuracy on the 10,000 test images of each search's champion (`scratchnn wann "
        "eval`): random shared weight (mean ± sd over 100 draws from U(-2, 2)), the mean of "
        "the six search weights, their ensemble vote, the tuned shared weight, and the "
        "network's weights trained by backpropagation. Per family: mean ± sd over searches "
        "(min to max), from five searches the interquartile mean [95 % stratified-bootstrap "
        "interval].\n"
    ]
    header = ["Searches", "n", "tuned shared weight", "ensemble", "random shared weight",
              "trained (refit)"]  # fmt: skip
    rows = []
    for prefix, label in FAMILIES["mnist256"]:
        recs = searches(records, prefix)
        if not recs:
            continue
        ms = [r.mnist() for r in recs]
        refit = [_trained(records, r, "trained-refit") for r in recs]
        refit = [v for v in refit if v is not None]
        rows.append([
            label, str(len(recs)),
            summarize([m["tuned_shared"] for m in ms]).text(2, unit=" %"),
            summarize([m["ensemble"] for m in ms]).text(2, unit=" %"),
            summarize([m["random_shared"] for m in ms]).text(1, unit=" %"),
            summarize(refit).text(2, unit=" %") if refit else DASH,
        ])  # fmt: skip
    out.append(table(header, rows))
    out.append(
        f"The paper's champion: tuned shared weight {theirs['tuned_shared'][0]} %, ensemble "
        f"{theirs['ensemble'][0]} %, random shared weight {pm(*theirs['random_shared'], 1)} %, "
        f"trained {theirs['trained'][0]} %.\n"
    )
    header = ["Search", "seed", "hidden", "connections", "random shared weight", "six weights",
              "ensemble", "tuned shared weight (w)", "trained", "trained (refit)"]  # fmt: skip
    rows = []
    names = [p for p, _ in FAMILIES["mnist256"]]
    extra = [r for r in records.values() if r.name == "wann-mnist256-authors"]
    for r in [x for p in names for x in searches(records, p)] + extra:
        m = r.mnist()
        net = r.data.get("network") or {}
        rows.append([
            f"`{r.name}`", _seed_text(r), str(net.get("hidden_nodes", DASH)),
            str(net.get("connections", DASH)),
            pm(m["random_shared"], m["random_shared_sd"], 1, " %"),
            pm(m["mean_six"], m["sd_six"], 2, " %"), pm(m["ensemble"], None, 2, " %"),
            f"{pm(m['tuned_shared'], None, 2, ' %')} ({m['tuned_weight']:g})",
            pm(_trained(records, r, "trained"), None, 2, " %"),
            pm(_trained(records, r, "trained-refit"), None, 2, " %"),
        ])  # fmt: skip
    out.append(table(header, rows))
    out.append(
        "`wann-mnist256-authors` is the reference repository's own champion, rebuilt from its "
        "published drawing and scored by the same command: the authors' network, our "
        "evaluation.\n"
    )
    return "\n".join(out)


def _trained(records: dict[str, Record], search: Record, sub: str) -> float | None:
    rec = records.get(f"{search.name}/{sub}")
    if rec is None or "eval" not in rec.metrics:
        return None
    return rec.mnist()["trained"]


def biped(records: dict[str, Record]) -> str:
    """The BipedalWalker search(es): the champion under the reference's reward and the
    standard one, beside the paper's numbers."""
    spec = HEADLINE["biped"]
    rec = get(records, spec["champion"])
    theirs = published()["wann"]["biped"]
    cfg = (rec.data.get("config") or {}).get("printed") or {}
    last = rec.metrics.get("search", {})
    out = [
        f"`{rec.name}`: a search far below the paper's scale: population {cfg.get('pop')}, "
        f"{last.get('generation')} generations run (the paper: 480 and 2,048), seed "
        f"{_seed_text(rec)}. Its champion, scored by `scratchnn wann eval` "
        f"({rec.condition('tuned_shared')[2]} episodes per condition):\n"
    ]
    rows = []
    keys = [k for k in ("eval", "eval-standard") if k in rec.metrics]
    labels = {"eval": "reference reward (no fall penalty)", "eval-standard": "standard reward"}
    for which, label in (
        ("random_weights", "random weights U(-2, 2)"),
        ("random_shared", "random shared weight U(-2, 2)"),
        ("tuned_shared", "tuned shared weight"),
        ("trained", "tuned individual weights"),
    ):
        row = [label]
        src = rec
        if which == "trained" and spec["trained"]:  # the trained weights' own record
            src = get(records, spec["trained"])
        for k in keys:
            row.append(pm(*src.condition(which, k)[:2]) if src.has_condition(which, k) else DASH)
        row.append(pm(*theirs[which], 0))
        rows.append(row)
    out.append(table(["Condition"] + [labels[k] for k in keys] + ["the paper"], rows))
    pool = searches(records, spec["pool"])
    if len(pool) > 1:
        out.append("\nEvery BipedalWalker search, its champion under the reference reward:\n")
        srows = []
        for r in pool:
            c = (r.data.get("config") or {}).get("printed") or {}
            srows.append([
                f"`{r.name}`",
                str(c.get("pop")),
                str(r.metrics.get("search", {}).get("generation")),
                str(c.get("reps")),
                pm(*r.condition("random_shared")[:2]),
                pm(*r.condition("tuned_shared")[:2]),
            ])  # fmt: skip
        out.append(
            table(
                [
                    "search",
                    "population",
                    "generations",
                    "rollouts",
                    "random shared weight",
                    "tuned shared weight",
                ],
                srows,
            )
        )
    return "\n".join(out)


#: the EnvPool backend's record (scripts/biped-envpool.sh): bench and backend agreement
BACKENDS_RECORD = "biped-envpool"
#: cores of the cluster the cost table prices (the paper's machines)
CLUSTER_CORES = 96


def biped_backends(records: dict[str, Record]) -> str:
    """The two backends side by side (``wann bench --gym biped``), the paper preset's cost on
    each, and fixed networks scored on both (``wann bench --agree``)."""
    rec = get(records, BACKENDS_RECORD)
    bench = rec.metrics.get("bench-biped")
    if not isinstance(bench, dict) or "backends" not in bench:
        raise ResultsError(f"record {rec.name}: no metrics.bench-biped of both backends")
    g, e = bench["backends"]["gymnasium"], bench["backends"]["envpool"]
    ratio = bench["ratio"]

    def us(x: float) -> str:
        return f"{1e6 * x:.1f} µs"

    out = [
        f"Cost per step, CPU time of one core, {bench['episodes']} generation-0 episodes "
        f"(`scratchnn wann bench --gym biped`), then one whole generation-0 evaluation of "
        f"{bench['generation_pop']} networks at six weights on {bench['workers']} workers, wall "
        "clock, the backends alternating:\n",
        table(
            ["", "gymnasium", "envpool", "gymnasium / envpool"],
            [
                [
                    "environment step alone",
                    us(g["seconds_per_env_step"]),
                    us(e["seconds_per_env_step"]),
                    f"{ratio['env_step']:.1f}x",
                ],
                [
                    "episode step, whole loop",
                    us(g["seconds_per_episode_step"]),
                    us(e["seconds_per_episode_step"]),
                    f"{ratio['episode_step']:.1f}x",
                ],
                [
                    "network step",
                    us(g["seconds_per_network_step"]),
                    us(e["seconds_per_network_step"]),
                    DASH,
                ],
                [
                    "generation (wall clock)",
                    f"{g['generation_seconds']:.2f} s",
                    f"{e['generation_seconds']:.2f} s",
                    f"{ratio['generation']:.1f}x",
                ],
            ],
        ),
        "",
        f"The paper preset (population 480, 2,048 generations, 4 rollouts per weight) priced "
        f"from these costs: core-hours between every episode as short as generation 0's and "
        f"every episode the full 1,600 steps, and hours on {CLUSTER_CORES} cores with perfect "
        "scaling:\n",
    ]
    rows = []
    for name, b in (("gymnasium", g), ("envpool", e)):
        p = b["presets"]["paper"]
        lo = p["seconds_per_generation_gen0"] * p["generations"] / 3600
        hi = p["seconds_per_generation_max"] * p["generations"] / 3600
        rows.append(
            [name, f"{lo:,.0f}-{hi:,.0f}", f"{lo / CLUSTER_CORES:.1f}-{hi / CLUSTER_CORES:.1f}"]
        )
    out.append(table(["backend", "core-hours", f"hours on {CLUSTER_CORES} cores"], rows))
    agree = [(k, rec.metrics[k]) for k in ("agree-cartpole", "agree-biped") if k in rec.metrics]
    if agree:
        out += [
            "",
            "Fixed networks on both backends (`scratchnn wann bench --gym TASK --agree NETWORK`):"
            " the backends draw different terrains and initial states for a seed, so they are "
            "compared in distribution, mean against mean:\n",
        ]
        rows = []
        for _, a in agree:
            d = abs(a["difference"]) / a["se"]
            rows.append([
                f"{a['task']}: `{a['network']}` at w = {a['weight']:g}",
                str(a["gymnasium"]["n"]),
                pm(a["gymnasium"]["mean"], a["gymnasium"]["std"]),
                pm(a["envpool"]["mean"], a["envpool"]["std"]),
                f"{a['difference']:+.2f}",
                f"{a['se']:.2f}",
                f"{d:.2f}",
                "agree" if a["agree"] else "differ",
            ])  # fmt: skip
        out.append(
            table(
                [
                    "network",
                    "episodes each",
                    "gymnasium",
                    "envpool",
                    "difference",
                    "standard error",
                    "standard errors apart",
                    "under 2 SE",
                ],
                rows,
            )
        )
    return "\n".join(out)


def generate(records: dict[str, Record]) -> dict[str, str]:
    """Every generated file: name -> Markdown text (banner line first)."""

    def page(name: str) -> str:
        return f"{name}.md"

    parts = {
        "headline.md": headline(records, page),
        "mlp-writeup.md": mlp_writeup(records),
        "mlp-speed.md": mlp_speed(records),
        "swingup-searches.md": control_searches(records, "swingup"),
        "swingup-trained.md": control_trained(records),
        "mnist256-searches.md": mnist_searches(records),
        "biped.md": biped(records),
        "review.md": review_table(records),
    }
    if BACKENDS_RECORD in records:
        parts["biped-backends.md"] = biped_backends(records)
    return {k: BANNER + "\n\n" + v for k, v in parts.items()}


def readme_headline(records: dict[str, Record]) -> str:
    """The headline as README.md shows it: links to ``docs/results/<page>.md``."""
    return headline(records, lambda name: f"docs/results/{name}.md")
