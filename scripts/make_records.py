"""Write ``run.json`` records: every run folder under ``results/`` (run once), and one new run's
output (``--mlp``, ``--bench``).

A one-off migration: it reads what each folder already holds (the command lines and commits at
the top of its logs, ``/usr/bin/time -v`` blocks, ``config.yaml``, the settings line a search
prints, ``eval*.json``, ``trained.json``'s training summary, bench JSONs) and writes the record
that :mod:`scratchnn.results` reads. Nothing is typed by hand: every number comes from a file.
Fields a folder cannot supply (versions, mostly; the dirty flag) are ``null`` and the record says
so in ``missing``. The record also lists every file of the folder with its sha256 and size and
whether it stays in the tree (see :func:`keep`): files left out keep their checksum and the
command that remakes them.

After the files marked ``"in_tree": false`` left the tree, each of their entries gained
``source``: ``git show COMMIT:PATH`` with the last commit that holds the file.

Usage: ``python scripts/make_records.py results [--only results/FOLDER]`` (writes ``run.json``
files, prints a summary); a folder that has a record already is skipped unless ``--force`` is
given. ``--mlp FOLDER COMMAND`` records a ``scratchnn reproduce`` output copied into FOLDER,
``--review FOLDER COMMAND`` a ``scratchnn review --json FOLDER/review.json`` run,
``--bench FOLDER COMMAND`` the ``scratchnn bench --json`` summaries ``make bench`` writes into
FOLDER (COMMAND: the command that made the output). Both take the commit, the dirty flag, the
versions and the machine from the provenance the run stored.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from scratchnn.experiments.reproduce import record_metrics
from scratchnn.results.records import RECORD, SCHEMA
from scratchnn.results.writer import new_record, provenance_fields, record_text, sha256

LOG_LIMIT = 50_000  # logs over this size leave the tree (per-generation lines)
SCRIPT_SUFFIXES = (".py", ".sh")

CMD_RE = re.compile(r"^(?:command|Command): (.*?)\s+\((.*)\)\s*$")
TIMED_RE = re.compile(r'^\s*Command being timed: "(.*)"\s*$')
COMMIT_RE = re.compile(r"\b(?:commit|at) ([0-9a-f]{7,40})\b|\b[a-z0-9]+ ([0-9a-f]{7,40})(\+\S+)?,")
SETTINGS_RE = re.compile(r"^(\w[\w:-]*) \((.*?)\): (pop .*?)(?:; checkpoint.*)?$")
GEN_RE = re.compile(r"^gen\s+(\d+)\s.*champion\s+([+-]?[\d.]+)")
WALL_RE = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
USER_RE = re.compile(r"User time \(seconds\): (\S+)")
HEAD = "HEAD"  # the commit that still holds the removed scripts and READMEs (set in main)


def parse_settings(text: str) -> dict:
    """'pop 192, generations 1024, reps 3, tournament 8 x 2, elite 0.2, ...' as a dict."""
    out: dict = {}
    weights = re.search(r"weights (\[.*?\])", text)
    if weights:
        out["weights"] = json.loads(weights.group(1))
        text = text[: weights.start()] + text[weights.end() :]
    for part in text.split(","):
        part = part.strip()
        m = re.match(r"^([a-z_ ]+?) (\S.*)$", part)
        if not m:
            continue
        key, val = m.group(1).strip().replace(" ", "_"), m.group(2).strip()
        t = re.match(r"^(\d+) x (\d+)$", val)
        if t:
            out[key], out["tournaments"] = int(t.group(1)), int(t.group(2))
            continue
        try:
            out[key] = int(val)
        except ValueError:
            try:
                out[key] = float(val)
            except ValueError:
                out[key] = val
    if "tournament" in out and "tournaments" not in out:
        out["tournaments"] = 1
    return out


def seconds(hms: str) -> float:
    parts = [float(p) for p in hms.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def read_logs(folder: Path) -> dict:
    """Commands (with their parenthetical context), timed commands, commit, settings, wall and
    user seconds, the last generation line, from every ``*.log`` of the folder."""
    commands, timed, commits, settings, wall, user, last_gen = [], [], [], None, 0.0, 0.0, None
    for log in sorted(folder.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            m = CMD_RE.match(line)
            if m:
                commands.append({"log": log.name, "command": m.group(1), "context": m.group(2)})
                c = COMMIT_RE.search(m.group(2) + ",")
                if c:
                    commits.append((c.group(1) or c.group(2)) + (c.group(3) or ""))
                continue
            m = TIMED_RE.match(line)
            if m:
                timed.append({"log": log.name, "command": m.group(1)})
                continue
            if settings is None and log.name.startswith("search"):
                m = SETTINGS_RE.match(line)
                if m:
                    settings = {"task": m.group(1), "preset": m.group(2), "line": line}
                    settings.update(parse_settings(m.group(3)))
            m = GEN_RE.match(line)
            if m and log.name.startswith("search"):
                last_gen = {"generation": int(m.group(1)), "champion_fitness": float(m.group(2))}
            m = WALL_RE.search(line)
            if m:
                wall += seconds(m.group(1))
            m = USER_RE.search(line)
            if m:
                user += float(m.group(1))
    return {
        "commands": commands,
        "timed": timed,
        "commits": commits,
        "settings": settings,
        "wall_s": round(wall, 2) if wall else None,
        "user_s": round(user, 2) if user else None,
        "last_generation": last_gen,
    }


def eval_summary(data: dict) -> dict:
    """An eval JSON without its per-weight sweep and per-digit curves
    (``Evaluation.to_dict(sweeps=False)``); other JSONs (bench, baselines) as they are."""
    from scratchnn.errors import ScratchnnError
    from scratchnn.wann.evaluation import Evaluation

    try:
        return Evaluation.from_dict(data).to_dict(sweeps=False)
    except ScratchnnError:
        pass
    # bench and baseline JSONs are small: kept whole, scalars and short lists only
    return {k: v for k, v in data.items() if len(json.dumps(v)) < 2000}


def training_summary(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    t = data.get("training") if isinstance(data, dict) else None
    if not isinstance(t, dict):
        return None
    return {k: v for k, v in t.items() if k != "history" and len(json.dumps(v)) < 2000}


def network_summary(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    g = data.get("genome", data) if isinstance(data, dict) else None
    if not isinstance(g, dict) or "conns" not in g:
        return None
    kinds = [n[1] for n in g.get("nodes", [])]
    return {
        "inputs": g.get("n_in"),
        "outputs": g.get("n_out"),
        "hidden_nodes": kinds.count("hidden"),
        "connections": sum(1 for c in g["conns"] if (c[3] if len(c) > 3 else True)),
        "individual_weights": data.get("weights") is not None,
    }


def keep(path: Path) -> bool:
    """Whether a file stays in the tree: records, evaluations, small logs and tables, champion
    topologies (``best.json``) and trained control-task weights as the reference CSV (small);
    checkpoints, drawings, per-generation statistics, CSV copies of a JSON champion, trained
    MNIST-256 weights, trained JSONs with their training history, logs over 50 KB and one-off
    scripts leave it."""
    name, size = path.name, path.stat().st_size
    if name in (RECORD,):
        return True
    if path.suffix in (".npz", ".png") or path.suffix in SCRIPT_SUFFIXES or name == "README.md":
        return False
    if name == "stats.csv" or name == "trained.json":
        return False
    if name == "best.csv" and (path.parent / "best.json").exists():
        return False
    if name == "trained.csv":
        return size < 100_000
    if path.suffix in (".log", ".out") and size > LOG_LIMIT:
        return False
    return size < 1_000_000


def producer(name: str, commands: list[dict], timed: list[dict]) -> str | None:
    """The command that wrote file ``name``: one that names it, else by its kind."""
    texts = [c["command"] for c in commands] or [t["command"] for t in timed]
    for t in texts:
        if re.search(r"(^|[\s/])" + re.escape(name) + r"(\s|$)", t):
            return t
    groups = {
        "search": ("checkpoint.npz", "stats.csv", "fitness.png", "network.png", "best.csv",
                   "best.json", "search.log"),
        "train-weights": ("checkpoint.npz", "trained.json", "trained.csv", "train.log"),
        "eval": ("eval.json", "eval.png", "eval.log", "table.md"),
    }  # fmt: skip
    for verb, names in groups.items():
        if name in names:
            for t in texts:
                if f" {verb} " in t or f"wann {verb}" in t:
                    return t
    return None


def seed_of(command: str | None, settings: dict | None, training: dict | None) -> int | None:
    """``--seed`` of the command, else the seed the run printed or stored in trained.json."""
    if command:
        m = re.search(r"--seed[ =](\d+)", command)
        if m:
            return int(m.group(1))
    if settings and isinstance(settings.get("seed"), int):
        return settings["seed"]
    cfg = (training or {}).get("config")
    if isinstance(cfg, dict) and isinstance(cfg.get("seed"), int):
        return cfg["seed"]
    return None


def kind_of(commands: list[str]) -> str:
    for verb in ("wann search", "wann train-weights", "wann bench", "wann eval", "reproduce"):
        if any(verb in c for c in commands):
            return verb.replace(" ", "-")
    return "other"


def make_record(folder: Path, root: Path) -> dict:
    logs = read_logs(folder)
    cmds = [c["command"] for c in logs["commands"]]
    # a timed command whose run printed no "command:" line (a script's /usr/bin/time -v)
    extra = [t for t in logs["timed"] if not any(c.split(" ", 1)[-1] in t["command"] for c in cmds)]
    logs["commands"] += extra
    all_cmds = cmds + [t["command"] for t in extra]
    kind = kind_of(all_cmds)
    main = next((c for c in all_cmds if kind.replace("-", " ", 1) in c), None)
    config: dict = {}
    if (folder / "config.yaml").exists():
        config["file"] = yaml.safe_load((folder / "config.yaml").read_text())
    if logs["settings"]:
        config["printed"] = logs["settings"]
    metrics: dict = {}
    for js in sorted(folder.glob("*.json")):
        if js.name in (RECORD, "best.json", "trained.json", "dense10.json", "zoo.json"):
            continue
        if js.name == "cmalog.json":
            continue
        try:
            data = json.loads(js.read_text())
        except ValueError:
            continue
        if isinstance(data, dict):
            metrics[js.stem] = eval_summary(data)
    training = training_summary(folder / "trained.json")
    if training:
        metrics["training"] = training
    if logs["last_generation"]:
        metrics["search"] = logs["last_generation"]
    network = None
    for name in ("trained.json", "best.json"):
        if (folder / name).exists():
            network = network_summary(folder / name)
            if network:
                network["file"] = name
                break
    artifacts = {}
    for f in sorted(p for p in folder.iterdir() if p.is_file() and p.name != RECORD):
        kept = keep(f)
        entry = {"sha256": sha256(f), "bytes": f.stat().st_size, "in_tree": kept}
        if not kept:
            if f.suffix in SCRIPT_SUFFIXES or f.name == "README.md":
                entry["source"] = f"git show {HEAD}:{f.as_posix()}"
            else:
                entry["remake"] = producer(f.name, logs["commands"], logs["timed"])
        artifacts[f.name] = entry
    commit = logs["commits"][0] if logs["commits"] else None
    ent = next((c for c in logs["commands"] if c["command"] == main and "context" in c), None)
    m = COMMIT_RE.search(ent["context"] + ",") if ent else None
    if m:  # the commit of the main command (a later re-evaluation may name another)
        commit = (m.group(1) or m.group(2)) + (m.group(3) or "")
    missing = ["versions"]
    if commit is None:
        missing.append("commit")
    missing.append("dirty")
    record = {
        "schema": SCHEMA,
        "name": folder.relative_to(root).as_posix(),
        "kind": kind,
        "command": main,
        "commands": logs["commands"],
        "commit": commit.split("+")[0] if commit else None,
        "dirty": True if commit and "+" in commit else None,
        "seed": seed_of(main, logs["settings"], training),
        "config": config or None,
        "versions": None,
        "missing": missing,
        "network": network,
        "metrics": metrics,
        "time": {"wall_s": logs["wall_s"], "user_s": logs["user_s"]},
        "artifacts": artifacts,
    }
    if record["dirty"]:
        record["missing"].remove("dirty")
    return record


def run_folders(root: Path) -> list[Path]:
    out = []
    for d in sorted({p.parent for p in root.rglob("*") if p.is_file()}):
        names = {p.name for p in d.iterdir() if p.is_file()}
        if names - {RECORD, "README.md"}:
            out.append(d)
    return out


#: the provenance fields (``scratchnn.experiments.provenance.collect``) a record's versions keep
#: a benchmark's further versions (``scratchnn.benchmarks.runner.provenance``)
BENCH_VERSIONS = ("scipy", "threadpoolctl", "numba", "torch", "scikit-learn", "blas")
#: the JSON files a ``make bench`` folder holds, one per batch size
BENCH_GLOB = "bench-*.json"


def mlp_record(folder: Path, root: Path, command: str) -> dict:
    """The record of a ``scratchnn reproduce`` output copied into ``folder`` (its
    ``results.json`` holds the tables and the provenance: commit, dirty flag, versions)."""
    data = json.loads((folder / "results.json").read_text())
    prov = data["provenance"]
    metrics = record_metrics(data)
    commands = [{"log": "reproduce.log", "command": command, "context": prov.get("date")}]
    return new_record(
        folder, kind="reproduce", command=command, commands=commands, provenance=prov,
        seed=prov.get("shuffle_seeds"), config=data["settings"], metrics=metrics,
        wall_s=data.get("seconds_total_this_invocation"), root=root,
    )  # fmt: skip


def bench_record(folder: Path, root: Path, command: str) -> dict:
    """The record of ``make bench``: the ``scratchnn bench --json`` summaries in ``folder``
    (``bench-*.json``, one per batch size), each under ``metrics[<file stem>]`` without its
    provenance. The runs must share a commit and every setting but the batch size."""
    files = sorted(folder.glob(BENCH_GLOB))
    if not files:
        raise SystemExit(f"{folder}: no {BENCH_GLOB} (scratchnn bench --json) to record")
    runs = {f.stem: json.loads(f.read_text()) for f in files}
    first = next(iter(runs.values()))
    settings = {k: v for k, v in first["setup"].items() if k != "batch_size"}

    def shared(run: dict) -> dict:
        """What every run of one record has in common: settings, commit, versions."""
        prov = provenance_fields(run["provenance"], BENCH_VERSIONS)
        setup = {k: v for k, v in run["setup"].items() if k != "batch_size"}
        return setup | prov["versions"] | {"commit": prov["commit"], "dirty": prov["dirty"]}

    a = shared(first)
    for stem, run in runs.items():
        b = shared(run)
        differ = sorted(f"{k} {a.get(k)} / {b.get(k)}" for k in a.keys() | b.keys()
                        if a.get(k) != b.get(k))  # fmt: skip
        if differ:
            raise SystemExit(
                f"{folder}: {stem}.json differs from {files[0].name} ({', '.join(differ)}); one "
                "record holds runs of one commit and one setup (make bench, on a quiet tree)"
            )
    metrics = {
        stem: {k: v for k, v in run.items() if k not in ("provenance", "command")}
        for stem, run in runs.items()
    }
    commands = [
        {
            "log": f"{stem}.json",
            "command": run["command"],
            "context": f"commit {run['provenance']['git_commit']}, {run['provenance']['date']}",
        }
        for stem, run in runs.items()
    ]
    config = settings | {"batch_sizes": [run["setup"]["batch_size"] for run in runs.values()]}
    wall_s = sum(run["wall_s"] for run in runs.values())
    return new_record(
        folder, kind="bench", command=command, commands=commands, provenance=first["provenance"],
        extra_versions=BENCH_VERSIONS, seed=settings.get("seed"), config=config, metrics=metrics,
        wall_s=wall_s, root=root,
    )  # fmt: skip


def review_record(folder: Path, root: Path, command: str) -> dict:
    """The record of a ``scratchnn review --json review.json`` run copied into ``folder``: per
    claim its verdict, rule and evidence line (the whole evidence stays in ``review.json``);
    the commit, dirty flag and versions from the provenance the run stored."""
    from scratchnn.review.run import CLAIMS

    data = json.loads((folder / "review.json").read_text())
    prov = data["provenance"]
    claims = [
        {"claim": c["claim"], "text": c["text"], "verdict": c["verdict"], "rule": c["rule"],
         "evidence": CLAIMS[c["claim"]].evidence_line(c)}
        for c in data["claims"]
    ]  # fmt: skip
    commands = [{"log": "review.log", "command": command, "context": prov.get("date")}]
    metrics = {"scale": data["scale"], "claims": claims, "seconds": data["seconds"]}
    return new_record(
        folder, kind="review", command=command, commands=commands, provenance=prov,
        seed=data["seed"], config={"scale": data["scale"]}, metrics=metrics,
        wall_s=data["seconds"].get("total"), root=root,
    )  # fmt: skip


#: the outputs recorded by ``--mlp``, ``--bench`` and ``--review FOLDER COMMAND``
OUTPUTS = {"--mlp": mlp_record, "--bench": bench_record, "--review": review_record}


def main(argv: list[str]) -> int:
    global HEAD
    HEAD = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if argv and argv[0] in OUTPUTS:  # --mlp / --bench FOLDER COMMAND: one output's record
        folder = Path(argv[1])
        rec = OUTPUTS[argv[0]](folder, folder.parent, argv[2])
        (folder / RECORD).write_text(record_text(rec))
        print(f"{folder / RECORD}: {rec['kind']}, commit {rec['commit']}, dirty {rec['dirty']}")
        return 0
    root = Path(argv[0] if argv else "results")
    folders = run_folders(root)
    if len(argv) > 2 and argv[1] == "--only":  # ROOT --only FOLDER: one folder's record
        folders = [Path(argv[2])]
    force = "--force" in argv
    n = 0
    for folder in folders:
        if folder.name == "mlp-writeup":
            continue
        if (folder / RECORD).exists() and not force:
            # a record outlives the files it describes: rewriting it from a slimmed folder
            # would lose the entries of the files that left the tree
            print(f"{folder}: has a record already (--force rewrites it)")
            continue
        rec = make_record(folder, root)
        (folder / RECORD).write_text(record_text(rec))
        n += 1
        print(f"{rec['name']}: {rec['kind']}, seed {rec['seed']}, commit {rec['commit']}")
    print(f"{n} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
