"""The results store: every finished run, keyed by its resolved config and seed (SQLite).

A run is written in one transaction when it ends (``ok`` or ``diverged``), so a sweep killed
mid-way leaves only whole runs behind; started again, it skips every key already present.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import REFERENCE_ACTIVATION, RunConfig
from ..errors import ScratchnnError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    metrics TEXT NOT NULL,
    history TEXT NOT NULL,
    seconds REAL NOT NULL,
    finished_at REAL NOT NULL
)
"""


def run_key(cfg: RunConfig, data: str = "mnist") -> str:
    """Stable key of a run: sha256 of the canonical JSON of its resolved config and data tag.

    ``debug`` only changes printing, so it is left out of the key. The model's reference
    activation (sigmoid / relu) is keyed as ``"default"``, the name resolved configs held before
    the activation was resolved, so stores written then stay valid (their runs are not redone).
    """
    d = cfg.to_dict()
    d["Train"].pop("debug", None)
    if d["Model"]["activation"] == REFERENCE_ACTIVATION.get(d["Model"]["type"]):
        d["Model"]["activation"] = "default"
    blob = json.dumps({"data": data, "config": d}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


@dataclass
class RunRecord:
    key: str
    data: str
    config: dict[str, Any]
    seed: int
    status: str
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    seconds: float
    finished_at: float = 0.0


class ResultStore:
    """A SQLite file of :class:`RunRecord` rows."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute(SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise ScratchnnError(
                f"results store {self.path} is not a readable SQLite file ({exc}); move it away "
                "to start a fresh store"
            ) from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> RunRecord | None:
        row = self._db.execute(
            "SELECT key, data, config, seed, status, metrics, history, seconds, finished_at "
            "FROM runs WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        k, data, config, seed, status, metrics, history, seconds, finished = row
        return RunRecord(
            k,
            data,
            json.loads(config),
            seed,
            status,
            json.loads(metrics),
            json.loads(history),
            seconds,
            finished,
        )

    def put(self, rec: RunRecord) -> None:
        rec.finished_at = rec.finished_at or time.time()
        with self._db:  # one transaction
            self._db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.key,
                    rec.data,
                    json.dumps(rec.config),
                    rec.seed,
                    rec.status,
                    json.dumps(rec.metrics),
                    json.dumps(rec.history),
                    rec.seconds,
                    rec.finished_at,
                ),
            )

    def keys(self) -> set[str]:
        return {k for (k,) in self._db.execute("SELECT key FROM runs")}

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
