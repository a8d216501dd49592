"""Per experiment, the commands that made its headline numbers, as the run records hold them.

One generated file per experiment (``docs/results/_generated/commands-<name>.md``) lists, in
order, every command of the runs behind the headline rows: the search, the stages that trained
its individual weights (followed back through each stage's input file to the search it starts
from), and the evaluations. The commands are verbatim, with the paths of the machine they ran
on; the records (``results/<run>/run.json``) hold their commits and contexts.
"""

from __future__ import annotations

import re

from scratchnn.results.records import Record, ResultsError, get

#: experiments: title and the records of their headline rows (trained-weight records are
#: followed back to their search)
EXPERIMENTS: dict[str, dict] = {
    "mlp": {"title": "the writeup's MLP experiments", "records": ["mlp-writeup"]},
    "swingup": {
        "title": "SwingUp",
        "records": ["wann-swingup-tourn2-seed29", "wann-swingup-trained/s12/a3r"],
    },
    "mnist256": {
        "title": "MNIST-256",
        "records": ["wann-mnist256-alias-seed0", "wann-mnist256-alias-seed0/trained-refit"],
    },
    "biped": {"title": "BipedalWalker", "records": ["wann-biped-reduced"]},
    "cartpole": {"title": "CartPole", "records": ["wann-cartpole-seed0"]},
}
_INPUT = re.compile(r"wann train-weights (\S+)")
_OUT = re.compile(r"--out (\S+)")


def _folder(path: str) -> str:
    """A champion file's folder, without a checkout's or a machine's prefix."""
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    return folder.split("/work/main/")[-1]


def source_of(records: dict[str, Record], rec: Record) -> Record | None:
    """The record whose output a train-weights record ``rec`` started from (a search or an
    earlier stage), matched by folder name or by that run's ``--out``; None when ``rec``
    is not a train-weights run or its input is outside the records."""
    m = _INPUT.search(rec.data.get("command") or "")
    if not m:
        return None
    folder = _folder(m.group(1))
    if not folder:  # a file in the run's own parent folder (best.json beside trained/)
        parent = rec.name.rsplit("/", 1)[0]
        return records.get(parent) if "/" in rec.name else None
    if folder.startswith("results/") and folder[len("results/") :] in records:
        return records[folder[len("results/") :]]
    for other in records.values():
        for c in other.data.get("commands") or []:
            out = _OUT.search(c["command"])
            if out and out.group(1).rstrip("/") == folder and "train-weights" in c["command"]:
                return other
    return None


def chain(records: dict[str, Record], name: str) -> list[Record]:
    """``name``'s record preceded by every record it was made from, oldest first."""
    out = [get(records, name)]
    while (prev := source_of(records, out[0])) is not None:
        if prev in out:
            raise ResultsError(f"record {name}: its inputs form a cycle at {prev.name}")
        out.insert(0, prev)
    return out


def commands_page(records: dict[str, Record], key: str) -> str:
    """The Markdown list of ``EXPERIMENTS[key]``'s commands, run by run."""
    seen: list[Record] = []
    for name in EXPERIMENTS[key]["records"]:
        for rec in chain(records, name):
            if rec not in seen:
                seen.append(rec)
    lines = [
        f"Every command behind the headline rows of {EXPERIMENTS[key]['title']}, run by run "
        "(oldest first), as the run records hold them (paths are those of the machine they "
        "ran on):",
        "",
    ]
    for rec in seen:
        commit = rec.data.get("commit") or "not recorded"
        lines += [f"`results/{rec.name}` (commit {commit}):", "", "```bash"]
        # scratchnn's own commands (a removed analysis script's line is left to the record)
        cmds = [c["command"] for c in rec.data.get("commands") or [] if "scratchnn" in c["command"]]
        order = ("reproduce", "wann search", "wann train-weights", "wann eval")
        cmds.sort(key=lambda c: next((i for i, v in enumerate(order) if v in c), len(order)))
        lines += cmds or [rec.data.get("command") or "# no command recorded"]
        lines += ["```", ""]
    return "\n".join(lines)
