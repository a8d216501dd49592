import gzip

import numpy as np
import pytest

from scratchnn.data.formats import (
    decompress_gzip,
    encode_idx,
    parse_csv,
    parse_idx,
    read_csv,
    read_idx_bytes,
)
from scratchnn.errors import DataError


def test_idx_round_trip_images_and_labels():
    imgs = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28).astype(np.uint8)
    labels = np.array([3, 7, 1], np.uint8)
    assert np.array_equal(parse_idx(encode_idx(imgs), "x"), imgs)
    assert np.array_equal(parse_idx(encode_idx(labels), "y"), labels)
    assert encode_idx(labels)[:4] == b"\x00\x00\x08\x01"
    assert encode_idx(imgs)[:4] == b"\x00\x00\x08\x03"


def test_idx_wrong_magic_is_refused():
    data = bytearray(encode_idx(np.zeros(4, np.uint8)))
    data[2] = 0x0D  # float type
    with pytest.raises(DataError, match="wrong IDX magic"):
        parse_idx(bytes(data), "labels.idx")


def test_idx_size_mismatch_is_refused():
    data = encode_idx(np.zeros((3, 28, 28), np.uint8))
    with pytest.raises(DataError, match=r"imgs\.idx: header says shape \(3, 28, 28\)"):
        parse_idx(data[:-10], "imgs.idx")
    with pytest.raises(DataError, match="header says"):
        parse_idx(data + b"\x00", "imgs.idx")


def test_idx_too_short_is_refused():
    with pytest.raises(DataError, match="too short"):
        parse_idx(b"\x00\x00", "tiny")


def test_truncated_gzip_is_refused(tmp_path):
    blob = gzip.compress(encode_idx(np.arange(100, dtype=np.uint8)))
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: not a complete gzip"):
        read_idx_bytes(path)
    with pytest.raises(DataError, match="not a complete gzip"):
        decompress_gzip(b"not gzip at all", "junk")


def test_read_idx_gz_and_raw(tmp_path):
    raw = encode_idx(np.arange(10, dtype=np.uint8))
    (tmp_path / "a").write_bytes(raw)
    (tmp_path / "a.gz").write_bytes(gzip.compress(raw))
    assert read_idx_bytes(tmp_path / "a") == raw == read_idx_bytes(tmp_path / "a.gz")


def _csv_row(label, pixels):
    return ",".join(str(v) for v in [label, *pixels])


def test_csv_parses_label_then_pixels(tmp_path):
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, (3, 784))
    text = "\n".join(_csv_row(lab, p) for lab, p in zip([5, 0, 4], px, strict=True)) + "\n"
    (tmp_path / "m.csv").write_text(text)
    images, labels = read_csv(tmp_path / "m.csv")
    assert labels.tolist() == [5, 0, 4]
    assert images.shape == (3, 28, 28) and images.dtype == np.uint8
    assert np.array_equal(images.reshape(3, 784), px)


def test_csv_row_with_wrong_field_count_is_refused():
    good = _csv_row(1, [0] * 784)
    bad = _csv_row(1, [0] * 783)
    with pytest.raises(DataError, match=r"mnist_train\.csv: row 2 has 784 fields, expected 785"):
        parse_csv(good + "\n" + bad + "\n", "mnist_train.csv")


def test_csv_out_of_range_and_garbage_are_refused():
    with pytest.raises(DataError, match="out of range"):
        parse_csv(_csv_row(1, [256] + [0] * 783), "x.csv")
    with pytest.raises(DataError, match="out of range"):
        parse_csv(_csv_row(12, [0] * 784), "x.csv")
    with pytest.raises(DataError, match="non-integer"):
        parse_csv(_csv_row("a", [0] * 784), "x.csv")
    with pytest.raises(DataError, match="empty"):
        parse_csv("\n", "x.csv")
