"""`mmr_greedy` against the textbook rule written plainly: each step, over every (type with units left, target),
the largest marginal return p_ij v_j S_j, first type then first target on ties; stop when it is not positive."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.c2.wta_greedy import mmr_greedy, move_deltas, reinsert_units


def _plain_greedy(v: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    m, n = p.shape
    x = np.zeros((m, n), dtype=np.int64)
    surv = [float(a) for a in v]
    left = [int(a) for a in u]
    while True:
        best, at = 0.0, None
        for i in range(m):
            if left[i] <= 0:
                continue
            for j in range(n):
                g = float(p[i, j]) * surv[j]
                if g > best:
                    best, at = g, (i, j)
        if at is None:
            return x
        i, j = at
        x[i, j] += 1
        left[i] -= 1
        surv[j] *= 1.0 - float(p[i, j])


@pytest.mark.parametrize("seed", range(40))
def test_matches_the_plain_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 8)), int(rng.integers(1, 15))
    coarse = seed % 2 == 0  # equal returns: the tie-breaking order is tested too
    p = rng.choice([0.0, 0.5, 1.0], (m, n)) if coarse else np.where(rng.random((m, n)) < 0.6, rng.random((m, n)), 0.0)
    v = rng.choice([0.0, 1.0, 2.0], n) if coarse else rng.random(n) * 10.0
    u = rng.integers(0, 4, m)
    np.testing.assert_array_equal(mmr_greedy(v, p, u), _plain_greedy(v, p, u))


def test_inputs_untouched_and_empty_shapes() -> None:
    v, p, u = np.array([3.0, 1.0]), np.array([[0.5, 0.9]]), np.array([2])
    mmr_greedy(v, p, u)
    assert v.tolist() == [3.0, 1.0] and p.tolist() == [[0.5, 0.9]] and u.tolist() == [2]
    assert mmr_greedy(np.zeros(0), np.zeros((2, 0)), np.array([1, 1])).shape == (2, 0)


def _plain_reinsert(p: np.ndarray, utype: np.ndarray, surv: list[float], tgt: list[int], free: list[int]) -> None:
    """The recreate rule written plainly: each step the (free unit, target) of the largest p v_j S_j, first unit
    (in the order given) then first target on ties; stop when it is not positive."""
    left = list(free)
    while left:
        best, at = 0.0, None
        for r, unit in enumerate(left):
            for j in range(p.shape[1]):
                g = float(p[utype[unit], j]) * surv[j]
                if g > best:
                    best, at = g, (r, j)
        if at is None:
            return
        r, j = at
        unit = left.pop(r)
        tgt[unit] = j
        surv[j] *= 1.0 - float(p[utype[unit], j])


@pytest.mark.parametrize("seed", range(8))
def test_reinsert_units_is_the_plain_rule(seed):
    rng = np.random.default_rng(seed)
    m, n = 4, 6
    p = np.where(rng.random((m, n)) < 0.6, rng.choice([0.3, 0.5, 0.7], (m, n)), 0.0)  # ties on purpose
    units = rng.integers(0, 4, m)
    utype = np.repeat(np.arange(m), units).astype(np.int64)
    surv = rng.choice([1.0, 2.0, 5.0], n)
    free = rng.permutation(utype.size).astype(np.int64)
    tgt = np.full(utype.size, -1, dtype=np.int64)
    want_surv, want_tgt = surv.tolist(), tgt.tolist()
    _plain_reinsert(p, utype, want_surv, want_tgt, free.tolist())
    got_surv = surv.copy()
    reinsert_units(p, 1.0 - p, utype, got_surv, tgt, free)
    assert tgt.tolist() == want_tgt
    np.testing.assert_array_equal(got_surv, want_surv)


@pytest.mark.parametrize("seed", range(8))
def test_move_deltas_are_the_plain_change_of_surviving_value(seed):
    rng = np.random.default_rng(seed)
    m, n = 3, 5
    p = np.where(rng.random((m, n)) < 0.7, rng.choice([0.2, 0.5, 0.9], (m, n)), 0.0)
    units = rng.integers(1, 4, m)
    utype = np.repeat(np.arange(m), units).astype(np.int64)
    tgt = rng.integers(-1, n, utype.size).astype(np.int64)
    v = rng.choice([1.0, 3.0], n)
    surv = v * np.array([np.prod([1.0 - p[utype[u], j] for u in range(utype.size) if tgt[u] == j]) for j in range(n)])
    delta, ta, tb = move_deltas(p, 1.0 - p, utype, surv, tgt)
    for u in range(utype.size):
        i, a = int(utype[u]), int(tgt[u])
        gains = [float(p[i, j]) * surv[j] for j in range(n)]
        b = gains.index(max(gains))  # the first best target of the unit's type
        assert (ta[u], tb[u]) == (a if a >= 0 else n, b)
        if a == b:
            assert delta[u] == 0.0
            continue
        # leaving a: its surviving value grows by S_a (1/q - 1); joining b: it falls by p S_b
        want = (surv[a] * (1.0 / (1.0 - p[i, a]) - 1.0) if a >= 0 else 0.0) - gains[b]
        assert delta[u] == pytest.approx(want, rel=1e-12, abs=1e-15)
