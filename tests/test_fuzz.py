"""Fuzzing every reader (issue 16) with Hypothesis: IDX, gzip, CSV, the YAML run config, the tune
search space, the WANN config, genome JSON, the reference champion CSV, WANN checkpoints and the
results store. Each input either loads or raises one of scratchnn's own errors
(:class:`~scratchnn.errors.ScratchnnError`), within a time and a memory bound; anything else (a
traceback, a hang, a blow-up) is a bug.

The default tier runs :data:`FAST` examples per reader (derandomized: the same examples each
run); the ``slow`` tier, :data:`LONG`.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratchnn.errors import ScratchnnError

FAST, LONG = 20, 400
SECONDS = 5.0  # CPU seconds per example
PEAK_BYTES = 256 * 2**20  # memory per example: the largest legitimate input here is ~1 MB


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _loads_or_refuses(read: Callable[[], Any]) -> None:
    """``read()`` returns or raises a ScratchnnError with a message, within :data:`SECONDS` of
    CPU time and :data:`PEAK_BYTES` of peak allocation (Python objects and NumPy arrays, both
    traced by ``tracemalloc``): a bomb must be refused, not expanded."""
    tracemalloc.start()
    t0 = time.process_time()  # CPU seconds: a loaded machine's wall clock says little
    try:
        read()
    except ScratchnnError as exc:
        assert str(exc), "an error without a message"
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.process_time() - t0 < SECONDS
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB allocated"


def _in_file(data: bytes | str, name: str, read: Callable[[Path], Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="scratchnn-fuzz-") as tmp:
        path = Path(tmp) / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8", errors="surrogatepass")
        else:
            path.write_bytes(data)
        _loads_or_refuses(lambda: read(path))


def fuzz(name: str, strategy: st.SearchStrategy) -> Callable:
    """Register ``test_fuzz_<name>`` (FAST examples) and ``test_fuzz_<name>_long`` (LONG, slow)
    running ``body(example)``."""

    def register(body: Callable[[Any], None]) -> Callable:
        fast = _settings(FAST)(given(strategy)(body))
        long = pytest.mark.slow(_settings(LONG)(given(strategy)(body)))
        globals()[f"test_fuzz_{name}"] = fast
        globals()[f"test_fuzz_{name}_long"] = long
        return body

    return register


# --- strategies ------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
TRAIN_KEYS = ["batch_size", "learning_rate", "reg", "epochs", "momentum", "debug", "seed"]
TRAIN_KEYS += ["dtype", "optimizer", "schedule", "warmup_epochs", "step_size", "gamma"]
MODEL_KEYS = ["type", "hidden_size", "activation", "init", "dropout", "early_stopping"]
config_dicts = st.dictionaries(
    st.sampled_from(["Train", "Model", "train", "Other"]),
    st.one_of(
        st.dictionaries(st.sampled_from(TRAIN_KEYS + MODEL_KEYS + ["lr"]), values, max_size=5),
        values,
    ),
    max_size=3,
)


def yaml_text(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


raw_text = st.one_of(st.binary(max_size=600), st.text(max_size=300))


# --- IDX, gzip, CSV --------------------------------------------------------------------------


@st.composite
def idx_bytes(draw: st.DrawFn) -> bytes:
    """Mostly well-formed headers (random dims) with data of a random length."""
    ndim = draw(st.sampled_from([1, 2, 3, 4]))
    dims = draw(st.lists(st.integers(0, 2**32 - 1), min_size=ndim, max_size=ndim))
    if draw(st.booleans()):
        dims = [d % 8 for d in dims]
    head = bytes([0, 0, draw(st.sampled_from([8, 8, 9, 13])), ndim])
    head += b"".join(d.to_bytes(4, "big") for d in dims)
    n = int(np.prod(dims, dtype=object)) if draw(st.booleans()) else draw(st.integers(0, 300))
    return head + bytes(min(n, 4096))


@fuzz("idx", st.one_of(st.binary(max_size=200), idx_bytes()))
def _idx(data: bytes) -> None:
    from scratchnn.data.formats import parse_idx

    _loads_or_refuses(lambda: parse_idx(data, "fuzz"))


@fuzz(
    "gzip",
    st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=3000).map(lambda b: gzip.compress(b, mtime=0)),
        st.binary(max_size=3000).map(lambda b: gzip.compress(b, mtime=0)[: len(b) // 2]),
    ),
)
def _gzip(data: bytes) -> None:
    from scratchnn.data.formats import decompress_gzip

    _loads_or_refuses(lambda: decompress_gzip(data, "fuzz.gz", limit=1000))


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    """Rows of (mostly) 785 integers, some out of range, huge or not numbers at all."""
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        n = 785 if draw(st.booleans()) else draw(st.integers(0, 800))
        cell = st.one_of(
            st.integers(0, 255).map(str),
            st.integers(-(10**25), 10**25).map(str),
            st.sampled_from(["", " ", "1e3", "nan", "0x10", "٣"]),
        )
        rows.append(",".join(draw(st.lists(cell, min_size=min(n, 20), max_size=min(n, 20)))))
        rows[-1] += ",0" * max(n - 20, 0)
    return "\n".join(rows)


@fuzz("csv", st.one_of(csv_text(), st.binary(max_size=300)))
def _csv(data: str | bytes) -> None:
    from scratchnn.data.formats import read_csv

    _in_file(data, "mnist_train.csv", read_csv)


# --- YAML configs -----------------------------------------------------------------------------


@fuzz("run_config", st.one_of(config_dicts.map(yaml_text), raw_text))
def _run_config(data: str | bytes) -> None:
    from scratchnn.config import load_config

    _in_file(data, "config.yaml", load_config)


space_dicts = st.fixed_dictionaries(
    {},
    optional={
        "base": st.one_of(config_dicts, st.text(max_size=10), values),
        "set": st.one_of(st.lists(st.sampled_from(["epochs=2", "reg=x", "foo=1", "="])), values),
        "space": st.one_of(
            st.dictionaries(
                st.sampled_from(["learning_rate", "reg", "hidden_size", "nope", "Model.dropout"]),
                st.one_of(
                    st.fixed_dictionaries(
                        {"low": scalars, "high": scalars},
                        optional={"log": scalars, "type": scalars},
                    ),
                    st.fixed_dictionaries({"choices": values}),
                    values,
                ),
                max_size=3,
            ),
            values,
        ),
    },
)


@fuzz("tune_space", st.one_of(space_dicts.map(yaml_text), raw_text))
def _tune_space(data: str | bytes) -> None:
    from scratchnn.experiments.tune import load_spec

    _in_file(data, "space.yaml", load_spec)


WANN_KEYS = ["pop", "generations", "reps", "tournament", "elite", "cull", "p_init", "weights"]
WANN_KEYS += ["p_conn_objective", "best_reps", "checkpoint_every", "seed", "p_add_connection"]


@fuzz(
    "wann_config",
    st.one_of(
        st.dictionaries(st.sampled_from([*WANN_KEYS, "nope"]), values, max_size=4).map(yaml_text),
        raw_text,
    ),
)
def _wann_config(data: str | bytes) -> None:
    from scratchnn.wann.search.config import load_config_file

    _in_file(data, "wann.yaml", load_config_file)


# --- genomes ----------------------------------------------------------------------------------

KINDS = st.sampled_from(["bias", "input", "output", "hidden", "other"])
ints = st.one_of(
    st.integers(-3, 12), st.integers(-(10**20), 10**20), st.floats(), st.text(max_size=3)
)


@st.composite
def genome_dicts(draw: st.DrawFn) -> dict:
    nodes = draw(st.lists(st.tuples(ints, KINDS, ints).map(list), max_size=8))
    if draw(st.booleans()):  # a plausible start
        nodes = [[0, "bias", 1], [1, "input", 1], [2, "input", 1], [3, "output", 1], *nodes]
    conns = draw(st.lists(st.tuples(ints, ints, ints, st.booleans()).map(list), max_size=8))
    d: dict[str, Any] = {"n_in": draw(ints), "n_out": draw(ints), "nodes": nodes, "conns": conns}
    for key in draw(st.lists(st.sampled_from(list(d)), max_size=1)):
        del d[key]
    return {"genome": d} if draw(st.booleans()) else d


@fuzz(
    "genome_json",
    st.one_of(genome_dicts().map(lambda d: json.dumps(d)), st.text(max_size=200).map("{".__add__)),
)
def _genome_json(text: str) -> None:
    from scratchnn.wann.networks.formats import load_genome

    _in_file(text, "best.json", lambda p: load_genome(p, 2, 1))


@st.composite
def champion_csv(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 7))
    cols = n + 1 if draw(st.booleans()) else draw(st.integers(0, 9))
    cell = st.one_of(
        st.sampled_from(["0", "1", "", "nan", "-2", "1.5"]),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(["inf", "x", "1e999"]),
    )
    rows = [",".join(draw(st.lists(cell, min_size=cols, max_size=cols))) for _ in range(n)]
    return "\n".join(rows)


@fuzz("champion_csv", st.one_of(champion_csv(), st.binary(max_size=200)))
def _champion_csv(data: str | bytes) -> None:
    from scratchnn.wann.networks.formats import load_genome

    _in_file(data, "best.csv", lambda p: load_genome(p, 2, 1))


@st.composite
def reference_drawing(draw: st.DrawFn) -> str:
    """Graphviz text in the layout of the reference's ``show_network.py``: numbered nodes (all of
    0..n-1, or any ids), labels that are activations or not, edges between any ids."""
    n = draw(st.integers(0, 8))
    any_id = st.one_of(st.integers(0, 12), st.integers(0, 10**30))
    ids = draw(st.one_of(st.permutations(range(n)), st.lists(any_id, max_size=8)))
    label = st.one_of(
        st.sampled_from(["tanh", '"Sigmoid unsigned"', "bias", "1", '"Squared"', "Relu", '""']),
        st.text(max_size=5),
    )
    forms = ["{a} -> {b}", '"{a}" -> "{b}"', "{a} -> {b} -> {c}", "{a} -> {b} [color=red];"]
    edge = st.tuples(st.sampled_from(forms), any_id, any_id, any_id)
    lines = ["digraph {", *(f"\t{i} [label={draw(label)} color=gold]" for i in ids)]
    lines += ["\t" + f.format(a=a, b=b, c=c) for f, a, b, c in draw(st.lists(edge, max_size=12))]
    return "\n".join([*lines, "}"])


@fuzz("reference_drawing", reference_drawing())
def _reference_drawing(text: str) -> None:
    from scratchnn.wann.networks.formats import load_genome

    _in_file(text, "graph", lambda p: load_genome(p, 2, 1))


# --- WANN checkpoints and the results store: real files, damaged ------------------------------


def _real_checkpoint() -> bytes:
    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.search.loop import SearchState, save_checkpoint
    from scratchnn.wann.search.population import Population

    rng = np.random.default_rng(0)
    state = SearchState("xor", SearchConfig(pop=4), 0, rng, Population.initial(4, 2, 1, 0.5, rng))
    with tempfile.TemporaryDirectory() as tmp:
        save_checkpoint(state, Path(tmp) / "c.npz")
        return (Path(tmp) / "c.npz").read_bytes()


CHECKPOINT = _real_checkpoint()


@st.composite
def damaged(draw: st.DrawFn, blob: bytes) -> bytes:
    """``blob`` with a few bytes overwritten, a piece cut out, or cut short."""
    data = bytearray(blob)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@st.composite
def checkpoint_with_header(draw: st.DrawFn) -> bytes:
    """A well-formed .npz whose JSON header is a real one with fields changed or random."""
    with np.load(io.BytesIO(CHECKPOINT)) as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(arrays.pop("header").tobytes())
    for key in draw(st.lists(st.sampled_from(list(header)), max_size=3)):
        header[key] = draw(values)
    if draw(st.booleans()):
        name = draw(st.sampled_from(list(arrays)))
        arrays[name] = np.asarray(draw(st.lists(st.integers(-5, 40), max_size=12)), np.int64)
    buf = io.BytesIO()
    blob = json.dumps(header, allow_nan=True).encode()
    np.savez(buf, header=np.frombuffer(blob, np.uint8), **arrays)
    return buf.getvalue()


@fuzz("checkpoint", st.one_of(damaged(CHECKPOINT), checkpoint_with_header()))
def _checkpoint(data: bytes) -> None:
    from scratchnn.wann.search.loop import load_checkpoint

    _in_file(data, "checkpoint.npz", load_checkpoint)


def _real_store() -> bytes:
    from scratchnn.experiments.store import ResultStore, RunRecord

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.sqlite"
        with ResultStore(path) as store:
            for i in range(12):
                metrics = {"test_acc": 0.5 + i / 100, "nan": math.nan}
                store.put(RunRecord(f"k{i}", "mnist", {"pad": "x" * 300}, i, "ok", metrics, [], 1))
        return path.read_bytes()


STORE = _real_store()


@fuzz("results_store", st.one_of(damaged(STORE), st.binary(max_size=300)))
def _results_store(data: bytes) -> None:
    from scratchnn.experiments.store import ResultStore

    def read(path: Path) -> None:
        with ResultStore(path) as store:
            for key in sorted(store.keys()):
                store.get(key)

    _in_file(data, "results.sqlite", read)


def test_the_bounds_catch_a_blow_up_and_a_foreign_exception():
    """The harness itself: an allocation over the bound, and an exception that is not
    scratchnn's, both fail."""
    with pytest.raises(AssertionError, match="MiB allocated"):
        _loads_or_refuses(lambda: np.ones(PEAK_BYTES // 8 + 1))
    with pytest.raises(ValueError):
        _loads_or_refuses(lambda: int("x"))
