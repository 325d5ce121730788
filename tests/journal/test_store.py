from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from amdx.journal.export import export_lines
from amdx.journal.store import Journal, JournalError

RECORDS = [
    {"kind": "exercise_started", "t_s": 0.0, "visible_to": ["controller", "north"], "data": {"name": "x, \"y\""}},
    {"kind": "threat_launched", "t_s": 60.5, "visible_to": ["controller"], "data": {"threat_id": "tbm1"}},
]


def test_journal_is_wal_sqlite_and_keeps_order_and_metadata(tmp_path):
    path = tmp_path / "run" / "journal.sqlite"
    with Journal.create(path, {"seed": "7"}) as j:
        j.append_order({"kind": "inject", "t_s": 3.0, "source": "white"})
        j.append_events(RECORDS)
    # read back with the plain sqlite3 module, not through amdx
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = conn.execute("SELECT seq, kind FROM events ORDER BY seq").fetchall()
    assert rows == [(1, "exercise_started"), (2, "threat_launched")]
    assert dict(conn.execute("SELECT key, value FROM meta")) == {"seed": "7"}
    conn.close()
    with Journal.open(path) as j:
        assert [e["data"] for e in j.events()] == [r["data"] for r in RECORDS]
        assert j.orders() == [{"kind": "inject", "t_s": 3.0, "source": "white"}]


def test_create_refuses_to_overwrite_and_open_refuses_non_journals(tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal.create(path, {}).close()
    with pytest.raises(JournalError, match="already exists"):
        Journal.create(path, {})
    with pytest.raises(JournalError, match="no journal"):
        Journal.open(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="not an amdx journal"):
        Journal.open(junk)


def test_exports_parse_back_with_standard_readers():
    records = [dict(r, seq=i + 1) for i, r in enumerate(RECORDS)]
    jsonl = "".join(export_lines(records, "jsonl"))
    assert [json.loads(line) for line in jsonl.splitlines()] == records
    rows = list(csv.DictReader(io.StringIO("".join(export_lines(records, "csv")))))
    assert [r["kind"] for r in rows] == ["exercise_started", "threat_launched"]
    assert json.loads(rows[0]["data"]) == {"name": 'x, "y"'}
    assert rows[1]["visible_to"] == "controller" and float(rows[1]["t_s"]) == 60.5
    assert "".join(export_lines([], "csv")) == "seq,t_s,kind,visible_to,data\n"
    with pytest.raises(ValueError):
        list(export_lines(records, "xml"))
