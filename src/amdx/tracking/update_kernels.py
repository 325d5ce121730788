"""Compiled kernels of the position update (`amdx.tracking.filters`) and of the squared Mahalanobis distances of
candidate pairs (`amdx.tracking.association`): one loop over tracks (or pairs), each 3×3 block product in scalar
loops, instead of a few dozen numpy operations on stacks of 3×3 blocks.

Why: a scan instant updates a few hundred tracks and gates a few thousand candidate pairs; the numpy form spent
most of its time in per-call overhead and temporaries. The formulas are those of `filters.ekf_update` and
`association.pair_mahalanobis2` (H = [I₃ 0]: every product is 3×3); sums of products run in index order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from amdx.jit import kernel

_Array = NDArray[np.float64]
_Index = NDArray[np.intp]


@kernel
def _sym_inverse3(s: _Array, out: _Array) -> None:
    """out (3, 3) = S⁻¹ of the symmetric s (3, 3) (its upper triangle is read), by the adjugate formula."""
    a, b, c = s[0, 0], s[0, 1], s[0, 2]
    d, e, f = s[1, 1], s[1, 2], s[2, 2]
    c00 = d * f - e * e
    c01 = c * e - b * f
    c02 = b * e - c * d
    inv_det = 1.0 / (a * c00 + b * c01 + c * c02)
    out[0, 0] = c00 * inv_det
    out[0, 1] = out[1, 0] = c01 * inv_det
    out[0, 2] = out[2, 0] = c02 * inv_det
    out[1, 1] = (a * f - c * c) * inv_det
    out[1, 2] = out[2, 1] = (b * c - a * e) * inv_det
    out[2, 2] = (a * d - b * b) * inv_det


@kernel
def _quad3(nu: _Array, m: _Array) -> float:
    """νᵀ M ν for ν (3,) and M (3, 3)."""
    acc = 0.0
    for i in range(3):
        for j in range(3):
            acc += nu[i] * m[i, j] * nu[j]
    return acc


@kernel
def _innovation_cov(pc: _Array, r: _Array, s: _Array) -> None:
    """s (3, 3) = the symmetrised Pₚ + R, ½ ((Pₚ + R) + (Pₚ + R)ᵀ)."""
    for i in range(3):
        for j in range(3):
            s[i, j] = 0.5 * ((pc[i, j] + r[i, j]) + (pc[j, i] + r[j, i]))


@kernel
def pair_mahalanobis2_kernel(p: _Array, pc: _Array, z: _Array, R: _Array, ti: _Index, mj: _Index) -> _Array:
    """d² = νᵀ S⁻¹ ν, ν = z[mj] − p[ti], S = the symmetrised Pₚ[ti] + R[mj], for each pair (m,)."""
    out = np.empty(ti.shape[0])
    nu = np.empty(3)
    s = np.empty((3, 3))
    s_inv = np.empty((3, 3))
    for m in range(ti.shape[0]):
        i, j = ti[m], mj[m]
        for c in range(3):
            nu[c] = z[j, c] - p[i, c]
        _innovation_cov(pc[i], R[j], s)
        _sym_inverse3(s, s_inv)
        out[m] = _quad3(nu, s_inv)
    return out


@kernel
def _mm3(a: _Array, b: _Array, out: _Array, transpose_b: bool) -> None:
    """out (3, 3) = a b, or a bᵀ when transpose_b."""
    for i in range(3):
        for j in range(3):
            acc = 0.0
            for m in range(3):
                acc += a[i, m] * (b[j, m] if transpose_b else b[m, j])
            out[i, j] = acc


@kernel
def _update_loop(x: _Array, P: _Array, rows: _Index, z: _Array, R: _Array, meas: _Index,
                 joseph: bool) -> tuple[_Array, _Array, _Array, _Array, _Array]:
    """Position update of each track rows[t] (x (N, 6), P (N, 6, 6)) with measurement meas[t] (z (n, 3),
    R (n, 3, 3)): (x⁺, P⁺, ν, S, NIS), one row per pair, by the block formulas of `filters.ekf_update` (Joseph
    form or the short form)."""
    k = rows.shape[0]
    x_out = np.empty((k, 6))
    p_out = np.empty((k, 6, 6))
    nu_out = np.empty((k, 3))
    s_out = np.empty((k, 3, 3))
    nis = np.empty(k)
    s_inv = np.empty((3, 3))
    ka = np.empty((3, 3))
    kb = np.empty((3, 3))
    t1 = np.empty((3, 3))
    t2 = np.empty((3, 3))
    t3 = np.empty((3, 3))
    for t in range(k):
        r, q = rows[t], meas[t]
        a = P[r, :3, :3]
        b = P[r, :3, 3:]
        c = P[r, 3:, 3:]
        s = s_out[t]
        nu = nu_out[t]
        for i in range(3):
            nu[i] = z[q, i] - x[r, i]
        _innovation_cov(a, R[q], s)
        _sym_inverse3(s, s_inv)
        _mm3(a, s_inv, ka, False)  # Ka = A S⁻¹
        for i in range(3):  # Kb = Bᵀ S⁻¹
            for j in range(3):
                acc = 0.0
                for m in range(3):
                    acc += b[m, i] * s_inv[m, j]
                kb[i, j] = acc
        for i in range(3):
            xa = 0.0
            xb = 0.0
            for j in range(3):
                xa += ka[i, j] * nu[j]
                xb += kb[i, j] * nu[j]
            x_out[t, i] = x[r, i] + xa
            x_out[t, i + 3] = x[r, i + 3] + xb
        out = p_out[t]
        if joseph:
            e = t3
            for i in range(3):
                for j in range(3):
                    e[i, j] = (1.0 if i == j else 0.0) - ka[i, j]
            # A⁺ = E A Eᵀ + (Ka R) Kaᵀ
            _mm3(e, a, t1, False)
            _mm3(t1, e, t2, True)
            _mm3(ka, R[q], t1, False)  # t1 = Ka R, kept for B⁺
            for i in range(3):
                for j in range(3):
                    acc = 0.0
                    for m in range(3):
                        acc += t1[i, m] * ka[j, m]
                    out[i, j] = t2[i, j] + acc
            # B⁺ = E (B − A Kbᵀ) + (Ka R) Kbᵀ
            _mm3(a, kb, t2, True)
            for i in range(3):
                for j in range(3):
                    t2[i, j] = b[i, j] - t2[i, j]
            for i in range(3):
                for j in range(3):
                    acc_e = 0.0
                    acc_k = 0.0
                    for m in range(3):
                        acc_e += e[i, m] * t2[m, j]
                        acc_k += t1[i, m] * kb[j, m]
                    out[i, j + 3] = acc_e + acc_k
            # C⁺ = C − Kb B − (Kb B)ᵀ + (Kb S) Kbᵀ
            _mm3(kb, b, t1, False)
            _mm3(kb, s, t2, False)
            for i in range(3):
                for j in range(3):
                    acc = 0.0
                    for m in range(3):
                        acc += t2[i, m] * kb[j, m]
                    out[i + 3, j + 3] = c[i, j] - t1[i, j] - t1[j, i] + acc
        else:
            _mm3(ka, a, t1, False)
            _mm3(ka, b, t2, False)
            _mm3(kb, b, t3, False)
            for i in range(3):
                for j in range(3):
                    out[i, j] = a[i, j] - t1[i, j]
                    out[i, j + 3] = b[i, j] - t2[i, j]
                    out[i + 3, j + 3] = c[i, j] - t3[i, j]
        for i in range(3):
            for j in range(3):
                out[i + 3, j] = out[j, i + 3]
        for lo in (0, 3):  # symmetrise the diagonal blocks
            for i in range(3):
                for j in range(i):
                    out[lo + i, lo + j] = out[lo + j, lo + i] = 0.5 * (out[lo + i, lo + j] + out[lo + j, lo + i])
        nis[t] = _quad3(nu, s_inv)
    return x_out, p_out, nu_out, s_out, nis


@kernel
def kalman_update_kernel(x: _Array, P: _Array, z: _Array, R: _Array,
                         joseph: bool) -> tuple[_Array, _Array, _Array, _Array, _Array]:
    """Position update of each track (x (k, 6), P (k, 6, 6)) with its measurement (z (k, 3), R (k, 3, 3)):
    (x⁺, P⁺, ν, S, NIS) by the block formulas of `filters.ekf_update` (Joseph form or the short form)."""
    pairs = np.arange(x.shape[0])
    return _update_loop(x, P, pairs, z, R, pairs, joseph)


@kernel
def update_rows_kernel(x: _Array, P: _Array, rows: _Index, z: _Array, R: _Array, meas: _Index,
                       joseph: bool) -> None:
    """Track rows[m] (x (N, 6), P (N, 6, 6)) updated in place with measurement meas[m] (z (n, 3), R (n, 3, 3)),
    as `kalman_update_kernel` updates it."""
    x_out, p_out = _update_loop(x, P, rows, z, R, meas, joseph)[:2]
    for m in range(rows.shape[0]):
        r = rows[m]
        for i in range(6):
            x[r, i] = x_out[m, i]
            for j in range(6):
                P[r, i, j] = p_out[m, i, j]
