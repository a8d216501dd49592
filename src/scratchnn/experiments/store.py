"""The results store: every finished run, keyed by its resolved config and seed (SQLite).

A run is written in one transaction when it ends (``ok`` or ``diverged``), so a sweep killed
mid-way leaves only whole runs behind; started again, it skips every key already present.

Several processes may share one store (two ``sweep`` or ``reproduce`` commands on one ``--out``):
before training a run, a process *claims* its key in the ``claims`` table (an ``INSERT`` that
only one process wins), so every run is trained once. A claim names its process (pid and host);
one whose process has died (kill -9) is released by the next process that meets it, on the same
host.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
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

CLAIMS = """
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    claimed_at REAL NOT NULL
)
"""
#: seconds a process waits for another's write to the store before giving up
BUSY_TIMEOUT = 60.0


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


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


COLUMNS = (
    "key",
    "data",
    "config",
    "seed",
    "status",
    "metrics",
    "history",
    "seconds",
    "finished_at",
)


class ResultStore:
    """A SQLite file of :class:`RunRecord` rows.

    Opening checks the file (SQLite's ``quick_check`` and the ``runs`` table's columns), so a
    damaged store or someone else's database is refused at once with one line, before any
    training; every later SQLite failure (a disk that fills up, a page scribbled meanwhile) is a
    :class:`~scratchnn.errors.ScratchnnError` too. Rows are written one transaction each, so a
    failed write leaves every earlier row intact.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db: sqlite3.Connection | None = None
        with self._guard("is not a readable SQLite file"):
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
            problems = [r[0] for r in self._db.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                first = str(problems[0]).splitlines()[0][:200]
                raise sqlite3.DatabaseError(f"integrity check: {first}")
            self._db.execute(SCHEMA)
            self._db.execute(CLAIMS)
            self._db.commit()
            columns = tuple(r[1] for r in self._db.execute("PRAGMA table_info(runs)"))
        if columns != COLUMNS:
            self.close()
            raise ScratchnnError(
                f"results store {self.path} has a 'runs' table that is not scratchnn's (columns "
                f"{', '.join(columns)}); move the file away to start a fresh store"
            )

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """SQLite errors (a damaged page, a full disk) as one clear :class:`ScratchnnError`."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            self.close()
            full = "full" in str(exc)
            raise ScratchnnError(
                f"results store {self.path} {what} ({exc}); "
                + (
                    "free some space and run the same command again (finished runs are kept)"
                    if full
                    else "move it away to start a fresh store"
                )
            ) from exc
        except (ValueError, TypeError) as exc:  # a row whose JSON or types are not ours
            self.close()
            raise ScratchnnError(
                f"results store {self.path} holds a damaged row ({exc}); move it away to start "
                "a fresh store"
            ) from exc

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ScratchnnError(f"results store {self.path} is closed")
        return self._db

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> RunRecord | None:
        with self._guard("cannot be read"):
            row = self.db.execute(
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
                int(seed),
                status,
                json.loads(metrics),
                json.loads(history),
                float(seconds),
                float(finished),
            )

    def put(self, rec: RunRecord) -> None:
        rec.finished_at = rec.finished_at or time.time()
        with self._guard("cannot be written"), self.db:  # one transaction
            self.db.execute(
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
            self.db.execute("DELETE FROM claims WHERE key = ?", (rec.key,))

    def keys(self) -> set[str]:
        with self._guard("cannot be read"):
            return {k for (k,) in self.db.execute("SELECT key FROM runs")}

    def __len__(self) -> int:
        with self._guard("cannot be read"):
            return self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    # --- claims: one trainer per run, whatever the number of processes on the store ---------

    def claim(self, key: str) -> bool:
        """Claim run ``key`` for this process: True if it is now ours (a stale claim, left by a
        process of this host that died, is taken over), False if a live process holds it or
        the run is already in the store."""
        me, host = os.getpid(), socket.gethostname()
        with self._guard("cannot be written"), self.db:  # one transaction
            self.db.execute("BEGIN IMMEDIATE")  # the write lock first: no check-then-act race
            if self.db.execute("SELECT 1 FROM runs WHERE key = ?", (key,)).fetchone():
                return False
            row = self.db.execute("SELECT pid, host FROM claims WHERE key = ?", (key,)).fetchone()
            if row is not None:
                pid, other = int(row[0]), row[1]
                if other != host or (pid != me and pid_alive(pid)):
                    return False
                self.db.execute("DELETE FROM claims WHERE key = ?", (key,))  # stale
            cur = self.db.execute(
                "INSERT OR IGNORE INTO claims VALUES (?, ?, ?, ?)", (key, me, host, time.time())
            )
            return cur.rowcount == 1

    def release(self, key: str) -> None:
        """Drop this process's claim on ``key`` (after the run is stored, or when it stops)."""
        with self._guard("cannot be written"), self.db:
            self.db.execute(
                "DELETE FROM claims WHERE key = ? AND pid = ? AND host = ?",
                (key, os.getpid(), socket.gethostname()),
            )

    def claimed_by_others(self, keys: set[str]) -> set[str]:
        """Those of ``keys`` that another live process holds (stale claims do not count)."""
        me, host = os.getpid(), socket.gethostname()
        with self._guard("cannot be read"):
            rows = self.db.execute("SELECT key, pid, host FROM claims").fetchall()
        return {
            k
            for k, pid, other in rows
            if k in keys and (other != host or (pid != me and pid_alive(int(pid))))
        }
