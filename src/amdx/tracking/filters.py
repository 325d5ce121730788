"""Batched extended Kalman filter for 6-state ECEF tracks observed by 3-D position measurements.

Measurement model: z = H x + w, H = [I₃ 0], w ~ N(0, R) with R (3×3, ECEF, m²) given per measurement (a
radar's polar noise converted to ECEF by the sensor). The prediction step is `models.predict` (EKF: the
ballistic model is linearised through its state-transition matrix). The update is the Kalman update
(Bar-Shalom, Li & Kirubarajan 2001, §5.2):

    ν = z − H x,   S = H P Hᵀ + R,   K = P Hᵀ S⁻¹,   x⁺ = x + K ν,
    P⁺ = (I − K H) P (I − K H)ᵀ + K R Kᵀ  (Joseph form, default)   or   P⁺ = P − K S Kᵀ  (symmetrised).

Everything is batched over k tracks (leading axis) and pure; 3×3 inverses use the closed form (adjugate over
determinant), which is exact for the symmetric positive-definite S of a position measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.geo import WGS84, EarthModel
from amdx.tracking.models import DEFAULT_MAX_SUBSTEP_S, predict, predict_rows
from amdx.tracking.motion_kernels import rows_fault
from amdx.tracking.update_kernels import kalman_update_kernel, update_rows_kernel

_Array = NDArray[np.float64]


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


def ekf_update(x: ArrayLike, P: ArrayLike, z: ArrayLike, R: ArrayLike, joseph: bool = True) -> UpdateResult:
    """Kalman update of states x (k, 6), covariances P (k, 6, 6) with positions z (k, 3) of covariance R
    (k, 3, 3) (ECEF, m, m²), one measurement per track. Joseph form (default) or the symmetrised short
    form.

    Computed on 3×3 blocks, P = [[A, B], [Bᵀ, C]], S = ½ ((A + R) + (A + R)ᵀ) inverted by the adjugate formula,
    K = [Ka; Kb] = [A; Bᵀ] S⁻¹ (H = [I 0] makes every product 3×3). Joseph, with E = I − Ka:
    A⁺ = E A Eᵀ + Ka R Kaᵀ,  B⁺ = E (B − A Kbᵀ) + Ka R Kbᵀ,  C⁺ = C − Kb B − Bᵀ Kbᵀ + Kb S Kbᵀ.
    Short form: A⁺ = A − Ka A,  B⁺ = B − Ka B,  C⁺ = C − Kb B. The diagonal blocks are symmetrised.
    One compiled loop over the tracks (`amdx.tracking.update_kernels`)."""
    xx = np.ascontiguousarray(x, dtype=np.float64).reshape(-1, 6)
    pp = np.ascontiguousarray(P, dtype=np.float64).reshape(-1, 6, 6)
    zz = np.ascontiguousarray(z, dtype=np.float64).reshape(-1, 3)
    rr = np.ascontiguousarray(R, dtype=np.float64).reshape(-1, 3, 3)
    if not xx.shape[0] == pp.shape[0] == zz.shape[0] == rr.shape[0]:
        raise ValueError(f"one measurement per track: {xx.shape[0]} states, {pp.shape[0]} covariances, "
                         f"{zz.shape[0]} measurements, {rr.shape[0]} measurement covariances")
    x_new, p_new, nu, S, nis = kalman_update_kernel(xx, pp, zz, rr, bool(joseph))
    return UpdateResult(x=x_new, P=p_new, nu=nu, S=S, nis=nis)


def ekf_update_rows(x: _Array, P: _Array, rows: ArrayLike, z: ArrayLike, R: ArrayLike, meas: ArrayLike,
                    joseph: bool = True) -> None:
    """The tracks x[rows[m]], P[rows[m]] (x (N, 6), P (N, 6, 6) C-contiguous float arrays; rows distinct) updated
    in place with the measurements z[meas[m]] (z (n, 3), R (n, 3, 3)): each row as `ekf_update` of that row with
    its measurement gives it, without gathering the rows and measurements or scattering the results back (a
    tracker bank updates the tracks that took a measurement of a scan)."""
    idx = np.ascontiguousarray(rows, dtype=np.intp).reshape(-1)
    mm = np.ascontiguousarray(meas, dtype=np.intp).reshape(-1)
    zz = np.ascontiguousarray(z, dtype=np.float64).reshape(-1, 3)
    rr = np.ascontiguousarray(R, dtype=np.float64).reshape(-1, 3, 3)
    if not (x.flags.c_contiguous and P.flags.c_contiguous and x.dtype == np.float64 and P.dtype == np.float64
            and x.ndim == 2 and x.shape[1:] == (6,) and P.shape == (x.shape[0], 6, 6)):
        raise ValueError("x (N, 6) and P (N, 6, 6) must be C-contiguous float64 arrays of one length")
    if idx.size != mm.size or zz.shape[0] != rr.shape[0]:
        raise ValueError(f"{idx.size} rows but {mm.size} measurement indices, or {zz.shape[0]} measurements but "
                         f"{rr.shape[0]} covariances")
    faults = (rows_fault(idx, x.shape[0], True), rows_fault(mm, zz.shape[0], False))
    for a, n, name, fault in ((idx, x.shape[0], "rows", faults[0]), (mm, zz.shape[0], "meas", faults[1])):
        if fault == 1:
            raise IndexError(f"{name} holds indices outside [0, {n}): {a.min()}..{a.max()}")
    if faults[0] == 2:
        raise ValueError("rows must be distinct (one update per track)")
    update_rows_kernel(x, P, idx, zz, rr, mm, bool(joseph))


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

    def predict_rows(self, x: _Array, P: _Array, model: NDArray[np.int8], rows: ArrayLike, dt_s: ArrayLike) -> None:
        """The rows `rows` of states x (N, 6) and covariances P (N, 6, 6) predicted in place, each over its own
        step dt_s (s), each as `predict` of that row alone (see `models.predict_rows`)."""
        predict_rows(x, P, model, rows, dt_s, self.q_cv_m2_s3, self.q_ballistic_m2_s3, self.earth,
                     self.max_substep_s)

    def update(self, x: ArrayLike, P: ArrayLike, z: ArrayLike, R: ArrayLike) -> UpdateResult:
        """Position update (see `ekf_update`)."""
        return ekf_update(x, P, z, R, self.joseph)

    def update_rows(self, x: _Array, P: _Array, rows: ArrayLike, z: ArrayLike, R: ArrayLike,
                    meas: ArrayLike) -> None:
        """The rows `rows` of x (N, 6), P (N, 6, 6) updated in place with the measurements `meas` of z, R (see
        `ekf_update_rows`)."""
        ekf_update_rows(x, P, rows, z, R, meas, self.joseph)
