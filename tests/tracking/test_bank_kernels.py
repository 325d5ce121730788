"""The bank's bookkeeping kernels against the plain rules they implement (written out in Python here), and the
coarse gate's grid against brute force on crowded and sparse layouts."""

from __future__ import annotations

import numpy as np

from amdx.tracking.association import coarse_candidates
from amdx.tracking.bank_kernels import association_fault, merge_passes_kernel, outcomes_kernel


def _merge_rule(k, conf, tent, free, a1, a2):
    """Confirmed-first association merged by hand: pass 1 over tracks conf and all measurements, pass 2 over tracks
    tent and the measurements free."""
    n = len(a1[1])
    mot, tom, d2, near = [-1] * k, [-1] * n, list(a1[2]), [-1] * n
    for q, c in enumerate(conf):
        mot[c] = a1[0][q]
    for q, c in enumerate(tent):
        mot[c] = free[a2[0][q]] if a2[0][q] >= 0 else -1
    for j in range(n):
        tom[j] = conf[a1[1][j]] if a1[1][j] >= 0 else -1
        near[j] = conf[a1[3][j]] if a1[3][j] >= 0 else -1
    for q, j in enumerate(free):
        tom[j] = tent[a2[1][q]] if a2[1][q] >= 0 else -1
        d2[j] = a2[2][q]
        if near[j] < 0:
            near[j] = tent[a2[3][q]] if a2[3][q] >= 0 else -1
    return mot, tom, d2, near


def test_merge_passes_matches_the_rule():
    rng = np.random.default_rng(5)
    for _ in range(50):
        k, n = int(rng.integers(2, 12)), int(rng.integers(0, 10))
        tent_mask = rng.random(k) < 0.4
        conf, tent = np.flatnonzero(~tent_mask), np.flatnonzero(tent_mask)
        # pass 1: a random partial matching of conf tracks to measurements
        meas = rng.permutation(n)
        m1 = min(conf.size, n, int(rng.integers(0, n + 1)))
        mot1 = np.full(conf.size, -1, np.intp)
        tom1 = np.full(n, -1, np.intp)
        for q in range(m1):
            mot1[q], tom1[meas[q]] = meas[q], q
        d2_1 = np.where(tom1 >= 0, rng.random(n), np.nan)
        near1 = np.where(rng.random(n) < 0.5, rng.integers(0, max(conf.size, 1), n), -1) if conf.size else \
            np.full(n, -1, np.intp)
        free = np.flatnonzero(tom1 < 0)
        # pass 2: a random partial matching of tent tracks to the free measurements
        m2 = min(tent.size, free.size, int(rng.integers(0, free.size + 1)))
        mot2 = np.full(tent.size, -1, np.intp)
        tom2 = np.full(free.size, -1, np.intp)
        tracks2, meas2 = rng.permutation(tent.size), rng.permutation(free.size)
        for q in range(m2):
            mot2[tracks2[q]], tom2[meas2[q]] = meas2[q], tracks2[q]
        d2_2 = np.where(tom2 >= 0, rng.random(free.size), np.nan)
        near2 = np.where(rng.random(free.size) < 0.5, rng.integers(0, max(tent.size, 1), free.size), -1) \
            if tent.size else np.full(free.size, -1, np.intp)
        a1 = (mot1, tom1, d2_1, near1.astype(np.intp))
        a2 = (mot2, tom2, d2_2, near2.astype(np.intp))
        got = merge_passes_kernel(k, conf, tent, free, *a1, *a2)
        want = _merge_rule(k, conf.tolist(), tent.tolist(), free.tolist(), a1, a2)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, np.asarray(w, dtype=g.dtype))


def test_outcomes_match_the_rule():
    rng = np.random.default_rng(6)
    for _ in range(50):
        n_rows, k, n = 20, int(rng.integers(0, 10)), int(rng.integers(0, 10))
        rows = np.sort(rng.choice(n_rows, k, replace=False)).astype(np.intp)
        ids = rng.permutation(100)[:n_rows].astype(np.int64)
        hist = rng.integers(0, 32, n_rows).astype(np.uint16)
        meas = rng.permutation(n)
        mot, tom = np.full(k, -1, np.intp), np.full(n, -1, np.intp)
        for q in range(min(k, n, int(rng.integers(0, n + 1)))):
            mot[q], tom[meas[q]] = meas[q], q
        d2 = rng.random(n)
        near = np.where(rng.random(n) < 0.6, rng.integers(0, max(k, 1), n), -1).astype(np.intp) if k else \
            np.full(n, -1, np.intp)
        upd_rows, upd_meas, track_of_meas, nis, new_meas = outcomes_kernel(rows, mot, tom, d2, near, ids, hist)
        np.testing.assert_array_equal(upd_rows, [rows[q] for q in range(k) if mot[q] >= 0])
        np.testing.assert_array_equal(upd_meas, [mot[q] for q in range(k) if mot[q] >= 0])
        np.testing.assert_array_equal(track_of_meas, [ids[rows[tom[j]]] if tom[j] >= 0 else -1 for j in range(n)])
        np.testing.assert_array_equal(nis, [d2[j] if tom[j] >= 0 else np.nan for j in range(n)])
        hit_last = [near[j] >= 0 and bool(hist[rows[near[j]]] & 1) for j in range(n)]
        np.testing.assert_array_equal(new_meas, [j for j in range(n) if tom[j] < 0 and not hit_last[j]])


def test_coarse_grid_finds_every_pair_of_brute_force():
    """The cell grid (counting sort by strip, walk in each cell) against every pair tested directly, for a crowd in
    one place, a sparse spread, wide and narrow gates and several groups (with labels far apart: no table)."""
    rng = np.random.default_rng(7)
    gamma = 21.1
    for case in range(12):
        k, n = int(rng.integers(1, 60)), int(rng.integers(1, 80))
        spread = 1.0e3 if case % 3 == 0 else 1.0e6
        z = rng.normal(size=(n, 3)) * spread
        p = z[rng.integers(0, n, k)] + rng.normal(size=(k, 3)) * spread * 0.05
        sig_p = rng.choice([10.0, 1.0e3, 3.0e4], k)
        pc = np.eye(3)[None] * (sig_p**2)[:, None, None]
        R = np.eye(3)[None] * (rng.choice([5.0, 50.0], n) ** 2)[:, None, None]
        labels = [0, 1, 2] if case % 2 else [3, 10**9, -7]
        tg, mg = rng.choice(labels, k), rng.choice(labels, n)
        ti, mj = coarse_candidates(p, pc, z, R, gamma, tg, mg)
        size_p, size_r = np.linalg.norm(pc, axis=(1, 2)), np.linalg.norm(R, axis=(1, 2))
        d2 = ((p[:, None] - z[None]) ** 2).sum(-1)
        want = np.argwhere((d2 <= gamma * (size_p[:, None] + size_r[None]) * (1.0 + 1.0e-9))
                           & (tg[:, None] == mg[None]))
        np.testing.assert_array_equal(np.stack([ti, mj], 1).reshape(-1, 2), want)


def test_coarse_grid_with_non_finite_inputs_far_labels_and_empty_sides():
    """Brute force again, where the grid indexes by coordinate and label: a track or measurement whose position or
    covariance is not finite pairs with nothing (it cannot pass the bound; an infinite covariance is left out as
    well), labels 2^63 apart (no table), and no tracks or no measurements at all."""
    rng = np.random.default_rng(8)
    gamma = 21.1
    for case in range(8):
        k, n = 12, 15
        z = rng.normal(size=(n, 3)) * 1.0e4
        p = z[rng.integers(0, n, k)] + rng.normal(size=(k, 3)) * 50.0
        pc = np.tile(np.eye(3) * 1.0e4, (k, 1, 1))
        R = np.tile(np.eye(3) * 100.0, (n, 1, 1))
        z[rng.integers(0, n, 2)] = [np.nan, 0.0, 0.0], [np.inf, 1.0, 1.0]
        p[rng.integers(0, k)] = np.nan
        pc[rng.integers(0, k)] = np.inf
        R[rng.integers(0, n)] = np.nan
        labels = [-2**63, 0, 2**63 - 1] if case % 2 else [0, 1, 2]
        tg, mg = rng.choice(labels, k).astype(np.int64), rng.choice(labels, n).astype(np.int64)
        ti, mj = coarse_candidates(p, pc, z, R, gamma, tg, mg)
        size_p, size_r = np.linalg.norm(pc, axis=(1, 2)), np.linalg.norm(R, axis=(1, 2))
        with np.errstate(invalid="ignore"):
            d2 = ((p[:, None] - z[None]) ** 2).sum(-1)
            ok = (d2 <= gamma * (size_p[:, None] + size_r[None]) * (1.0 + 1.0e-9)) & (tg[:, None] == mg[None])
        ok &= np.isfinite(size_p)[:, None]
        np.testing.assert_array_equal(np.stack([ti, mj], 1).reshape(-1, 2), np.argwhere(ok))
    for kk, nn in ((0, 5), (5, 0)):
        ti, mj = coarse_candidates(p[:kk], pc[:kk], z[:nn], R[:nn], gamma, tg[:kk], mg[:nn])
        assert ti.size == mj.size == 0


def test_association_fault_is_the_plain_rule():
    """An associator's answer is refused unless its arrays have the call's lengths and indices in range."""
    rng = np.random.default_rng(9)
    for _ in range(200):
        k, n = int(rng.integers(0, 6)), int(rng.integers(0, 6))
        mot = rng.integers(-2, n + 2, int(rng.choice([k, k, k + 1])))
        tom = rng.integers(-2, k + 2, int(rng.choice([n, n, n + 1])))
        near = rng.integers(-2, k + 2, n)
        want = (mot.size != k or tom.size != n or not all(-1 <= v < n for v in mot)
                or not all(-1 <= v < k for v in tom) or not all(-1 <= v < k for v in near))
        assert association_fault(k, n, mot.astype(np.intp), tom.astype(np.intp), near.astype(np.intp),
                                 np.zeros(n)) == want
