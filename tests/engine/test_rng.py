from __future__ import annotations

import numpy as np
import pytest

from amdx.engine.rng import RngStreams


def test_a_stream_does_not_depend_on_which_other_streams_exist():
    a = RngStreams(7)
    first = a.stream("threat/tbm1").normal(size=5)
    b = RngStreams(7)
    b.stream("sensor/north.ewr1").normal(size=100)  # a new sensor draws first
    second = b.stream("threat/tbm1").normal(size=5)
    np.testing.assert_array_equal(first, second)


def test_streams_differ_by_name_and_by_seed():
    x = RngStreams(7).stream("a").random(8)
    assert not np.array_equal(x, RngStreams(7).stream("b").random(8))
    assert not np.array_equal(x, RngStreams(8).stream("a").random(8))


def test_streams_are_statistically_independent():
    """Pearson correlation of two streams' draws is within 4 sigma of zero (sigma = 1/sqrt(n))."""
    r = RngStreams(1)
    n = 20000
    u, v = r.stream("x").standard_normal(n), r.stream("y").standard_normal(n)
    assert abs(np.corrcoef(u, v)[0, 1]) < 4 / np.sqrt(n)


def test_negative_seed_is_refused():
    with pytest.raises(ValueError):
        RngStreams(-1)
