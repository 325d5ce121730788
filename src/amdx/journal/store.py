"""The exercise journal: an append-only SQLite event store (WAL mode).

Tables:
- `meta(key, value)`: run metadata (scenario name and text, seed, amdx version);
- `orders(seq, t_s, record)`: every accepted order, written before it is acknowledged;
- `events(seq, t_s, kind, visible_to, data)`: every event in engine order.
Records are canonical JSON (sorted keys, no spaces) so an export is byte-identical run to run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

JOURNAL_NAME = "journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (seq INTEGER PRIMARY KEY, t_s REAL NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, t_s REAL NOT NULL, kind TEXT NOT NULL, visible_to TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind);
"""


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys; the one serialisation used for journal records and exports."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class JournalError(Exception):
    """A journal that cannot be opened or read (missing, not a journal, corrupt)."""


class Journal:
    """An open journal file. Use `Journal.create` for a new run and `Journal.open` to read one."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def create(cls, path: Path, meta: dict[str, str]) -> Journal:
        """Create a new journal at `path` (which must not exist) with run metadata."""
        if path.exists():
            raise JournalError(f"{path}: a journal already exists here; choose another --out folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False)  # callers serialise access
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        with conn:
            conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items()))
        return cls(conn, path)

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Open an existing journal for reading and appending."""
        if not path.is_file():
            raise JournalError(f"{path}: no journal here (expected a run folder holding {JOURNAL_NAME})")
        try:
            conn = sqlite3.connect(path, check_same_thread=False)  # callers serialise access
            conn.execute("SELECT count(*) FROM events").fetchone()
            conn.execute("SELECT count(*) FROM meta").fetchone()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{path}: not an amdx journal ({exc})") from None
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta ORDER BY key"))

    def append_order(self, record: dict[str, Any]) -> int:
        """Durably store one order record; returns its sequence number."""
        with self._conn:
            cur = self._conn.execute(
                "INSERT INTO orders(t_s, record) VALUES (?, ?)", (float(record["t_s"]), canonical_json(record))
            )
        return int(cur.lastrowid or 0)

    def append_events(self, records: Iterable[dict[str, Any]]) -> list[int]:
        """Append event records (from `Event.record()`) in order, in one transaction; their sequence numbers."""
        rows = [
            (r["t_s"], r["kind"], canonical_json(r["visible_to"]), canonical_json(r["data"])) for r in records
        ]
        with self._conn:
            first = self.last_event_seq() + 1
            self._conn.executemany("INSERT INTO events(t_s, kind, visible_to, data) VALUES (?, ?, ?, ?)", rows)
        return list(range(first, first + len(rows)))

    def last_event_seq(self) -> int:
        """The sequence number of the last event (0 when there is none)."""
        return int(self._conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def events_since(self, seq: int) -> Iterator[dict[str, Any]]:
        """Event records after sequence number `seq`, in journal order."""
        for row in self._conn.execute("SELECT seq, t_s, kind, visible_to, data FROM events WHERE seq > ? "
                                      "ORDER BY seq", (seq,)):
            yield _record(row)

    def truncate_events_after(self, seq: int) -> None:
        """Drop events after `seq` (a resumed exercise regenerates them from the orders)."""
        with self._conn:
            self._conn.execute("DELETE FROM events WHERE seq > ?", (seq,))

    def orders(self) -> list[dict[str, Any]]:
        return [json.loads(r) for (r,) in self._conn.execute("SELECT record FROM orders ORDER BY seq")]

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event record in journal order, with its sequence number."""
        for row in self._conn.execute("SELECT seq, t_s, kind, visible_to, data FROM events ORDER BY seq"):
            yield _record(row)


def _record(row: tuple[Any, ...]) -> dict[str, Any]:
    seq, t_s, kind, visible_to, data = row
    return {"seq": seq, "t_s": t_s, "kind": kind, "visible_to": json.loads(visible_to), "data": json.loads(data)}
