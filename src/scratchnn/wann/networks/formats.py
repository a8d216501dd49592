"""Genome files: scratchnn's JSON and the WANN reference's champion CSV.

Reference champion format: a CSV text file of ``N`` rows and ``N + 1`` columns. The first ``N``
columns are the matrix ``W`` in the node order ``[bias, inputs, hidden, outputs]`` (row = source,
column = destination; 0 or empty/NaN = no connection; any other value is a connection, its value
is not the shared weight), the last column the activation ids. :func:`load_genome` keeps the
topology only; :func:`load_network` also returns the stored values as individual weights when
they are not all 1 (the authors' ``swing.out`` holds the weights they trained for it). Writing
puts 1 on every enabled connection (or the given individual weights) and the hidden nodes in
topological order.

Reference drawing: the Graphviz text that the reference's ``show_network.py`` writes from a
champion matrix (``digraph { ... }``): node ``i`` is matrix row ``i``, labelled with its
activation's name when it is hidden; an edge ``i -> j`` wherever ``W[i, j] != 0``. It holds the
whole topology, so :func:`matrix_from_drawing` turns it back into a champion matrix (the
reference's repository holds its MNIST champion only as such a drawing,
``WANNRelease/WANN/graphs/mnist``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from ...errors import ScratchnnError, shown
from ...fileio import atomic_path, atomic_write_text
from .genome import BIAS, HIDDEN, INPUT, OUTPUT, Conn, Genome, GenomeError, Node, express
from .packed import pack_networks

#: bounds on what a genome file may hold, checked before parsing: our JSON of a 30,000-node
#: network is 1.5 MB; a champion CSV is a dense N x (N + 1) matrix (8 bytes a cell once read)
MAX_GENOME_BYTES = 64 * 2**20
MAX_CSV_NODES = 4_096


# --- individual weights <-> connections (trained networks) -------------------------------------


def edge_pairs(genome: Genome) -> list[tuple[int, int]]:
    """``(src id, dst id)`` of each enabled connection in the packed edge order (the order of a
    weight vector for the kernels): by destination, then source, in expression order."""
    e = express(genome)
    packed = pack_networks([e])
    dst = np.repeat(np.arange(len(e.order)), np.diff(packed.edge_ptr))
    return [(e.order[s], e.order[d]) for s, d in zip(packed.edge_src, dst, strict=True)]


def weights_to_list(genome: Genome, w: np.ndarray) -> list[list]:
    """``[[src, dst, w], ...]`` for JSON, from a weight vector in packed edge order."""
    return [[s, d, float(v)] for (s, d), v in zip(edge_pairs(genome), w, strict=True)]


def weights_from_pairs(genome: Genome, by_pair: dict[tuple[int, int], float]) -> np.ndarray:
    """The weight vector (packed edge order) from ``{(src, dst): w}``; every enabled
    connection needs a finite weight."""
    pairs = edge_pairs(genome)
    missing = [p for p in pairs if p not in by_pair]
    if missing:
        raise GenomeError(f"no weight for connection(s) {missing[:3]} ({len(missing)} in all)")
    w = np.array([by_pair[p] for p in pairs], dtype=float)
    if not np.all(np.isfinite(w)):
        raise GenomeError("connection weights must be finite numbers")
    return w


def weights_from_list(genome: Genome, rows: object) -> np.ndarray:
    """Inverse of :func:`weights_to_list`, with a :class:`GenomeError` for malformed rows."""
    try:
        by_pair = {(int(s), int(d)): float(v) for s, d, v in rows}  # type: ignore[union-attr]
    except (TypeError, ValueError, OverflowError) as exc:
        raise GenomeError(
            f'"weights" must be a list of [src, dst, weight] rows ({shown(str(exc))})'
        ) from exc
    return weights_from_pairs(genome, by_pair)


def save_network(genome: Genome, w: np.ndarray, path: Path, extra: dict | None = None) -> None:
    """Write a trained network as JSON (``{"genome", "weights", ...extra}``), atomically."""
    data = {"genome": genome.to_dict(), "weights": weights_to_list(genome, w), **(extra or {})}
    atomic_write_text(Path(path), json.dumps(data, indent=1))


def to_reference_matrix(g: Genome, weights: np.ndarray | None = None) -> np.ndarray:
    """(N, N + 1): ``W`` (1 per enabled connection, or ``weights`` in packed edge order, see
    :func:`edge_pairs`) and the activation ids in the last column."""
    e = express(g)
    W = e.W.copy()
    if weights is not None:
        index = {v: i for i, v in enumerate(e.order)}
        for (s, d), w in zip(edge_pairs(g), weights, strict=True):
            W[index[s], index[d]] = w
    return np.concatenate([W, e.act[:, None].astype(float)], axis=1)


def _matrix_ids(n_in: int, n_out: int, N: int) -> list[int]:
    """Node id of each row of an ``N``-node champion matrix (rows: bias, inputs, hidden,
    outputs; ids: bias 0, inputs, outputs, then hidden, the reference's creation order)."""
    n_hidden = N - 1 - n_in - n_out
    ids = list(range(1 + n_in))
    ids += [1 + n_in + n_out + h for h in range(n_hidden)]
    return ids + [1 + n_in + k for k in range(n_out)]


def from_reference_matrix(M: np.ndarray, n_in: int, n_out: int) -> Genome:
    """Genome from a champion matrix (N, N + 1) for a task with ``n_in`` inputs, ``n_out``
    outputs. Raises :class:`GenomeError` naming what does not fit."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    N = M.shape[0]
    if M.shape[1] != N + 1:
        raise GenomeError(
            f"a champion file has N rows and N + 1 columns (matrix + activation ids); "
            f"got {M.shape[0]} rows and {M.shape[1]} columns"
        )
    n_hidden = N - 1 - n_in - n_out
    if n_hidden < 0:
        raise GenomeError(
            f"the network has {N} nodes, fewer than bias + {n_in} inputs + {n_out} outputs "
            "that the task needs"
        )
    W = np.nan_to_num(M[:, :N], nan=0.0)
    acts = M[:, N]
    if not np.all(np.isfinite(acts)) or not np.all(acts == np.round(acts)):
        raise GenomeError("the last column (activation ids) must hold whole numbers 1-10")
    kinds = [BIAS] + [INPUT] * n_in + [HIDDEN] * n_hidden + [OUTPUT] * n_out
    ids = _matrix_ids(n_in, n_out, N)
    nodes = [Node(ids[i], kinds[i], int(acts[i])) for i in range(N)]
    src, dst = np.nonzero(W)
    conns = [Conn(k, ids[s], ids[d], True) for k, (s, d) in enumerate(zip(src, dst, strict=False))]
    g = Genome(n_in, n_out, sorted(nodes, key=lambda n: n.id), conns)
    express(g)  # checks: feed-forward, no edges into inputs, known activations
    return g


#: the activation names of the reference's drawings (``show_network.py``), by id
DRAWING_ACTIVATIONS: dict[str, int] = {
    "Linear": 1,
    "Unsigned Step Function": 2,
    "Sin": 3,
    "Gausian": 4,
    "tanh": 5,
    "Sigmoid unsigned": 6,
    "Inverse": 7,
    "Absolute Value": 8,
    "Relu": 9,
    "Cosine": 10,
    "Squared": 11,
}
_ID = r'"?(\d{1,9})"?'
_DRAWN_EDGE = re.compile(rf"^{_ID}\s*->\s*{_ID}\s*(\[[^\]]*\])?\s*;?$")
_DRAWN_NODE = re.compile(rf"^{_ID}\s*\[([^\]]*)\]\s*;?$")
_LABEL = re.compile(r'(?:^|[\s,;])label\s*=\s*(?:"([^"]*)"|([^\s,;\]]+))')
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*|^\s*#[^\n]*", re.S | re.M)


def is_drawing(text: str) -> bool:
    """Whether ``text`` is Graphviz text of a directed graph (``[strict] digraph ...``)."""
    head = _COMMENTS.sub("", text.lstrip("\ufeff")).lstrip().lower()
    return head.startswith("digraph") or head.startswith("strict digraph")


def matrix_from_drawing(text: str, n_in: int, n_out: int) -> np.ndarray:
    """Champion matrix (N, N + 1) of a reference drawing: the Graphviz text that the
    reference's ``show_network.py`` writes from a champion matrix.

    Node ``i`` is matrix row ``i``, in the matrix order ``[bias, inputs, hidden, outputs]``: the
    bias is row 0, as in the reference's forward pass (``show_network.py`` labels row
    ``n_in`` 'bias', but only the label moves). ``W[i, j] = 1`` for each edge ``i -> j``; a hidden
    row's activation id is read from its label (:data:`DRAWING_ACTIVATIONS`), the others are 1
    (linear, as the reference's outputs). Lines that state graph attributes are skipped; a line
    that looks like a node or an edge but is not one of the forms ``i [label=... ]`` and
    ``i -> j [...]`` is refused. Raises :class:`GenomeError` naming what does not fit."""
    labels: dict[int, str] = {}
    edges: list[tuple[int, int]] = []
    for k, raw in enumerate(_COMMENTS.sub("", text.lstrip("\ufeff")).splitlines(), 1):
        line = raw.strip()
        if "->" in line:
            if not (m := _DRAWN_EDGE.match(line)):
                raise GenomeError(
                    f"line {k} ({line[:60]!r}) is not an edge of the form 'i -> j' between two "
                    "node numbers"
                )
            edges.append((int(m[1]), int(m[2])))
        elif re.match(r'"?\d', line):
            if not (m := _DRAWN_NODE.match(line)) or not (lab := _LABEL.search(m[2])):
                raise GenomeError(
                    f"line {k} ({line[:60]!r}) is not a node of the form 'i [label=...]'"
                )
            if int(m[1]) in labels:
                raise GenomeError(f"node {m[1]} is drawn twice (line {k})")
            labels[int(m[1])] = lab[1] if lab[1] is not None else lab[2]
    N = len(labels)
    if N == 0:
        raise GenomeError("a drawing of a network has node lines such as '257 [label=tanh ...]'")
    if N > MAX_CSV_NODES:
        raise GenomeError(f"a drawing of {N:,} nodes: more than {MAX_CSV_NODES:,}")
    if set(labels) != set(range(N)):
        missing = [i for i in range(N) if i not in labels][:3]
        raise GenomeError(
            f"the drawing's nodes are not numbered 0..{N - 1} (missing: {missing}); it is not "
            "a drawing of a champion matrix"
        )
    M = np.zeros((N, N + 1))
    M[:, N] = 1.0
    for i in range(1 + n_in, N - n_out):
        if labels[i] not in DRAWING_ACTIVATIONS:
            raise GenomeError(
                f"hidden node {i} is labelled {shown(labels[i])}, not an activation of the "
                f"reference ({', '.join(DRAWING_ACTIVATIONS)}); does the task ({n_in} inputs, "
                f"{n_out} outputs) fit the drawing?"
            )
        M[i, N] = DRAWING_ACTIVATIONS[labels[i]]
    for a, b in edges:
        if a >= N or b >= N:
            raise GenomeError(f"edge {a} -> {b} names a node the drawing does not have")
        M[a, b] = 1.0
    return M


def check_searchable(g: Genome, M: np.ndarray) -> None:
    """Refuse a champion matrix read with the wrong input or output count.

    A champion file does not say how many inputs it has. But in any network a WANN search
    grows, every hidden node has an enabled incoming and an enabled outgoing connection (a node
    is inserted on an enabled connection, and splitting a connection always adds a new enabled
    one to the same destination and from the same source). Read with too few inputs, a file's
    extra inputs become hidden nodes without incoming connections (too few outputs: hidden nodes
    without outgoing ones): :class:`GenomeError`, naming the count that fits."""
    N = M.shape[0]
    W = np.nan_to_num(M[:, :N], nan=0.0) != 0
    hidden = range(1 + g.n_in, N - g.n_out)
    no_in = [i for i in hidden if not W[:, i].any()]
    no_out = [i for i in hidden if not W[i, :].any()]
    if no_in:
        lead = 0
        while 1 + g.n_in + lead in no_in:
            lead += 1
        raise GenomeError(
            f"{len(no_in)} hidden node(s) (first at row {no_in[0]}) have no incoming connection, "
            "which no searched network has: the file has more inputs than the task's "
            f"{g.n_in} (it looks like a {g.n_in + lead}-input network); pass the task it was "
            "searched for"
        )
    if no_out:
        raise GenomeError(
            f"{len(no_out)} hidden node(s) (first at row {no_out[0]}) have no outgoing "
            "connection, which no searched network has: the file has more outputs than the "
            f"task's {g.n_out}; pass the task it was searched for"
        )


def save_reference_csv(g: Genome, path: Path, weights: np.ndarray | None = None) -> None:
    """Write ``g`` in the reference's champion format (with individual ``weights`` if given),
    atomically."""
    with atomic_path(path) as tmp:
        np.savetxt(tmp, to_reference_matrix(g, weights), delimiter=",", fmt="%.17g")


def _matrix_weights(g: Genome, M: np.ndarray) -> np.ndarray | None:
    """The stored values of a champion matrix as individual weights (packed edge order), or
    None when every connection holds 1 (a shared-weight topology)."""
    N = M.shape[0]
    ids = _matrix_ids(g.n_in, g.n_out, N)
    W = np.nan_to_num(M[:, :N], nan=0.0)
    src, dst = np.nonzero(W)
    if np.all(W[src, dst] == 1.0):
        return None
    return weights_from_pairs(g, {(ids[s], ids[d]): W[s, d] for s, d in zip(src, dst, strict=True)})


def _csv_matrix(text: str) -> np.ndarray:
    """The matrix (N, N + 1) of a champion CSV's text (empty cells NaN), its size checked."""
    n_rows = sum(1 for r in text.splitlines() if r.strip())
    if n_rows > MAX_CSV_NODES:
        raise GenomeError(
            f"a champion CSV of {n_rows:,} rows: more than {MAX_CSV_NODES:,} nodes (its "
            f"dense matrix would take {8 * n_rows * (n_rows + 1) / 1e9:.1f} GB)"
        )
    rows = [r.split(",") for r in text.splitlines() if r.strip()]
    if not rows or len({len(r) for r in rows}) != 1:
        raise GenomeError("champion CSV rows must all have the same number of columns")
    try:
        return np.array([[float(v) if v.strip() else np.nan for v in r] for r in rows])
    except ValueError as exc:
        raise GenomeError(
            "neither our JSON, a reference champion CSV of numbers nor a drawing "
            f"({shown(str(exc))})"
        ) from exc


def load_genome(path: Path, n_in: int, n_out: int) -> Genome:
    """A genome from our JSON (``{"n_in", "n_out", "nodes", "conns"}``, or a file with a
    ``"genome"`` key), a reference champion CSV or a reference drawing of one (Graphviz text,
    :func:`matrix_from_drawing`), checked against the task's ``n_in``
    inputs and ``n_out`` outputs. Every problem is a :class:`ScratchnnError` naming the file."""
    return load_network(path, n_in, n_out)[0]


def load_network(path: Path, n_in: int, n_out: int) -> tuple[Genome, np.ndarray | None]:
    """:func:`load_genome` and the network's individual weights (packed edge order): a JSON
    ``"weights"`` list, or a champion CSV's stored values unless they are all 1; None when the
    file has none. For a zoo name (``swingup``, ``mnist256:trained``) pass the path through
    :func:`scratchnn.wann.zoo.resolve` first."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_GENOME_BYTES + 1)
    except OSError as exc:
        raise ScratchnnError(f"cannot read genome file {path}: {exc.strerror}") from exc
    if len(data) > MAX_GENOME_BYTES:
        raise ScratchnnError(
            f"{path}: more than {MAX_GENOME_BYTES // 2**20} MB, larger than any network a search "
            "grows; is this the right file?"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScratchnnError(
            f"{path}: not a text file; give a best.json or a champion .csv"
        ) from None
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
            if not isinstance(data, dict):
                raise GenomeError("a genome JSON file holds an object")
            g = Genome.from_dict(data.get("genome", data))
            if (g.n_in, g.n_out) != (n_in, n_out):
                raise GenomeError(
                    f"the network has {g.n_in} inputs and {g.n_out} outputs; the task needs "
                    f"{n_in} and {n_out}"
                )
            if data.get("weights") is None:
                return g, None
            return g, weights_from_list(g, data["weights"])
        # a drawing's matrix holds 1 on every edge, so it carries no individual weights
        M = matrix_from_drawing(text, n_in, n_out) if is_drawing(text) else _csv_matrix(text)
        g = from_reference_matrix(M, n_in, n_out)
        check_searchable(g, M)
        return g, _matrix_weights(g, M)
    except json.JSONDecodeError as exc:
        raise ScratchnnError(f"{path}: not valid JSON ({shown(str(exc))})") from exc
    except RecursionError:
        raise ScratchnnError(f"{path}: JSON nested too deeply to be a genome") from None
    except GenomeError as exc:  # our own messages, which quote input through shown()
        raise ScratchnnError(f"{path}: {exc}") from exc
    except ValueError as exc:  # another parser's message may quote the input at any length
        raise ScratchnnError(f"{path}: {shown(str(exc))}") from exc
