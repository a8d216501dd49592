"""The hostile-file corpus (tests/corpus, issue 16): each file once ended in a traceback, a hang,
a memory blow-up or a wrong result; now each reader refuses it with one scratchnn error, and the
command line with one ``error:`` line and exit 2 before any work. Also: a mirror that streams
forever or trickles bytes, served on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scratchnn.cli import main
from scratchnn.errors import ScratchnnError

CORPUS = Path(__file__).resolve().parent / "corpus"


def _config(p: Path):
    from scratchnn.config import load_config

    return load_config(p)


def _space(p: Path):
    from scratchnn.experiments.tune import load_spec

    return load_spec(p)


def _wann_config(p: Path):
    from scratchnn.wann.search.config import load_config_file

    return load_config_file(p)


def _genome(p: Path):
    from scratchnn.wann.networks.formats import load_genome

    return load_genome(p, 2, 1)


def _checkpoint(p: Path):
    from scratchnn.wann.search.loop import load_checkpoint

    return load_checkpoint(p)


def _store(p: Path):
    from scratchnn.experiments.store import ResultStore

    with ResultStore(p) as store:
        return store.keys()


def _study(p: Path):
    from scratchnn.experiments.tune import open_study

    return open_study(f"sqlite:///{p}")


def _csv(p: Path):
    from scratchnn.data.formats import read_csv

    return read_csv(p)


def _idx_folder(p: Path):
    from scratchnn.data.sources import from_user_files

    return from_user_files(p)


Reader = Callable[[Path], object]
CASES: list[tuple[str, Reader, str]] = [
    ("config_train_5.yaml", _config, "valid keys in Train: batch_size"),
    ("config_unknown_key.yaml", _config, "unknown key Train.lr; valid keys in Train"),
    ("config_binary.yaml", _config, "not a text file"),
    ("config_deep_flow.yaml", _config, "nested too deeply"),
    ("config_deep_block.yaml", _config, "nested too deeply"),
    ("config_empty.yaml", _config, "the file is empty"),
    ("config_comments_only.yaml", _config, "the file is empty"),
    ("config_alias_bomb.yaml", _config, "unknown section 'a'"),
    ("config_huge_number.yaml", _config, "Train.seed must be < 2**63"),
    ("config_alias_bomb.yaml", _space, "unknown field(s)"),
    ("config_binary.yaml", _space, "not a text file"),
    ("config_empty.yaml", _space, "the file is empty"),
    ("space_not_a_mapping.yaml", _space, "expected a mapping"),
    ("space_bad_set.yaml", _space, "'set' must be a list"),
    ("space_huge_bounds.yaml", _space, "must be finite"),
    ("config_alias_bomb.yaml", _wann_config, "unknown key"),
    ("config_deep_flow.yaml", _wann_config, "nested too deeply"),
    ("config_binary.yaml", _wann_config, "not a text file"),
    ("config_empty.yaml", _wann_config, "the file is empty"),
    ("genome_infinity.json", _genome, ""),
    ("genome_unknown_kind.json", _genome, "unknown node kind"),
    ("genome_duplicate_ids.json", _genome, ""),
    ("genome_output_is_an_input.json", _genome, "needs 2"),
    ("genome_deep.json", _genome, "nested too deeply"),
    ("genome_binary.json", _genome, "not a text file"),
    ("checkpoint_header_list.npz", _checkpoint, "header is not a JSON object"),
    ("checkpoint_header_null.npz", _checkpoint, "header is not a JSON object"),
    ("checkpoint_empty_pop.npz", _checkpoint, "node_ptr"),
    ("results_foreign.sqlite", _store, "not scratchnn's"),
    ("results_scribbled.sqlite", _store, "results store"),
    ("study_garbage.db", _study, "cannot open the study"),
    ("mnist_csv_overflow.csv", _csv, "non-integer value"),
    ("gzip_bomb", _idx_folder, "not MNIST"),
]


@pytest.mark.parametrize(
    ("name", "reader", "message"), CASES, ids=[f"{c[0]}-{c[1].__name__[1:]}" for c in CASES]
)
def test_each_hostile_file_is_one_scratchnn_error(tmp_path, name, reader, message):
    import shutil

    src = CORPUS / name
    # a copy: a reader must never "repair" the corpus
    path = tmp_path / name
    if src.is_dir():
        shutil.copytree(src, path)
    else:
        shutil.copy(src, path)
    t0 = time.process_time()  # CPU seconds: a loaded machine's wall clock says little
    with pytest.raises(ScratchnnError) as info:
        reader(path)
    assert message in str(info.value)
    assert len(str(info.value)) < 2000 and "\n" not in str(info.value).strip()
    assert time.process_time() - t0 < 10


def test_every_corpus_file_is_used():
    used = {name for name, _, _ in CASES}
    present = {p.name for p in CORPUS.iterdir() if p.name != "make_corpus.py"}
    assert present == used


@pytest.mark.parametrize(
    "name",
    [
        "config_train_5.yaml",
        "config_binary.yaml",
        "config_deep_flow.yaml",
        "config_empty.yaml",
        "config_alias_bomb.yaml",
    ],
)
def test_train_refuses_each_hostile_config_in_one_line(tmp_path, capsys, monkeypatch, name):
    import scratchnn.runs

    monkeypatch.setattr(scratchnn.runs, "load_mnist", lambda *a, **k: pytest.fail("data loaded"))
    assert main(["train", "--config", str(CORPUS / name), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_a_champion_csv_of_30k_nodes_is_refused_before_its_matrix(tmp_path):
    from scratchnn.wann.networks.formats import load_genome

    path = tmp_path / "huge.csv"
    path.write_text("0,0\n" * 30_000)  # 30,000 rows: a dense matrix would take 7 GB
    with pytest.raises(ScratchnnError, match="more than 4,096 nodes"):
        load_genome(path, 2, 1)


def test_wann_eval_of_hostile_genomes_is_one_line(tmp_path, capsys):
    for name in ("genome_infinity.json", "genome_deep.json", "genome_binary.json"):
        assert main(["wann", "eval", str(CORPUS / name), "--task", "xor"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1, err


def test_wann_search_resume_of_a_hostile_checkpoint_is_one_line(tmp_path, capsys):
    import shutil

    for name in ("checkpoint_header_list.npz", "checkpoint_empty_pop.npz"):
        out = tmp_path / name
        out.mkdir()
        shutil.copy(CORPUS / name, out / "checkpoint.npz")
        assert main(["wann", "search", "--task", "xor", "--resume", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "delete it" in err, err


# --- mirrors that never end ------------------------------------------------------------------


class _Hostile(http.server.BaseHTTPRequestHandler):
    mode = "endless"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        try:
            if self.mode == "endless":  # zeros, forever, as fast as possible
                chunk = bytes(1 << 16)
                while True:
                    self.wfile.write(chunk)
            else:  # one byte every 0.2 s: never a socket timeout, never done
                while True:
                    self.wfile.write(b"\x00")
                    self.wfile.flush()
                    time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


@pytest.fixture
def hostile_server() -> Iterator[Callable[[str], str]]:
    servers = []

    def start(mode: str) -> str:
        handler = type("H", (_Hostile,), {"mode": mode})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_mirror_that_streams_forever_is_cut_off_at_the_size_cap(hostile_server):
    from scratchnn.data.sources import download

    t0 = time.perf_counter()
    with pytest.raises(ScratchnnError, match="more than 1,000,000 bytes"):
        download(hostile_server("endless") + "x.gz", progress=False, max_bytes=1_000_000)
    assert time.perf_counter() - t0 < 30


def test_a_mirror_that_trickles_is_given_up_at_the_deadline(hostile_server):
    from scratchnn.data.sources import download

    t0 = time.perf_counter()
    with pytest.raises(ScratchnnError, match="download too slow"):
        download(hostile_server("trickle") + "x.gz", progress=False, deadline=1.5)
    assert time.perf_counter() - t0 < 30


def test_fetch_from_hostile_mirrors_fails_in_bounded_time_and_memory(
    hostile_server, tmp_path, monkeypatch, fake_mnist
):
    import scratchnn.data.sources as src

    monkeypatch.setattr(src, "DOWNLOAD_DEADLINE_S", 1.5)
    t0 = time.perf_counter()
    with pytest.raises(ScratchnnError, match="could not get MNIST"):
        src.fetch_mnist(
            tmp_path / "cache",
            mirrors=[hostile_server("endless"), hostile_server("trickle")],
            use_pypi=False,
            progress=False,
        )
    assert time.perf_counter() - t0 < 60
