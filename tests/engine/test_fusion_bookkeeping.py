"""The fusion centre's compiled bookkeeping (grouping, layout by number, renumbering, recent tracks, merges) and its
memory of source keys, each against the plain rule written out in numpy and Python."""

from __future__ import annotations

import numpy as np
import pytest

from amdx.engine.fusion import _KeyNumbers, covariance_intersection
from amdx.engine.fusion_kernels import group_rows, merge_pairs, picture_rows, recent_after, renew_numbers


def _spd(rng: np.random.Generator, k: int) -> np.ndarray:
    a = rng.standard_normal((k, 6, 6)) * rng.uniform(1.0, 300.0, (k, 1, 6))
    return a @ np.swapaxes(a, 1, 2) + np.eye(6)


@pytest.mark.parametrize("seed", range(4))
def test_group_rows_is_the_sorted_grouping_and_the_first_number_not_taken(seed):
    rng = np.random.default_rng(seed)
    n, size = 40, 130
    member = np.concatenate([np.arange(n), rng.integers(0, n, size - n)])
    rng.shuffle(member)
    prev = np.where(rng.random(size) < 0.6, rng.integers(0, 30, size), -1).astype(np.int64)
    row_cls = rng.integers(0, 3, size).astype(np.int8)
    P = _spd(rng, n)
    order, starts, cls, sigma, kept = group_rows(member, n, prev, row_cls, P)
    expected_order = np.argsort(member, kind="stable")
    assert np.array_equal(order, expected_order)
    assert np.array_equal(starts, np.searchsorted(member[expected_order], np.arange(n + 1)))
    assert np.array_equal(cls, np.maximum.reduceat(row_cls[expected_order], starts[:-1]))
    assert np.array_equal(sigma, np.sqrt(P[:, 0, 0] + P[:, 1, 1] + P[:, 2, 2]))
    taken: set[int] = set()
    for f in range(n):
        mine = [int(prev[r]) for r in np.flatnonzero(member == f)]
        number = next((m for m in mine if m >= 0 and m not in taken), -1)
        taken.add(number)
        assert kept[f] == number


@pytest.mark.parametrize("seed", range(4))
def test_picture_rows_orders_by_number_and_finds_each_distinct_source_set_once(seed):
    rng = np.random.default_rng(10 + seed)
    n, size, n_src = 50, 140, 70 if seed == 3 else 5  # more sources than bits in a code: equal codes, unequal sets
    member = np.concatenate([np.arange(n), rng.integers(0, n, size - n)])
    order, starts, *_ = group_rows(member, n, np.full(size, -1, np.int64), np.zeros(size, np.int8),
                                   _spd(rng, n))
    number = rng.permutation(np.arange(100, 100 + 3 * n))[:n].astype(np.int64)
    has = rng.random((n, n_src)) < 0.3
    if n_src > 62:  # sources s and s + 62 share a bit of the code: equal codes of unequal sets, and equal sets
        has[1] = has[2] = has[0]
        has[[0, 2], 0], has[[0, 2], 62], has[1, 0], has[1, 62] = True, False, False, True
    by_number, rows, bounds, set_of, first = picture_rows(number, order, starts, has)
    assert np.array_equal(by_number, np.argsort(number))
    rank = np.empty(n, np.intp)
    rank[by_number] = np.arange(n)
    expected_rows = np.argsort(rank[member], kind="stable")
    assert np.array_equal(rows, expected_rows)
    assert np.array_equal(bounds, np.searchsorted(rank[member][expected_rows], np.arange(n + 1)))
    seen: dict[tuple[bool, ...], int] = {}
    for g, f in enumerate(by_number):
        key = tuple(has[f].tolist())
        assert set_of[g] == seen.setdefault(key, len(seen))
    assert first.tolist() == [set_of.tolist().index(j) for j in range(len(seen))]


def _renew_plain(t_s, x, sigma, cls, number, r_number, r_t, r_x, r_sigma, r_cls, n_next, gate_m, gravity, falling):
    """The numpy prediction of the lost tracks and the greedy nearest matching written out."""
    number = number.copy()
    fresh = np.flatnonzero(number < 0)
    kept = np.zeros(n_next, bool)
    kept[number[number >= 0]] = True
    gone = np.flatnonzero(~kept[r_number])
    if not fresh.size or not gone.size:
        return number
    dt = (t_s - r_t[gone])[:, None]
    x0 = r_x[gone]
    r = x0[:, :3] + x0[:, 3:] * dt
    down = 0.5 * gravity * dt * dt * x0[:, :3] / np.linalg.norm(x0[:, :3], axis=1, keepdims=True)
    r = np.where((r_cls[gone] == falling)[:, None], r - down, r)
    pairs = []
    for i, f in enumerate(fresh):
        for k, g in enumerate(gone):
            c, c0 = int(cls[f]), int(r_cls[g])
            gap = float(np.sqrt(((x[f, :3] - r[k]) ** 2).sum()))
            if (c == 0 or c0 == 0 or c == c0) and gap <= gate_m + 4.0 * (sigma[f] + r_sigma[g]):
                pairs.append((gap, i, int(r_number[g]), k))
    used_i, used_k = set(), set()
    for _, i, lost, k in sorted(pairs):
        if i not in used_i and k not in used_k:
            used_i.add(i)
            used_k.add(k)
            number[fresh[i]] = lost
    return number


@pytest.mark.parametrize("seed", range(5))
def test_renew_numbers_is_the_numpy_prediction_and_the_nearest_match(seed):
    rng = np.random.default_rng(30 + seed)
    n, m, n_next = 25, 30, 80
    r_number = rng.permutation(n_next)[:m].astype(np.int64)
    number = np.where(rng.random(n) < 0.5, -1, rng.permutation(r_number)[:n]).astype(np.int64)
    r_x = np.concatenate([rng.normal(0, 4e6, (m, 3)), rng.normal(0, 2e3, (m, 3))], axis=1)
    r_t = rng.uniform(0.0, 30.0, m)
    r_cls = rng.integers(0, 3, m).astype(np.int8)
    r_sigma = rng.uniform(0.0, 500.0, m)
    t_s = 35.0
    dt = t_s - r_t[:n]  # fresh tracks placed near the predictions of some lost ones
    x = r_x[:n].copy()
    x[:, :3] += r_x[:n, 3:] * dt[:, None] + rng.normal(0, 800.0, (n, 3))
    sigma = rng.uniform(0.0, 300.0, n)
    cls = rng.integers(0, 3, n).astype(np.int8)
    args = (t_s, x, sigma, cls, number, r_number, r_t, r_x, r_sigma, r_cls, n_next, 2_000.0, 9.80665, 2)
    expected = _renew_plain(*args)
    before = int((number >= 0).sum())
    renew_numbers(*args)
    assert np.array_equal(number, expected)
    assert (number >= 0).sum() > before  # some were renewed


def test_recent_after_keeps_the_young_absent_ones_then_the_picture():
    rng = np.random.default_rng(7)
    m, n, n_next = 20, 8, 60
    r_number = rng.permutation(50)[:m].astype(np.int64)
    r_t, r_x, r_sigma = rng.uniform(0, 40, m), rng.normal(size=(m, 6)), rng.uniform(size=m)
    r_cls = rng.integers(0, 3, m).astype(np.int8)
    number = np.concatenate([r_number[:3], [55, 56, 57, 58, 59]]).astype(np.int64)
    x, sigma, cls = rng.normal(size=(n, 6)), rng.uniform(size=n), rng.integers(0, 3, n).astype(np.int8)
    out = recent_after(45.0, number, x, sigma, cls, r_number, r_t, r_x, r_sigma, r_cls, n_next, 30.0)
    keep = (45.0 - r_t <= 30.0) & ~np.isin(r_number, number)
    expected = (np.concatenate([r_number[keep], number]), np.concatenate([r_t[keep], np.full(n, 45.0)]),
                np.concatenate([r_x[keep], x]), np.concatenate([r_sigma[keep], sigma]),
                np.concatenate([r_cls[keep], cls]))
    for a, b in zip(out, expected, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_merge_pairs_folds_each_pair_and_closes_up_the_rows():
    rng = np.random.default_rng(3)
    n, size = 12, 30
    x, P = rng.normal(0, 1e3, (n + 4, 6)), _spd(rng, n + 4)
    has = rng.random((n + 4, 3)) < 0.4
    member = rng.integers(0, n, size)
    keep, gone = np.array([5, 0, 9]), np.array([2, 11, 7])
    x0, P0, has0, member0 = x.copy(), P.copy(), has.copy(), member.copy()
    k = merge_pairs(x, P, has, member, n, keep, gone)
    fx, fP = covariance_intersection(x0[keep], P0[keep], x0[gone], P0[gone])
    ex, eP, ehas = x0[:n].copy(), P0[:n].copy(), has0[:n].copy()
    ex[keep], eP[keep] = fx, fP
    ehas[keep] |= ehas[gone]
    alive = np.ones(n, bool)
    alive[gone] = False
    target = np.arange(n)
    target[gone] = keep
    assert k == n - 3
    assert np.array_equal(x[:k], ex[alive]) and np.array_equal(P[:k], eP[alive])
    assert np.array_equal(has[:k], ehas[alive])
    assert np.array_equal(member, (np.cumsum(alive) - 1)[target[member0]])
    assert np.array_equal(x[n:], x0[n:])  # rows past n untouched


def test_key_numbers_are_the_last_pictures_numbers_of_each_key():
    """Against a dict made per picture, over pictures whose keys come, go, come back and are forgotten."""
    rng = np.random.default_rng(5)
    memory, last = _KeyNumbers(), {}
    pool = [f"s{s}/{i}" for s in range(3) for i in range(900)]
    for step in range(120):
        size = int(rng.integers(0, 60)) if step % 17 else 0
        keys = list(dict.fromkeys(rng.choice(pool[:200 + 20 * step], size).tolist()))
        slots, prev = memory.previous(keys)
        assert prev.tolist() == [last.get(k, -1) for k in keys]
        numbers = rng.integers(0, 10_000, len(keys)).astype(np.int64)
        memory.remember(keys, slots, numbers)
        last = dict(zip(keys, numbers.tolist(), strict=True))


def test_key_numbers_of_keys_repeated_within_a_picture_are_their_last():
    """A key twice in one picture keeps its last number there, as a dict made per picture does, and the keys after
    it get slots of their own (none inherits another's number)."""
    rng = np.random.default_rng(6)
    memory, last = _KeyNumbers(), {}
    pool = [f"s/{i}" for i in range(300)]
    for _ in range(80):
        keys = rng.choice(pool, int(rng.integers(1, 80))).tolist()  # with repeats
        slots, prev = memory.previous(keys)
        assert prev.tolist() == [last.get(k, -1) for k in keys]
        numbers = rng.integers(0, 10_000, len(keys)).astype(np.int64)
        memory.remember(keys, slots, numbers)
        last = dict(zip(keys, numbers.tolist(), strict=True))


def test_intersection_of_slightly_indefinite_covariances_is_the_textbook_one():
    """Round-off can leave a covariance with a tiny negative eigenvalue: no Cholesky factor then, and the fold falls
    back to elimination with pivoting; the result is finite and the textbook covariance intersection (numpy's
    LAPACK inverses of ω Pa⁻¹ + (1 − ω) Pb⁻¹, ω = tr Pb / (tr Pa + tr Pb))."""
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=6), rng.normal(size=6)
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    Pa = Q @ np.diag([1e4, 1e4, 1e4, 10.0, 10.0, -1e-3]) @ Q.T
    Pb = Q @ np.diag([2e4, 5e3, 1e4, 20.0, 5.0, -1e-3]) @ Q.T
    x, P = covariance_intersection(xa, Pa, xb, Pb)
    w = np.trace(Pb) / (np.trace(Pa) + np.trace(Pb))
    info = w * np.linalg.inv(Pa) + (1.0 - w) * np.linalg.inv(Pb)
    P_ref = np.linalg.inv(info)
    x_ref = P_ref @ (w * np.linalg.inv(Pa) @ xa + (1.0 - w) * np.linalg.inv(Pb) @ xb)
    assert np.isfinite(x).all() and np.isfinite(P).all()
    np.testing.assert_allclose(P[0], 0.5 * (P_ref + P_ref.T), rtol=1e-6, atol=1e-9 * np.abs(P_ref).max())
    np.testing.assert_allclose(x[0], x_ref, rtol=1e-6, atol=1e-9 * np.abs(x_ref).max())
