"""Run records and the tables they give.

A run keeps a ``run.json`` record beside its files (:mod:`.records`: command, commit, dirty
flag, seed, resolved config, versions, summary metrics, sha256 of each artifact);
:func:`write_record` writes one (:mod:`.writer`). :func:`load_records` reads every record
under a folder; :func:`tabulate` turns them into one Markdown table, a row per run
(``scratchnn results DIR`` prints it), and :func:`summary_rows` gives the same rows as data.
:func:`published` holds the WANN paper's and the writeup's published numbers, labelled as
theirs.
"""

from __future__ import annotations

from .records import RECORD, SCHEMA, Record, ResultsError, load_records, published
from .summary import flatten_metrics, summary_rows, tabulate
from .writer import new_record, write_record

__all__ = [
    "RECORD",
    "SCHEMA",
    "Record",
    "ResultsError",
    "flatten_metrics",
    "load_records",
    "new_record",
    "published",
    "summary_rows",
    "tabulate",
    "write_record",
]
