"""Engagement options of batteries against tracks: predicted paths, launch windows, intercept points, Pk.

Decisions use estimates: a track's future is predicted from its state alone — Kepler free flight for a ballistic
track (the paths of `intercept.kepler_paths`, read by an `intercept.KeplerPredictor`), a straight line at constant
velocity for an air-breathing one — and sampled every `step_s` seconds. For each (battery, track) pair the launch
window follows from the battery's kinematic envelope (`envelope.window_bounds`); the chosen intercept is the
earliest, refined on the predicted path to the §5.5 condition |PIP − site| = s (t − t_launch)
(`intercept.intercept_on_path`). The single-shot Pk is degraded by the track's position error against the
interceptor's divert (`kill.divert_adjusted_pk`).

Frames: ECEF m, m/s; times in s since scenario start. Functions are pure and vectorised over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.c2.envelope import Envelope, window_bounds
from amdx.c2.intercept import InterceptSolution, KeplerPredictor, Predictor, intercept_on_path, kepler_paths
from amdx.c2.kill import crossrange_sigma_m, divert_adjusted_pk

_Array = NDArray[np.float64]


def track_predictor(x_ecef: ArrayLike, t_track_s: float, ballistic: ArrayLike) -> Predictor:
    """A predictor for k track states x (k, 6) estimated at `t_track_s`: Kepler for rows flagged ballistic,
    constant velocity for the rest. predict(t) takes a scalar time or times (k,) or (k, K) (first axis: track)
    and returns positions and velocities of shape (k, [K,] 3), NaN where a ballistic path has come down."""
    x = np.asarray(x_ecef, dtype=np.float64).reshape(-1, 6)
    bal = np.asarray(ballistic, dtype=bool).reshape(-1)
    if len(x) > 0 and bool(bal.all()):  # every row ballistic: the Kepler paths give the whole answer
        return KeplerPredictor(kepler_paths(x, t_track_s))
    rows_b = np.flatnonzero(bal)
    rows_c = np.flatnonzero(~bal)
    kepler = KeplerPredictor(kepler_paths(x[rows_b], t_track_s)) if rows_b.size else None

    def predict(t: _Array) -> tuple[_Array, _Array]:
        tt = np.asarray(t, dtype=np.float64)
        if tt.ndim == 0:
            tt = np.full(len(x), float(tt))
        if tt.ndim > 2 or tt.shape[0] != len(x):
            raise ValueError(f"times must be a scalar or of shape ({len(x)},) or ({len(x)}, K), found {tt.shape}")
        extra = tt.shape[1:]
        pos = np.empty((*tt.shape, 3))  # every row is filled: by its constant velocity or its Kepler path
        vel = np.empty((*tt.shape, 3))
        if rows_c.size:
            dt = (tt[rows_c] - t_track_s)[..., None]
            v = x[rows_c, 3:].reshape((rows_c.size,) + (1,) * len(extra) + (3,))
            pos[rows_c] = x[rows_c, :3].reshape(v.shape) + v * dt
            vel[rows_c] = np.broadcast_to(v, pos[rows_c].shape)
        if kepler is not None:
            kepler.fill(tt, rows_b, pos, vel)
        return pos, vel

    return predict


@dataclass(frozen=True)
class PairOptions:
    """Options of P (battery, track) pairs.

    Attributes:
        has_window: (P,) an intercept is feasible; earliest_launch_s, latest_launch_s,
        earliest_intercept_s, latest_intercept_s: (P,) s, NaN without a window;
        pk: (P,) single-shot kill probability after the divert adjustment;
        second_shot: (P,) the window allows a look and a second shot after the first intercept.
    """

    has_window: NDArray[np.bool_]
    earliest_launch_s: _Array
    latest_launch_s: _Array
    earliest_intercept_s: _Array
    latest_intercept_s: _Array
    pk: _Array
    second_shot: NDArray[np.bool_]


def pair_options(site_m: ArrayLike, envelope: Envelope, single_shot_pk: float, divert_m: float,
                 path_t_s: ArrayLike, path_pos_m: ArrayLike, pos_cov_m2: ArrayLike, now_s: ArrayLike,
                 look_s: float, path_geodetic: tuple[_Array, _Array, _Array] | None = None) -> PairOptions:
    """Options of batteries of one interceptor type (sites (P, 3)) against sampled paths ((P, K) times or (K,),
    (P, K, 3) positions, and their `envelope.path_geodetic` when known) decided at `now_s` (P,) s;
    `pos_cov_m2` (P, 3, 3) is each track's position covariance; `look_s` the time from an intercept to the next
    possible launch (kill assessment and decision)."""
    site = np.asarray(site_m, dtype=np.float64)
    pos = np.asarray(path_pos_m, dtype=np.float64)
    win = window_bounds(site, path_t_s, pos, envelope, now_s, geodetic=path_geodetic)
    # the flyout direction at the earliest intercept, for the cross-range error
    u = np.where(win.has_window[:, None], win.earliest_pip_m - site, np.array([0.0, 0.0, 1.0]))
    sigma = crossrange_sigma_m(pos_cov_m2, u)
    pk = np.where(win.has_window, divert_adjusted_pk(single_shot_pk, sigma, divert_m), 0.0)
    with np.errstate(invalid="ignore"):
        second = win.has_window & (win.latest_launch_s >= win.earliest_intercept_s + look_s)
    return PairOptions(win.has_window, win.earliest_launch_s, win.latest_launch_s, win.earliest_intercept_s,
                       win.latest_intercept_s, pk, second)


def refine_intercept(site_m: ArrayLike, predict: Predictor, speed_mps: float, t_launch_s: float,
                     t_guess_s: float) -> InterceptSolution:
    """The exact predicted intercept point of one launch on a predicted path (refs §5.5)."""
    return intercept_on_path(np.asarray(site_m, dtype=np.float64), predict, speed_mps, t_launch_s, t_guess_s)
