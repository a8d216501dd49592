"""Writing run records (``run.json``, :mod:`.records`): the record of one run's output folder.

:func:`write_record` writes the record of a run whose files are in a folder: what it is
(``kind``), the command that made it, its seed, config and summary ``metrics``, where it came
from (the commit of scratchnn's checkout, whether that had uncommitted changes, the versions of
Python, NumPy and scratchnn, the machine) and the sha256 and size of every file in the folder.
``scratchnn reproduce`` writes one beside its report; a run of your own gets one with a call::

    from scratchnn.results import write_record
    write_record("runs/h256", kind="train", command="python train.py --hidden 256", seed=0,
                 config={"hidden": 256}, metrics={"test_acc": 0.9712})

and ``scratchnn results runs`` then tabulates it beside the others.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError, shown
from ..fileio import atomic_write_text
from ..validation import instance
from .records import RECORD, SCHEMA

#: the versions a record keeps, as :func:`scratchnn.experiments.provenance.collect` names them
VERSIONS = ("scratchnn", "python", "numpy", "platform", "cpu", "cores")


def provenance_fields(provenance: Mapping[str, Any], extra: Sequence[str] = ()) -> dict[str, Any]:
    """A record's ``commit`` (short), ``dirty`` and ``versions`` (the :data:`VERSIONS` and
    ``extra`` keys) from a provenance dict (:func:`scratchnn.experiments.provenance.collect`'s:
    ``git_commit`` is ``<sha>`` or ``<sha>+dirty``, None outside a checkout)."""
    commit = provenance.get("git_commit") or ""
    return {
        "commit": commit.split("+")[0][:7] or None,
        "dirty": commit.endswith("+dirty") if commit else None,
        "versions": {k: provenance.get(k) for k in (*VERSIONS, *extra)},
    }


def sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def artifacts(folder: Path) -> dict[str, dict[str, Any]]:
    """Every file directly in ``folder`` but the record, by name: its sha256, size in bytes and
    ``in_tree`` (true: the file is kept beside the record)."""
    return {
        f.name: {"sha256": sha256(f), "bytes": f.stat().st_size, "in_tree": True}
        for f in sorted(Path(folder).iterdir())
        if f.is_file() and f.name != RECORD
    }


def new_record(
    folder: Path | str,
    *,
    kind: str,
    command: str | None,
    metrics: Mapping[str, Any],
    seed: Any = None,
    config: Any = None,
    commands: Sequence[Mapping[str, Any]] | None = None,
    provenance: Mapping[str, Any] | None = None,
    wall_s: float | None = None,
    root: Path | str | None = None,
    extra_versions: Sequence[str] = (),
) -> dict[str, Any]:
    """The record (a JSON-able dict, schema ``scratchnn.run/1``) of the run whose files are in
    ``folder``, named by its path relative to ``root`` (default: ``folder``'s parent).
    ``provenance``: where the run came from (default: this process's,
    :func:`scratchnn.experiments.provenance.collect`); ``commands``: every command of the run as
    ``{"log", "command", "context"}`` (default: ``command`` alone). A record whose provenance
    has no commit (an installed wheel, no git) lists ``commit`` and ``dirty`` as ``missing``."""
    folder = Path(folder)
    if provenance is None:
        from ..experiments.provenance import collect

        provenance = collect([])
    made = provenance_fields(provenance, extra_versions)
    if commands is None:
        commands = [] if command is None else [{"log": None, "command": command, "context": None}]
    root = folder.parent if root is None else Path(root)
    try:
        name = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ConfigError(
            f"root {shown(str(root))} does not hold folder {shown(str(folder))}"
        ) from None
    return {
        "schema": SCHEMA,
        "name": name,
        "kind": kind,
        "command": command,
        "commands": [dict(c) for c in commands],
        "commit": made["commit"],
        "dirty": made["dirty"],
        "seed": seed,
        "config": config,
        "versions": made["versions"],
        "missing": [] if made["commit"] else ["commit", "dirty"],
        "network": None,
        "metrics": dict(metrics),
        "time": {"wall_s": wall_s, "user_s": None},
        "artifacts": artifacts(folder),
    }


def record_text(record: Mapping[str, Any]) -> str:
    """A record as its ``run.json`` holds it: indented JSON, UTF-8 kept, a final newline."""
    return json.dumps(record, indent=1, ensure_ascii=False) + "\n"


def write_record(
    folder: Path | str,
    *,
    kind: str,
    command: str | None = None,
    metrics: Mapping[str, Any],
    seed: Any = None,
    config: Any = None,
    commands: Sequence[Mapping[str, Any]] | None = None,
    provenance: Mapping[str, Any] | None = None,
    wall_s: float | None = None,
    root: Path | str | None = None,
) -> Path:
    """Write ``folder/run.json``, the record of the run whose files are in ``folder``
    (:func:`new_record`, which says what each argument holds), atomically; returns its path.
    The arguments are checked first: ``folder`` an existing folder, ``kind`` a non-empty
    string, ``command`` a string or None, ``metrics`` a mapping, the record JSON-able."""
    folder = Path(instance(folder, "folder", (str, Path), "a folder's path"))
    if not folder.is_dir():
        raise ConfigError(f"folder {shown(str(folder))} is not an existing folder")
    if not isinstance(kind, str) or not kind.strip():
        raise ConfigError(f"kind must be a non-empty string (e.g. 'train'), got {shown(kind)}")
    if command is not None:
        instance(command, "command", str, "a string (the command line) or None")
    instance(metrics, "metrics", Mapping, "a mapping of names to numbers")
    if commands is not None:
        instance(commands, "commands", (list, tuple), "a list of {log, command, context} dicts")
        for c in commands:
            instance(c, "commands[i]", Mapping, "a {log, command, context} dict")
    if provenance is not None:
        instance(provenance, "provenance", Mapping, "a provenance dict")
    record = new_record(
        folder, kind=kind, command=command, metrics=metrics, seed=seed, config=config,
        commands=commands, provenance=provenance, wall_s=wall_s, root=root,
    )  # fmt: skip
    try:
        text = record_text(record)
    except (TypeError, ValueError) as exc:
        raise DataError(f"the record of {folder} is not JSON-able: {exc}") from None
    path = folder / RECORD
    atomic_write_text(path, text)
    return path
