"""The model zoo: the best network per task, shipped inside the package.

``scratchnn/zoo/<name>/`` holds, per entry (``swingup``, ``mnist256``, ``cartpole``; a
``biped`` slot waits for a search at the paper's scale):

- ``best.json``: the champion topology (one shared weight), ``eval.json``: its evaluation;
- ``trained.json`` / ``trained-eval.json``: trained individual weights and their evaluation,
  where there are some;
- ``zoo.json``: the manifest (task, files, sha256, the run records they come from) and
  ``MODEL_CARD.md``, both generated from the run records by ``make results`` (in a clone of
  the repository: ``scripts/publication``).

A zoo name works wherever a champion file does: ``NAME`` is the champion, ``NAME:trained`` its
trained individual weights, e.g. ``scratchnn wann eval swingup:trained --task swingup`` or
``load_champion("mnist256")``. :func:`resolve` is the hook: the commands pass every path
through it before :func:`~scratchnn.wann.networks.formats.load_network`, so an existing file
always wins over a zoo name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, ScratchnnError, shown
from .networks.genome import Genome

#: NAME or NAME:trained
_NAME = re.compile(r"^([a-z][a-z0-9_-]*)(?::(champion|trained))?$")
#: anything shaped like a zoo name (checked by :data:`_NAME` once it names a zoo entry)
_LOOSE = re.compile(r"^([a-z][a-z0-9_-]*)(?::([\w-]*))?$")


def zoo_dir() -> Path:
    """The zoo folder inside the installed package."""
    return Path(str(resources.files("scratchnn") / "zoo"))


def zoo_names() -> list[str]:
    """Names of the zoo entries (folders with a ``zoo.json``), sorted."""
    root = zoo_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "zoo.json").is_file())


def manifest(name: str) -> dict[str, Any]:
    """The ``zoo.json`` of entry ``name``; a one-line error naming the entries otherwise."""
    path = zoo_dir() / name / "zoo.json"
    if not path.is_file():
        raise ConfigError(
            f"no zoo champion {shown(name)} (the zoo holds: {', '.join(zoo_names()) or 'nothing'})"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _split(spec: str) -> tuple[str, str]:
    m = _NAME.match(spec) if isinstance(spec, str) else None
    if not m:
        raise ConfigError(
            f"{shown(spec)} is not a zoo name (NAME or NAME:trained; the zoo holds: "
            f"{', '.join(zoo_names()) or 'nothing'})"
        )
    return m.group(1), m.group(2) or "champion"


def zoo_path(spec: str) -> Path:
    """The file of zoo name ``spec``: ``NAME`` -> the champion's ``best.json``,
    ``NAME:trained`` -> ``trained.json``."""
    name, part = _split(spec)
    entry = manifest(name).get(part)
    if not entry:
        raise ConfigError(
            f"zoo champion {name!r} has no trained individual weights; load {name!r} instead"
        )
    return zoo_dir() / name / entry["file"]


def resolve(path: Path | str) -> Path:
    """``path`` itself when it exists (or is not shaped like a zoo name), else the zoo file
    it names: what the commands call before
    :func:`~scratchnn.wann.networks.formats.load_network`."""
    p = Path(path)
    text = str(path)
    m = _LOOSE.match(text)
    if p.exists() or not m:
        return p
    name = m.group(1)
    if name not in zoo_names():
        raise ScratchnnError(
            f"no file {text} and no zoo champion {name!r} (the zoo holds: "
            f"{', '.join(zoo_names()) or 'nothing'})"
        )
    return zoo_path(text)


def task_for(path: Path | str, task: str | None) -> str:
    """The task to evaluate ``path`` on: ``task`` when given, else the zoo entry's task when
    ``path`` is a zoo name (not an existing file); otherwise a one-line error."""
    if task:
        return task
    m = _LOOSE.match(str(path))
    if m and not Path(path).exists() and m.group(1) in zoo_names():
        return str(manifest(m.group(1))["task"])
    raise ScratchnnError(f"--task is required for {path} (only a zoo name implies its task)")


@dataclass(frozen=True)
class Champion:
    """A zoo network: ``genome``, ``weights`` (packed edge order, (n_connections,); None for
    the shared-weight champion), the task id, its evaluation (the JSON as shipped;
    :meth:`Evaluation.from_dict <scratchnn.wann.evaluation.Evaluation.from_dict>` types it) and
    the manifest."""

    name: str
    task: str
    genome: Genome
    weights: np.ndarray | None
    eval: dict[str, Any]
    manifest: dict[str, Any]
    path: Path

    @property
    def card(self) -> str:
        """The model card (Markdown)."""
        return (self.path.parent / "MODEL_CARD.md").read_text(encoding="utf-8")


def load_champion(spec: str) -> Champion:
    """The zoo network ``spec`` (``"swingup"``, ``"mnist256:trained"``, ...), from the
    installed package: genome, individual weights if any, and the evaluation it ships with. A
    ``spec`` that is not a zoo name is a :class:`~scratchnn.errors.ConfigError` listing them."""
    from .networks.formats import load_network

    name, part = _split(spec)
    info = manifest(name)
    path = zoo_path(spec)
    raw = json.loads(path.read_text(encoding="utf-8"))
    g = Genome.from_dict(raw.get("genome", raw))
    genome, weights = load_network(path, g.n_in, g.n_out)
    ev = json.loads((path.parent / info[part]["eval"]).read_text(encoding="utf-8"))
    return Champion(name, info["task"], genome, weights, ev, info, path)
