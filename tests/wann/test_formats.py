"""Genome files: the reference champion CSV and malformed files."""

import json

import numpy as np
import pytest

from scratchnn.errors import ScratchnnError
from scratchnn.wann.networks.genome import (
    HIDDEN,
    Conn,
    Genome,
    Node,
    express,
    forward,
)

from .helpers import hidden_net, random_nets


def test_reference_champion_format_round_trip(tmp_path):
    from scratchnn.wann.networks.formats import (
        from_reference_matrix,
        load_genome,
        save_reference_csv,
    )

    for g in [hidden_net(), *random_nets(5, 1, 5, seed=8)]:
        path = tmp_path / "champion.csv"
        save_reference_csv(g, path)
        M = np.loadtxt(path, delimiter=",")
        N = len(g.nodes)
        assert M.shape == (N, N + 1)
        back = load_genome(path, g.n_in, g.n_out)
        e, eb = express(g), express(back)
        assert np.array_equal(e.W, eb.W) and np.array_equal(e.act, eb.act)
        X = np.random.default_rng(0).normal(size=(7, g.n_in))
        with np.errstate(all="ignore"):
            assert np.array_equal(forward(e, X, 1.5), forward(eb, X, 1.5), equal_nan=True)
    # topology only: any nonzero value (the reference stores trained weights) is a connection
    M = np.loadtxt(path, delimiter=",")
    M[:, :-1] *= np.random.default_rng(1).uniform(0.5, 2, M[:, :-1].shape)
    assert np.array_equal(express(from_reference_matrix(M, 5, 1)).W, express(back).W)


def test_malformed_genome_files_are_named(tmp_path):
    from scratchnn.wann.networks.formats import load_genome, save_reference_csv

    g = hidden_net()
    js = tmp_path / "g.json"
    js.write_text(json.dumps({"genome": g.to_dict()}))
    with pytest.raises(ScratchnnError, match="2 inputs and 1 outputs; the task needs 5 and 1"):
        load_genome(js, 5, 1)
    csv = tmp_path / "g.csv"
    save_reference_csv(g, csv)
    with pytest.raises(ScratchnnError, match="fewer than bias \\+ 5 inputs"):
        load_genome(csv, 5, 1)
    M = np.loadtxt(csv, delimiter=",")
    M[3, 4] = M[4, 3] = 1  # hidden (row 3) <-> output (row 4): output -> hidden is not allowed
    np.savetxt(csv, M, delimiter=",")
    with pytest.raises(ScratchnnError, match="starts at an output node"):
        load_genome(csv, 2, 1)
    cyc = Genome(2, 1, [*g.nodes, Node(5, HIDDEN, 1)], [*g.conns, Conn(20, 4, 5), Conn(21, 5, 4)])
    js.write_text(json.dumps(cyc.to_dict()))
    with pytest.raises(ScratchnnError, match="cycle through node"):
        load_genome(js, 2, 1)
    M = np.loadtxt(tmp_path / "g.csv", delimiter=",")
    save_reference_csv(g, csv)
    M = np.loadtxt(csv, delimiter=",")
    M[3, -1] = 11
    np.savetxt(csv, M, delimiter=",")
    with pytest.raises(ScratchnnError, match="unknown activation id 11"):
        load_genome(csv, 2, 1)
    csv.write_text("0,1,0\n0,0\n")
    with pytest.raises(ScratchnnError, match="same number of columns"):
        load_genome(csv, 2, 1)
    csv.write_text("garbage\n")
    with pytest.raises(ScratchnnError, match="neither our JSON, a reference champion CSV"):
        load_genome(csv, 2, 1)
    with pytest.raises(ScratchnnError, match="cannot read genome file"):
        load_genome(tmp_path / "missing.json", 2, 1)


def test_individual_weights_round_trip_through_json_and_the_champion_csv(tmp_path):
    from scratchnn.wann.networks.formats import (
        edge_pairs,
        load_genome,
        load_network,
        save_network,
        save_reference_csv,
    )

    from .helpers import random_nets

    g = random_nets(5, 1, 1, seed=7, max_mutations=25)[0]
    w = np.random.default_rng(0).uniform(-2, 2, len(edge_pairs(g)))
    save_network(g, w, tmp_path / "t.json")
    g2, w2 = load_network(tmp_path / "t.json", 5, 1)
    assert g2.to_dict() == g.to_dict() and np.array_equal(w2, w)
    save_reference_csv(g, tmp_path / "t.csv", w)
    g3, w3 = load_network(tmp_path / "t.csv", 5, 1)
    assert g3.n_enabled() == g.n_enabled() and np.array_equal(w3, w)  # %.17g: exact
    # same network: the same outputs with the weights
    from scratchnn.wann.networks.backprop import GenomeNet

    X = np.random.default_rng(1).normal(size=(6, 5))
    a, b = GenomeNet(g), GenomeNet(g3)
    a.params["w"][:], b.params["w"][:] = w, w3
    np.testing.assert_allclose(a.logits(X), b.logits(X), rtol=1e-12)
    # a shared-weight file has no individual weights
    save_reference_csv(g, tmp_path / "s.csv")
    assert load_network(tmp_path / "s.csv", 5, 1)[1] is None
    assert load_genome(tmp_path / "t.json", 5, 1).to_dict() == g.to_dict()


def test_weights_that_do_not_fit_the_network_are_refused(tmp_path):
    import json

    import pytest

    from scratchnn.errors import ScratchnnError
    from scratchnn.wann.networks.formats import load_network, weights_to_list

    from .helpers import random_nets

    g = random_nets(5, 1, 1, seed=7, max_mutations=25)[0]
    rows = weights_to_list(g, np.ones(g.n_enabled()))
    for bad, match in [
        (rows[1:], "no weight for connection"),
        ([[*rows[0][:2], "x"], *rows[1:]], "list of \\[src, dst, weight\\]"),
        ([[*rows[0][:2], float("inf")], *rows[1:]], "finite"),
    ]:
        (tmp_path / "b.json").write_text(json.dumps({"genome": g.to_dict(), "weights": bad}))
        with pytest.raises(ScratchnnError, match=match):
            load_network(tmp_path / "b.json", 5, 1)


def _drawing(g, labels=None) -> str:
    """``g`` as the reference's ``show_network.py`` draws a champion matrix: node i = row i,
    hidden rows labelled with their activation's name, an edge wherever W != 0 (its layout:
    input labels 1..n_in then 'bias', names quoted only when they hold a space, tabs), plus
    what other Graphviz writers add: a comment, a ';', edge attributes."""
    from scratchnn.wann.networks.formats import DRAWING_ACTIVATIONS, to_reference_matrix

    M = to_reference_matrix(g)
    N = M.shape[0]
    names = {v: k for k, v in DRAWING_ACTIVATIONS.items()}
    lines = ["/* drawn by a test */ digraph {", "\tranksep=1.5", "\tgraph [rankdir=LR]"]
    lines += ["\tnode [shape=oval]", "\tsubgraph input {", "\t\trank=same"]
    in_labels = [str(i + 1) for i in range(g.n_in)] + ["bias"]
    lines += [f"\t\t{i} [label={in_labels[i]} color=lightgrey]" for i in range(g.n_in + 1)]
    lines.append("\t}")
    for i in range(g.n_in + 1, N - g.n_out):
        name = (labels or {}).get(i, names[int(M[i, N])])
        name = f'"{name}"' if " " in name else name
        lines.append(f"\t{i} [color=gold, label={name} style=filled];")
    lines += [f"\t\t{i} [label={i - N + g.n_out} color=black]" for i in range(N - g.n_out, N)]
    src, dst = np.nonzero(M[:, :N])
    for a, b in zip(src, dst, strict=True):
        lines.append(f"\t{a} -> {b}" + (" [color=red]" if a % 2 else ""))
    return "\n".join([*lines, "}", ""])


def test_a_reference_drawing_loads_as_the_champion_it_was_drawn_from(tmp_path):
    from scratchnn.wann.networks.formats import (
        load_network,
        matrix_from_drawing,
        to_reference_matrix,
    )

    for g in [hidden_net(), *random_nets(5, 1, 5, seed=8)]:
        path = tmp_path / "graph"
        path.write_text(_drawing(g))
        back, weights = load_network(path, g.n_in, g.n_out)
        assert weights is None  # a drawing is a topology: the shared weight sets every edge
        e, eb = express(g), express(back)
        assert np.array_equal(e.W, eb.W) and np.array_equal(e.act, eb.act)
        X = np.random.default_rng(0).normal(size=(7, g.n_in))
        with np.errstate(all="ignore"):
            assert np.array_equal(forward(e, X, -1.5), forward(eb, X, -1.5), equal_nan=True)
        # the same matrix as the champion CSV (activation ids included)
        assert np.array_equal(matrix_from_drawing(_drawing(g), g.n_in, g.n_out),
                              to_reference_matrix(g))  # fmt: skip


def test_a_drawing_that_does_not_fit_is_refused_by_name(tmp_path):
    from scratchnn.wann.networks.formats import load_genome, matrix_from_drawing

    g = hidden_net()  # 2 inputs, 1 output, hidden rows 3..
    N = len(g.nodes)
    path = tmp_path / "graph"
    path.write_text(_drawing(g, labels={3: "Softplus"}))
    with pytest.raises(ScratchnnError, match="hidden node 3 is labelled 'Softplus'"):
        load_genome(path, 2, 1)
    path.write_text(_drawing(g))
    with pytest.raises(ScratchnnError, match="labelled 'bias', not an activation"):
        load_genome(path, 1, 1)  # the task has fewer inputs than the drawing
    path.write_text(_drawing(g).replace("\t\t1 [label=2 color=lightgrey]\n", ""))
    with pytest.raises(ScratchnnError, match=f"not numbered 0..{N - 2} \\(missing: \\[1\\]\\)"):
        load_genome(path, 2, 1)
    path.write_text(_drawing(g).replace(f"\t\t{N - 1} [label=0 color=black]\n", ""))
    with pytest.raises(ScratchnnError, match=f"-> {N - 1} names a node the drawing does not have"):
        load_genome(path, 2, 1)
    path.write_text("digraph {\n}\n")
    with pytest.raises(ScratchnnError, match="node lines"):
        load_genome(path, 2, 1)
    for bad, says in [
        ("\t0 -> 3 -> 4", "not an edge of the form 'i -> j'"),  # a chain would lose edges
        ("\t0 -> {3 4}", "not an edge of the form"),
        ("\t12345678901 -> 3", "not an edge of the form"),  # no number of that size
        ("\t3 [label=tanh]", "node 3 is drawn twice"),
        ("\t3", "not a node of the form 'i \\[label=...\\]'"),
        ("\t9 [color=gold]", "not a node of the form"),
    ]:
        path.write_text(_drawing(g).replace("\n}\n", f"\n{bad}\n}}\n"))
        with pytest.raises(ScratchnnError, match=says):
            load_genome(path, 2, 1)
    # quoted numbers, a byte-order mark, and a commented-out edge are read as Graphviz reads them
    text = _drawing(g).replace("\n}\n", '\n"0" -> "4"\n/* 1 -> 4 */\n}\n')
    path.write_text("\ufeff" + text.replace("digraph", "Digraph"), encoding="utf-8")
    M = matrix_from_drawing(text, 2, 1)
    assert M[0, 4] == 1 and M[1, 4] == 0
    assert load_genome(path, 2, 1).n_enabled() == int(M[:, :-1].sum())


def test_values_from_the_file_are_quoted_cut_short(tmp_path):
    """A node kind, a drawing label or a bad cell of any size shows as a short excerpt (the
    error names the problem and the file, not 100,000 characters of it)."""
    from scratchnn.wann.networks.formats import load_genome

    huge = "k" * 100_000
    good = hidden_net().to_dict()
    cases = {
        "kind.json": json.dumps(dict(good, nodes=[*good["nodes"], [99, huge, 1]])),
        "id.json": json.dumps(dict(good, nodes=[*good["nodes"], [huge, "hidden", 1]])),
        "weights.json": json.dumps({"genome": good, "weights": [[0, 3, huge]]}),
        "graph": _drawing(hidden_net(), labels={3: huge}),
        "cells.csv": f"0,{huge}\n1,1\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ScratchnnError) as info:
            load_genome(path, 2, 1)
        line = str(info.value)
        assert len(line) < 400 and "..." in line and "k" * 61 not in line, (name, line[:500])
