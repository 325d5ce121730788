"""Predicted intercept point (PIP) of a straight-line, constant-speed flyout, and miss at closest approach.

The interceptor leaves its site at the launch time and flies a straight line at a constant average speed s
(m/s); it meets the target where |r_T(t) − site| = s (t − t_launch) (`refs/physics.md` §5.5). Positions are in
any Cartesian frame shared by site and target (ECEF in amdx, m), velocities in m/s, times in s since scenario
start. Against a constant-velocity target this is a quadratic in t, solved in closed form; against a predicted
path (a ballistic track) the quadratic is solved again on the target state predicted at the current guess of
the intercept time until the intercept moves by less than a tolerance (a Newton-like iteration on
g(t) = |r_T(t) − site| − s (t − t_launch)).

Every function is pure and vectorised: leading axes broadcast (many batteries × many tracks), vectors are on
the last axis, inputs are never mutated. "No solution" is NaN in times and points and False in `feasible`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.c2.intercept_kernels import (
    cv_intercepts,
    free_flight_ok,
    path_intercepts,
    path_iteration,
    path_rows,
    path_states,
)
from amdx.flight.kepler import KeplerOrbits
from amdx.flight.surface import surface_crossing_time
from amdx.geo import WGS84, EarthModel, ecef_to_eci, ecef_velocity_to_eci

_Array = NDArray[np.float64]
_BoolArray = NDArray[np.bool_]


Predictor = Callable[[_Array], tuple[_Array, _Array]]
"""predict(t) -> (position, velocity): target state at times t (any shape S, s), returned as (*S, 3) arrays in
m and m/s in the frame of the site; NaN where the path does not exist (before launch, after impact)."""


@dataclass(frozen=True)
class InterceptSolution:
    """Intercepts of many (site, target) pairs (broadcast shape S).

    Attributes:
        t_s: intercept time (S,), s; NaN where there is none.
        pip_m: predicted intercept point (S, 3), m, frame of the inputs; NaN where there is none.
        flyout_s: flyout time t_s − t_launch (S,), s; NaN where there is none.
        feasible: True where an intercept exists after the launch time (S,).
    """

    t_s: _Array
    pip_m: _Array
    flyout_s: _Array
    feasible: _BoolArray


def _f64(x: ArrayLike) -> _Array:
    return np.asarray(x, dtype=np.float64)


def intercept_constant_velocity(site_m: ArrayLike, target_pos_m: ArrayLike, target_vel_mps: ArrayLike,
                                speed_mps: ArrayLike, t_launch_s: ArrayLike = 0.0,
                                t_ref_s: ArrayLike = 0.0) -> InterceptSolution:
    """Closed-form intercept of a constant-velocity target by a straight-line flyout (refs §5.5).

    The target is at `target_pos_m` (..., 3) at time `t_ref_s` and moves at `target_vel_mps` (..., 3); the
    interceptor leaves `site_m` (..., 3) at `t_launch_s` at `speed_mps`. With r₀ = target − site,
    τ = t − t_ref and τ₀ = t_launch − t_ref, solve (v·v − s²) τ² + 2 (r₀·v + s² τ₀) τ + (r₀·r₀ − s² τ₀²) = 0
    and take the smallest root τ > τ₀. All arguments broadcast; the result has the broadcast shape S.
    (refs §5.5 prints the linear coefficient as 2(r₀·v − s² t₀); expanding the squared condition gives +, the
    only sign that keeps its invariant |PIP − site| = s (t − t₀).)
    """
    site = _f64(site_m)
    pos, vel = _f64(target_pos_m), _f64(target_vel_mps)
    s, t_launch, tref = _f64(speed_mps), _f64(t_launch_s), _f64(t_ref_s)
    shape = np.broadcast_shapes(site.shape[:-1], pos.shape[:-1], vel.shape[:-1], s.shape, t_launch.shape,
                                tref.shape)
    tau, tau0, pip = cv_intercepts(_rows3(site, shape), _rows3(pos, shape), _rows3(vel, shape), _rows(s, shape),
                                   _rows(t_launch, shape), _rows(tref, shape))
    ok = np.isfinite(tau)
    return InterceptSolution(t_s=(tau + _rows(tref, shape)).reshape(shape), pip_m=pip.reshape((*shape, 3)),
                             flyout_s=(tau - tau0).reshape(shape), feasible=ok.reshape(shape))


def _rows(x: _Array, shape: tuple[int, ...]) -> _Array:
    """`x` broadcast to `shape`, flattened (contiguous), for a kernel."""
    return np.ascontiguousarray(np.broadcast_to(x, shape).reshape(-1))


def _rows3(x: _Array, shape: tuple[int, ...]) -> _Array:
    """Vectors `x` (..., 3) broadcast to (*shape, 3), as (N, 3) contiguous rows, for a kernel."""
    return np.ascontiguousarray(np.broadcast_to(x, (*shape, 3)).reshape(-1, 3))


def _column(x: ArrayLike, n: int) -> _Array | None:
    """`x` (a scalar or (n,)) as a fresh float column (n,); None for any other shape."""
    a = _f64(x)
    if a.ndim == 0:
        return np.full(n, float(a))
    return a.astype(np.float64, copy=True) if a.shape == (n,) else None


def intercept_on_path(site_m: ArrayLike, predict: Predictor, speed_mps: ArrayLike, t_launch_s: ArrayLike,
                      t_guess_s: ArrayLike | None = None, tol_m: float = 1.0,
                      max_iter: int = 30) -> InterceptSolution:
    """Intercept of a target moving along a predicted path (e.g. a ballistic track) by a straight-line flyout.

    Starting from `t_guess_s` (default: the launch time), the closed-form quadratic is solved on the target
    state predict(t_k) taken as a constant-velocity reference at t_k, giving t_{k+1}; this repeats until the
    intercept point moves by less than `tol_m` (m). At the fixed point |r_T(t) − site| = s (t − t_launch)
    exactly, so the returned point is on the path (`predict(t)`) and its residual is below about `tol_m`.
    Pairs that do not converge within `max_iter` iterations, or whose path ends (NaN), are infeasible.

    Args:
        site_m: interceptor sites (..., 3), m.
        predict: target state predictor (see `Predictor`); called with time arrays of the broadcast shape S.
        speed_mps: average flyout speed (broadcast to S), m/s.
        t_launch_s: launch times (broadcast to S), s.
        t_guess_s: first guess of the intercept time (broadcast to S), s.
        tol_m: convergence tolerance on the change of the intercept point, m.
        max_iter: iteration limit.
    """
    site = _f64(site_m)
    if isinstance(predict, KeplerPredictor) and site.shape == (predict.n_tracks, 3):  # pair i on track i's path
        n = predict.n_tracks
        cols = [_column(x, n) for x in (speed_mps, t_launch_s, t_launch_s if t_guess_s is None else t_guess_s)]
        if cols[0] is not None and cols[1] is not None and cols[2] is not None:
            paths = predict.paths
            pip = np.empty((n, 3))
            ok = path_intercepts(paths.consts, paths.slot, paths.t_end, paths.omega_rad_s, np.ascontiguousarray(site),
                                 cols[0], cols[1], cols[2], float(tol_m), int(max_iter), pip)
            t_out = np.where(ok, cols[2], np.nan)
            return InterceptSolution(t_s=t_out, pip_m=pip, flyout_s=t_out - cols[1], feasible=ok)
    s = _f64(speed_mps)
    t_launch = _f64(t_launch_s)
    shape = np.broadcast_shapes(site.shape[:-1], s.shape, t_launch.shape,
                                () if t_guess_s is None else np.shape(t_guess_s))
    t_launch = np.broadcast_to(t_launch, shape)
    t = np.array(np.broadcast_to(t_launch if t_guess_s is None else _f64(t_guess_s), shape), dtype=np.float64)
    sites, speeds, launches = _rows3(site, shape), _rows(s, shape), _rows(t_launch, shape)
    flat = t.reshape(-1)  # a view: the kernel updates the guesses in place
    active = np.ones(flat.size, dtype=bool)
    done = np.zeros(flat.size, dtype=bool)
    prev = np.full((flat.size, 3), np.nan)
    for _ in range(max_iter):
        pos, vel = predict(t)
        if not path_iteration(sites, np.ascontiguousarray(pos.reshape(-1, 3)),
                              np.ascontiguousarray(vel.reshape(-1, 3)), speeds, launches, flat, prev, active, done,
                              float(tol_m)):
            break
    pos, _ = predict(t)
    ok = done.reshape(shape) & np.all(np.isfinite(pos), axis=-1)
    t_out = np.where(ok, t, np.nan)
    return InterceptSolution(t_s=t_out, pip_m=np.where(ok[..., None], pos, np.nan),
                             flyout_s=t_out - t_launch, feasible=ok)


def hermite_path(times_s: ArrayLike, positions_m: ArrayLike, velocities_mps: ArrayLike) -> Predictor:
    """A `Predictor` for a path sampled at increasing times (K,), positions and velocities (K, 3).

    Cubic Hermite interpolation between samples (position and velocity continuous; position error of order
    |jerk| Δt⁴/384 for smooth paths); NaN outside [times[0], times[-1]] and where a sample is NaN.
    """
    tk = _f64(times_s).copy()
    pk = _f64(positions_m).copy()
    vk = _f64(velocities_mps).copy()
    if tk.ndim != 1 or tk.size < 2 or np.any(np.diff(tk) <= 0.0):
        raise ValueError("hermite_path needs at least two strictly increasing sample times")

    def predict(t: _Array) -> tuple[_Array, _Array]:
        tt = _f64(t)
        i = np.clip(np.searchsorted(tk, tt, side="right") - 1, 0, tk.size - 2)
        h = (tk[i + 1] - tk[i])[..., None]
        u = ((tt - tk[i]) / (tk[i + 1] - tk[i]))[..., None]
        p0, p1, v0, v1 = pk[i], pk[i + 1], vk[i] * h, vk[i + 1] * h
        u2, u3 = u * u, u * u * u
        pos = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * v0 + (-2 * u3 + 3 * u2) * p1 + (u3 - u2) * v1
        vel = ((6 * u2 - 6 * u) * p0 + (3 * u2 - 4 * u + 1) * v0 + (-6 * u2 + 6 * u) * p1
               + (3 * u2 - 2 * u) * v1) / h
        outside = ((tt < tk[0]) | (tt > tk[-1]) | ~np.isfinite(tt))[..., None]
        return np.where(outside, np.nan, pos), np.where(outside, np.nan, vel)

    return predict


@dataclass(frozen=True)
class KeplerPaths:
    """The free-flight paths of n ballistic track states (`kepler_paths`): the orbits' kernel constants, each
    state's orbit (`slot`, −1 for a state on no elliptic orbit) and each orbit's end time (+inf: never down)."""

    consts: _Array
    slot: NDArray[np.intp]
    t_end: _Array
    omega_rad_s: float

    def states(self, rows: NDArray[np.intp], t: _Array) -> tuple[_Array, _Array]:
        """Positions and velocities (*S, 3), ECEF, of the states `rows` at times `t` (both of shape S), NaN past a
        path's end or where it has none."""
        pos = np.empty((*t.shape, 3))
        vel = np.empty((*t.shape, 3))
        path_states(self.consts, np.ascontiguousarray(self.slot[rows]).reshape(-1),
                    self.t_end, np.ascontiguousarray(t).reshape(-1), self.omega_rad_s, pos.reshape(-1, 3),
                    vel.reshape(-1, 3))
        return pos, vel


def kepler_paths(x_ecef: _Array, t_track_s: ArrayLike, earth: EarthModel = WGS84,
                 floor_alt_m: float = 0.0) -> KeplerPaths:
    """The paths of `ballistic_track_predictor` for flat track states x (n, 6) = [r v] (ECEF, m, m/s) estimated
    at `t_track_s` (scalar or (n,)): vacuum two-body orbits in the inertial frame of `amdx.geo`, ending where
    they come down through `floor_alt_m`."""
    n = x_ecef.shape[0]
    t = np.asarray(t_track_s, dtype=np.float64)
    t0 = np.full(n, float(t)) if t.ndim == 0 else np.broadcast_to(t, (n,)).copy()
    r_eci = ecef_to_eci(x_ecef[:, :3], t0, earth)
    v_eci = ecef_velocity_to_eci(x_ecef[:, :3], x_ecef[:, 3:], t0, earth)
    ok = free_flight_ok(r_eci, v_eci, earth.mu_m3_s2)
    if np.count_nonzero(ok) == n:  # the usual case: every state flies, in order
        slot = np.arange(n, dtype=np.intp)
        orbits = KeplerOrbits(r_eci, v_eci, t0, earth.mu_m3_s2)
    else:
        good = np.flatnonzero(ok)
        slot = np.full(n, -1, dtype=np.intp)
        slot[good] = np.arange(good.size)
        orbits = KeplerOrbits(r_eci[good], v_eci[good], t0[good], earth.mu_m3_s2)
    t_end = surface_crossing_time(orbits, floor_alt_m, earth) if orbits.n_orbits else np.zeros(0)
    t_end = np.where(np.isfinite(t_end), t_end, np.inf)
    return KeplerPaths(orbits.consts, slot, t_end, float(earth.omega_rad_s))


class KeplerPredictor:
    """A `Predictor` on the Kepler paths of k track states with the track axis first: predict(t) takes a scalar
    time or times (k,) or (k, K) and gives each track's states at its own times, (k, [K,] 3). `intercept_on_path`
    recognises it and iterates on the paths in one compiled pass."""

    def __init__(self, paths: KeplerPaths) -> None:
        self.paths = paths
        self.n_tracks = int(paths.slot.size)

    def __call__(self, t: _Array) -> tuple[_Array, _Array]:
        tt = np.asarray(t, dtype=np.float64)
        if tt.ndim == 0:
            tt = np.full(self.n_tracks, float(tt))
        if tt.ndim > 2 or tt.shape[0] != self.n_tracks:
            raise ValueError(f"times must be a scalar or of shape ({self.n_tracks},) or ({self.n_tracks}, K), "
                             f"found {tt.shape}")
        pos = np.empty((*tt.shape, 3))
        vel = np.empty((*tt.shape, 3))
        self.fill(tt, np.arange(self.n_tracks, dtype=np.intp), pos, vel)
        return pos, vel

    def fill(self, t: _Array, rows: NDArray[np.intp], pos: _Array, vel: _Array) -> None:
        """Write track q's states at the times t[rows[q]] to pos[rows[q]] and vel[rows[q]], for times t of shape
        (m,) or (m, K) and states (m, [K,] 3): the rows of a larger batch, without copying them out and back."""
        m = t.shape[0]
        if t.ndim not in (1, 2) or pos.shape[:t.ndim] != t.shape or vel.shape[:t.ndim] != t.shape:
            raise ValueError(f"times (m,) or (m, K) with states (m, [K,] 3) expected, found {t.shape}, {pos.shape} "
                             f"and {vel.shape}")
        if rows.shape != (self.n_tracks,) or (rows.size and not 0 <= int(rows.min()) <= int(rows.max()) < m):
            raise ValueError(f"rows must give each of the {self.n_tracks} tracks a row in [0, {m}), found {rows}")
        paths = self.paths
        path_rows(paths.consts, paths.slot, paths.t_end, np.ascontiguousarray(t).reshape(m, -1), rows,
                  paths.omega_rad_s, pos.reshape(m, -1, 3), vel.reshape(m, -1, 3))


def ballistic_track_predictor(x_ecef: ArrayLike, t_track_s: ArrayLike, earth: EarthModel = WGS84,
                              floor_alt_m: float = 0.0) -> Predictor:
    """A `Predictor` for ballistic track states x (S, 6) = [r v] (ECEF, m, m/s) estimated at `t_track_s`.

    Vacuum two-body free flight (analytic Kepler in the inertial frame of `amdx.geo`, reported in ECEF), the
    same dynamics as the tracker's ballistic model. predict(t) broadcasts t against S. NaN after the path
    comes down through `floor_alt_m` (geodetic, m) and for states that are not on an elliptic orbit (e.g. an
    aircraft's constant-velocity track: use `intercept_constant_velocity` for those).
    """
    x = np.asarray(x_ecef, dtype=np.float64)
    shape = x.shape[:-1]
    t0 = np.asarray(t_track_s, dtype=np.float64)
    paths = kepler_paths(x.reshape(-1, 6), t0 if t0.ndim == 0 else np.broadcast_to(t0, shape).reshape(-1),
                         earth, floor_alt_m)
    rows = np.arange(paths.slot.size, dtype=np.intp).reshape(shape)

    def predict(t: _Array) -> tuple[_Array, _Array]:
        tt = np.asarray(t, dtype=np.float64)
        if tt.shape == shape:
            return paths.states(rows, tt)
        out_shape = np.broadcast_shapes(tt.shape, shape)  # so a single state and time (shape ()) work too
        return paths.states(np.broadcast_to(rows, out_shape), np.broadcast_to(tt, out_shape))

    return predict


def closest_approach(rel_pos_m: ArrayLike, rel_vel_mps: ArrayLike) -> tuple[_Array, _Array]:
    """Time and miss distance at closest approach of a straight-line relative path (refs §5.1).

    With R = r_T − r_M (..., 3), m, and V = v_T − v_M (..., 3), m/s: t* = −(R·V)/|V|² (s, relative to now;
    negative when the closest approach is past) and miss = |R + V t*| (m). A zero relative velocity gives
    t* = 0 and miss = |R|.
    """
    R = _f64(rel_pos_m)
    V = _f64(rel_vel_mps)
    vv = np.einsum("...i,...i->...", V, V)
    rv = np.einsum("...i,...i->...", R, V)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = np.where(vv > 0.0, -rv / vv, 0.0)
    miss = np.linalg.norm(R + V * t_star[..., None], axis=-1)
    return t_star, miss
