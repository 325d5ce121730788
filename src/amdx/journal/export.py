"""Export a journal's events: JSON Lines or CSV, one event per line, in journal order."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from amdx.journal.store import canonical_json

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("seq", "t_s", "kind", "visible_to", "data")


def export_lines(records: Iterable[dict[str, Any]], fmt: str) -> Iterator[str]:
    """Yield the export text line by line (each ending in a newline)."""
    if fmt == "jsonl":
        for r in records:
            yield canonical_json(r) + "\n"
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for r in records:
            writer.writerow([r["seq"], repr(float(r["t_s"])), r["kind"], ";".join(r["visible_to"]),
                             canonical_json(r["data"])])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        if buf.getvalue():
            yield buf.getvalue()
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
