"""Regenerate the hostile files of this folder (issue 16): ``python tests/corpus/make_corpus.py``.

Each file is one input that once ended in a traceback, a hang, a memory blow-up or a wrong
result; ``tests/test_corpus.py`` feeds each to its reader and expects one scratchnn error.
Deterministic (fixed seeds), so the committed files are what this script writes.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _checkpoint(header: object, arrays: dict[str, np.ndarray]) -> bytes:
    import io

    buf = io.BytesIO()
    blob = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(buf, header=blob, **arrays)
    return buf.getvalue()


def main() -> None:
    files: dict[str, bytes | str] = {
        "config_train_5.yaml": "Train: 5\n",
        "config_unknown_key.yaml": "Train: {lr: 0.1}\n",
        "config_binary.yaml": bytes(range(256)) * 8,
        "config_deep_flow.yaml": "[" * 3000 + "]" * 3000 + "\n",
        "config_deep_block.yaml": "".join(" " * i + "a:\n" for i in range(500)) + " " * 500 + "1\n",
        "config_empty.yaml": "",
        "config_comments_only.yaml": "# nothing here\n",
        "config_alias_bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n"
            for a, b in zip("abcdefghijklmno", "bcdefghijklmnop", strict=True)
        )
        + "Train: *p\n",
        "config_huge_number.yaml": "Train: {seed: 99999999999999999999999}\n",
        "space_not_a_mapping.yaml": "- base\n- space\n",
        "space_bad_set.yaml": "set: 5\nspace: {reg: {low: 0.001, high: 0.1}}\n",
        "space_huge_bounds.yaml": "space: {reg: {low: 1e999, high: 2e999}}\n",
        "mnist_csv_overflow.csv": ",".join(["5", "99999999999999999999"] + ["0"] * 783) + "\n",
        "genome_infinity.json": '{"n_in": 2, "n_out": 1, "nodes": [[0, "bias", Infinity]], '
        '"conns": []}',
        "genome_unknown_kind.json": json.dumps(
            {
                "n_in": 2,
                "n_out": 1,
                "conns": [[0, 0, 3, True]],
                "nodes": [[0, "bias", 1], [1, "input", 1], [2, "wormhole", 1], [3, "output", 1]],
            }
        ),
        "genome_duplicate_ids.json": json.dumps(
            {
                "n_in": 2,
                "n_out": 1,
                "conns": [[0, 1, 3, True]],
                "nodes": [[0, "bias", 1], [1, "input", 1], [1, "input", 1], [3, "output", 1]],
            }
        ),
        "genome_output_is_an_input.json": json.dumps(
            {
                "n_in": 2,
                "n_out": 1,
                "conns": [[0, 1, 2, True]],
                "nodes": [[0, "bias", 1], [1, "input", 1], [2, "output", 1]],
            }
        ),
        "genome_deep.json": "{" + '"a": {' * 5000 + "}" * 5001,
        "genome_binary.json": bytes(range(256)) * 4,
        "checkpoint_header_list.npz": _checkpoint([], {}),
        "checkpoint_header_null.npz": _checkpoint(None, {}),
        "study_garbage.db": np.random.default_rng(16).integers(0, 256, 8192, np.uint8).tobytes(),
    }
    # a WANN checkpoint with an empty population (header of a real one, no genomes)
    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.search.loop import SearchState
    from scratchnn.wann.search.population import Population

    rng = np.random.default_rng(0)
    pop = Population.initial(4, 2, 1, 0.5, rng)
    state = SearchState("xor", SearchConfig(pop=4), 0, rng, pop)
    empty = {k: v[:0] for k, v in pop.arrays().items()}
    empty["node_ptr"] = empty["conn_ptr"] = np.zeros(1, np.int64)
    files["checkpoint_empty_pop.npz"] = _checkpoint(state.header(), empty)
    # a .gz of MNIST's label-file name that expands to 16 MB (the real file has 60,008 bytes)
    (HERE / "gzip_bomb").mkdir(exist_ok=True)
    files["gzip_bomb/train-labels-idx1-ubyte.gz"] = gzip.compress(bytes(16 << 20), 9, mtime=0)
    for name, data in files.items():
        path = HERE / name
        if isinstance(data, str):
            path.write_text(data)
        else:
            path.write_bytes(data)
    # results stores: a foreign 'runs' table, and one of ours with a scribbled page
    for name in ("results_foreign.sqlite", "results_scribbled.sqlite"):
        (HERE / name).unlink(missing_ok=True)
    with sqlite3.connect(HERE / "results_foreign.sqlite") as db:
        db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO runs VALUES (1, 'not scratchnn')")
    db.close()
    from scratchnn.experiments.store import ResultStore, RunRecord

    path = HERE / "results_scribbled.sqlite"
    with ResultStore(path) as store:
        for i in range(40):
            store.put(RunRecord(f"k{i}", "mnist", {"pad": "x" * 500}, i, "ok", {}, [], 1.0))
    data = bytearray(path.read_bytes())
    noise = np.random.default_rng(1).integers(0, 256, 4088, np.uint8).tobytes()
    data[2 * 4096 + 8 : 3 * 4096] = noise
    path.write_bytes(bytes(data))


if __name__ == "__main__":
    main()
