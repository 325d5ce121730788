"""Reading WTA instance files: the format of shared/data/wta/README.md, errors with line numbers."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from amdx.c2 import WtaInstanceError, parse_wta_text, read_wta_instance

GOOD = "2 3 2\n10\n20\n30\n0 0 0.5\n0 1 0.25\n0 2 0.9\n1 0 0.1\n1 1 0.8\n1 2 0.3\n"


def test_plain_and_gzip_files_read_the_same(tmp_path):
    plain = tmp_path / "a.txt"
    plain.write_text(GOOD)
    gz = tmp_path / "a.txt.gz"
    gz.write_bytes(gzip.compress(GOOD.encode()))
    for path in (plain, gz):
        values, pk, units = read_wta_instance(path)
        assert values.tolist() == [10, 20, 30]
        assert units.tolist() == [2, 2]
        assert pk[0, 1] == 0.25 and pk[1, 1] == 0.8 and pk.shape == (2, 3)


def test_pairs_may_come_in_any_order():
    lines = GOOD.splitlines()
    text = "\n".join(lines[:4] + lines[4:][::-1]) + "\n"
    _, pk, _ = parse_wta_text(text)
    assert np.array_equal(pk, parse_wta_text(GOOD)[1])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("2 3\n", ":1: expected the header"),
        ("2 x 2\n", ":1: expected an integer"),
        (GOOD.replace("30\n", ""), "expected 10 non-blank lines"),
        (GOOD + "1 2 0.5\n", "expected 10 non-blank lines"),
        (GOOD.replace("0 1 0.25", "0 1 1.25"), ":6: kill probability must be in [0, 1]"),
        (GOOD.replace("0 1 0.25", "0 1 -0.1"), ":6: kill probability must be in [0, 1]"),
        (GOOD.replace("0 1 0.25", "0 1 abc"), ":6: expected a kill probability"),
        (GOOD.replace("0 1 0.25", "0 1"), ":6: expected 'i j p'"),
        (GOOD.replace("0 1 0.25", "0 7 0.25"), ":6: target index must be in [0, 2]"),
        (GOOD.replace("0 1 0.25", "0 0 0.25"), ":6: pair (0, 0) given twice"),
        (GOOD.replace("20\n", "-20\n"), ":3: expected a non-negative target value"),
        (GOOD.replace("20\n", "nan\n"), ":3: expected a target value"),
    ],
)
def test_malformed_text_names_the_line(text, message):
    with pytest.raises(WtaInstanceError) as info:
        parse_wta_text(text, source="f.txt")
    assert message in str(info.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(WtaInstanceError, match="cannot read"):
        read_wta_instance(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt.gz"
    bad.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(WtaInstanceError, match="cannot read"):
        read_wta_instance(bad)
