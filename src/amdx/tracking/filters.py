"""Batched extended Kalman filter for 6-state ECEF tracks observed by 3-D position measurements.

Measurement model: z = H x + w, H = [I₃ 0], w ~ N(0, R) with R (3×3, ECEF, m²) given per measurement (a
radar's polar noise converted to ECEF by the sensor). The prediction step is `models.predict` (EKF: the
ballistic model is linearised through its state-transition matrix). The update is the Kalman update
(Bar-Shalom, Li & Kirubarajan 2001, §5.2):

    ν = z − H x,   S = H P Hᵀ + R,   K = P Hᵀ S⁻¹,   x⁺ = x + K ν,
    P⁺ = (I − K H) P (I − K H)ᵀ + K R Kᵀ  (Joseph form, default)   or   P⁺ = P − K S Kᵀ  (symmetrised).

Everything is batched over k tracks (leading axis), pure and vectorised; 3×3 inverses use the closed form
(adjugate over determinant), which is exact for the symmetric positive-definite S of a position measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel
from amdx.tracking.models import DEFAULT_MAX_SUBSTEP_S, predict

_Array = NDArray[np.float64]


def _inv_sym3_cf(s: _Array) -> _Array:
    """Inverses of symmetric 3×3 matrices stored components-first, (3, 3, ...) → (3, 3, ...), by the adjugate
    formula."""
    a, b, c = s[0, 0], s[0, 1], s[0, 2]
    d, e, f = s[1, 1], s[1, 2], s[2, 2]
    c00 = d * f - e * e
    c01 = c * e - b * f
    c02 = b * e - c * d
    inv_det = 1.0 / (a * c00 + b * c01 + c * c02)
    out = np.empty(s.shape)
    out[0, 0] = c00 * inv_det
    out[0, 1] = out[1, 0] = c01 * inv_det
    out[0, 2] = out[2, 0] = c02 * inv_det
    out[1, 1] = (a * f - c * c) * inv_det
    out[1, 2] = out[2, 1] = (b * c - a * e) * inv_det
    out[2, 2] = (a * d - b * b) * inv_det
    return out


def inv_sym3(S: ArrayLike) -> _Array:
    """Inverses (..., 3, 3) of symmetric 3×3 matrices S (..., 3, 3) by the adjugate formula (vectorised)."""
    s = np.asarray(S, dtype=np.float64)
    if s.ndim == 3:  # the common (k, 3, 3) stack: plain transposes, the same views as moveaxis at less cost
        return _inv_sym3_cf(s.transpose(1, 2, 0)).transpose(2, 0, 1)
    return np.moveaxis(_inv_sym3_cf(np.moveaxis(s, (-2, -1), (0, 1))), (0, 1), (-2, -1))


def quad_form3(nu: ArrayLike, S_inv: ArrayLike) -> _Array:
    """νᵀ S⁻¹ ν for vectors ν (..., 3) and matrices S⁻¹ (..., 3, 3): the squared Mahalanobis distance."""
    n = np.asarray(nu, dtype=np.float64)
    return np.einsum("...i,...ij,...j->...", n, np.asarray(S_inv, dtype=np.float64), n)


@dataclass(frozen=True, eq=False)
class UpdateResult:
    """Result of a batched position update (k tracks).

    Attributes:
        x: posterior states (k, 6), ECEF m, m/s.
        P: posterior covariances (k, 6, 6).
        nu: innovations z − H x (k, 3), m.
        S: innovation covariances (k, 3, 3), m².
        nis: normalised innovation squared νᵀ S⁻¹ ν (k,), χ²(3) when the filter is consistent (refs §4).
    """

    x: _Array
    P: _Array
    nu: _Array
    S: _Array
    nis: _Array


def _mm(a: _Array, b: _Array) -> _Array:
    """Batched product of matrices stored components-first, (i, l, k) · (l, j, k) → (i, j, k)."""
    return np.einsum("ilk,ljk->ijk", a, b)


def _t(a: _Array) -> _Array:
    """Batched transpose of matrices stored components-first (a view)."""
    return a.transpose(1, 0, 2)


def ekf_update(x: ArrayLike, P: ArrayLike, z: ArrayLike, R: ArrayLike, joseph: bool = True) -> UpdateResult:
    """Kalman update of states x (k, 6), covariances P (k, 6, 6) with positions z (k, 3) of covariance R
    (k, 3, 3) (ECEF, m, m²), one measurement per track. Joseph form (default) or the symmetrised short
    form.

    Computed on 3×3 blocks, P = [[A, B], [Bᵀ, C]], K = [Ka; Kb] = [A; Bᵀ] S⁻¹ (H = [I 0] makes every product
    3×3). Joseph, with E = I − Ka:
    A⁺ = E A Eᵀ + Ka R Kaᵀ,  B⁺ = E (B − A Kbᵀ) + Ka R Kbᵀ,  C⁺ = C − Kb B − Bᵀ Kbᵀ + Kb S Kbᵀ.
    Short form: A⁺ = A − Ka A,  B⁺ = B − Ka B,  C⁺ = C − Kb B.
    Internally the matrices are laid out components-first, (3, 3, k): batched products of tiny matrices are
    then a few vector operations of length k (several times faster than `matmul` on (k, 3, 3) stacks)."""
    x = np.asarray(x, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    ps = np.ascontiguousarray(np.moveaxis(np.asarray(P, dtype=np.float64), 0, -1))
    rs = np.ascontiguousarray(np.moveaxis(np.asarray(R, dtype=np.float64), 0, -1))
    a, b, c = ps[:3, :3], ps[:3, 3:], ps[3:, 3:]
    nu = z - x[:, :3]
    S = a + rs
    S = 0.5 * (S + _t(S))
    s_inv = _inv_sym3_cf(S)
    ka = _mm(a, s_inv)
    kb = _mm(_t(b), s_inv)
    nut = nu.T
    x_new = np.empty_like(x)
    x_new[:, :3] = x[:, :3] + np.einsum("ijk,jk->ki", ka, nut)
    x_new[:, 3:] = x[:, 3:] + np.einsum("ijk,jk->ki", kb, nut)
    out = np.empty_like(ps)
    if joseph:
        e = -ka
        e[0, 0] += 1.0
        e[1, 1] += 1.0
        e[2, 2] += 1.0
        kar = _mm(ka, rs)
        out[:3, :3] = _mm(_mm(e, a), _t(e)) + _mm(kar, _t(ka))
        out[:3, 3:] = _mm(e, b - _mm(a, _t(kb))) + _mm(kar, _t(kb))
        kbb = _mm(kb, b)
        out[3:, 3:] = c - kbb - _t(kbb) + _mm(_mm(kb, S), _t(kb))
    else:
        out[:3, :3] = a - _mm(ka, a)
        out[:3, 3:] = b - _mm(ka, b)
        out[3:, 3:] = c - _mm(kb, b)
    out[3:, :3] = _t(out[:3, 3:])
    for lo in (0, 3):
        blk = out[lo:lo + 3, lo:lo + 3]
        blk[...] = 0.5 * (blk + _t(blk))
    p_new = np.ascontiguousarray(np.moveaxis(out, -1, 0))
    s_aos = np.ascontiguousarray(np.moveaxis(S, -1, 0))
    nis = np.einsum("ik,ijk,jk->k", nut, s_inv, nut)
    return UpdateResult(x=x_new, P=p_new, nu=nu, S=s_aos, nis=nis)


@dataclass(frozen=True)
class BatchEKF:
    """The filter a `Tracker` receives: model prediction and position update, batched over tracks.

    Attributes:
        q_cv_m2_s3: white-noise acceleration spectral density of the constant-velocity model, m²/s³.
        q_ballistic_m2_s3: the same for the ballistic model (unmodelled J2, drag, manoeuvre), m²/s³.
        earth: Earth model (gravitational parameter and rotation rate of the ballistic model).
        max_substep_s: longest RK4 sub-step of the ballistic model, s.
        joseph: Joseph-form covariance update (True) or the symmetrised short form.
    """

    q_cv_m2_s3: float = 10.0
    q_ballistic_m2_s3: float = 1.0
    earth: EarthModel = WGS84
    max_substep_s: float = DEFAULT_MAX_SUBSTEP_S
    joseph: bool = True

    def __post_init__(self) -> None:
        for name in ("q_cv_m2_s3", "q_ballistic_m2_s3"):
            if not getattr(self, name) >= 0.0:
                raise ValueError(f"{name} must be >= 0, found {getattr(self, name)}")
        if not self.max_substep_s > 0.0:
            raise ValueError(f"max_substep_s must be > 0, found {self.max_substep_s}")

    def predict(self, x: ArrayLike, P: ArrayLike, model: ArrayLike, dt_s: ArrayLike) -> tuple[_Array, _Array]:
        """States (k, 6) and covariances (k, 6, 6) predicted over dt_s (s) with each track's model code."""
        return predict(x, P, model, dt_s, self.q_cv_m2_s3, self.q_ballistic_m2_s3, self.earth,
                       self.max_substep_s)

    def update(self, x: ArrayLike, P: ArrayLike, z: ArrayLike, R: ArrayLike) -> UpdateResult:
        """Position update (see `ekf_update`)."""
        return ekf_update(x, P, z, R, self.joseph)
