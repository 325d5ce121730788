"""Benchmark: positions of many ballistic missiles at many times, amdx (analytic Kepler) vs scipy solve_ivp.

    python bench/bench_flight.py [--missiles N] [--times K] [--repeats R] [--scipy-missiles M]

The missiles fly minimum-energy free flights (the closed forms of refs/physics.md §1.1, Earth-relative) from
random points of the rotating WGS84 Earth, in random directions, over 300–10 000 km. Each missile is sampled at
K times spread evenly over its own flight, burnout to impact; positions are ECEF.

amdx: `BallisticFlights.position_ecef` on the (N, K) time grid (Kepler's equation, one compiled pass).
scipy: one vectorised system of all missiles (6N states) integrated by `solve_ivp` (DOP853, rtol 1e-10,
atol 1e-3 m) in normalised time s in [0, 1] (t_i = t0_i + s T_i), so one `t_eval` serves every missile; the
inertial positions are then turned into ECEF (included in its time). When `--scipy-missiles M` < N only a
random subset of M missiles is integrated and its time is scaled by N/M (the cost per step is proportional to
the number of missiles; the step count is set by the hardest missile, so the scaled figure is if anything
optimistic for scipy). Each side runs R times; the median is printed, with the largest position difference
between the two and, as referee, both sides' largest error against 20 missiles integrated one at a time at
rtol 1e-13.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.integrate import solve_ivp

from amdx.flight.flights import BallisticFlights
from amdx.flight.kepler import min_energy_fpa, min_energy_q
from amdx.geo import WGS84, ecef_to_eci, ecef_velocity_to_eci, geodetic_to_ecef, local_velocity_ecef

MU = WGS84.mu_m3_s2


def make_flights(n: int, seed: int) -> BallisticFlights:
    """n random minimum-energy free flights on the rotating WGS84 Earth."""
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(-70.0, 70.0, n), rng.uniform(-180.0, 180.0, n)
    az, rng_m = rng.uniform(0.0, 360.0, n), rng.uniform(300e3, 10_000e3, n)
    t0 = rng.uniform(0.0, 600.0, n)
    psi = rng_m / 6_371_000.0
    speed = np.sqrt(min_energy_q(psi) * MU / 6_371_000.0)
    fpa = np.degrees(min_energy_fpa(psi))
    r_ecef = geodetic_to_ecef(lat, lon, 0.0, WGS84)
    v_ecef = local_velocity_ecef(lat, lon, az, speed, fpa)
    r_eci = ecef_to_eci(r_ecef, t0, WGS84)
    v_eci = ecef_velocity_to_eci(r_ecef, v_ecef, t0, WGS84)
    return BallisticFlights.from_burnout_states(r_eci, v_eci, t0, WGS84)


def scipy_positions(r0: np.ndarray, v0: np.ndarray, t0: np.ndarray, duration: np.ndarray, s: np.ndarray,
                    rtol: float = 1e-10, atol: float = 1e-3) -> tuple[np.ndarray, int]:
    """ECEF positions (m, K, 3) by integrating all m two-body problems as one system in normalised time,
    and the number of right-hand-side evaluations. State layout: x, y, z, vx, vy, vz blocks of m values."""
    m = r0.shape[0]

    def rhs(_s: float, y: np.ndarray) -> np.ndarray:
        pos = y[: 3 * m].reshape(3, m)
        r2 = pos[0] * pos[0] + pos[1] * pos[1] + pos[2] * pos[2]
        k = -MU * duration / (r2 * np.sqrt(r2))
        return np.concatenate([y[3 * m:] * np.tile(duration, 3), (pos * k).ravel()])

    y0 = np.concatenate([r0.T.ravel(), v0.T.ravel()])
    sol = solve_ivp(rhs, (0.0, 1.0), y0, method="DOP853", t_eval=s, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(sol.message)
    r = sol.y[: 3 * m].reshape(3, m, s.size).transpose(1, 2, 0)
    t = t0[:, None] + duration[:, None] * s[None, :]
    th = -WGS84.omega_rad_s * t
    c, sn = np.cos(th), np.sin(th)
    ecef = np.stack([c * r[..., 0] - sn * r[..., 1], sn * r[..., 0] + c * r[..., 1], r[..., 2]], axis=-1)
    return ecef, int(sol.nfev)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missiles", type=int, default=10_000)
    parser.add_argument("--times", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scipy-missiles", type=int, default=None,
                        help="integrate only this many missiles with scipy and scale its time (default: all)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    flights = make_flights(args.missiles, args.seed)
    s = np.linspace(0.0, 1.0, args.times)
    t0, t1 = flights.burnout_t_s, flights.impact_t_s
    grid = np.minimum(t0[:, None] + (t1 - t0)[:, None] * s[None, :], t1[:, None])

    amdx_times, pos = [], None
    for _ in range(args.repeats):
        start = time.perf_counter()
        pos = flights.position_ecef(grid)
        amdx_times.append(time.perf_counter() - start)
    assert pos is not None

    m = args.missiles if args.scipy_missiles is None else min(args.scipy_missiles, args.missiles)
    subset = np.sort(np.random.default_rng(args.seed + 1).choice(args.missiles, m, replace=False))
    scipy_times, ref, nfev = [], None, 0
    for _ in range(args.repeats):
        start = time.perf_counter()
        ref, nfev = scipy_positions(flights.r_bo_eci_m[subset], flights.v_bo_eci_mps[subset], t0[subset],
                                    (t1 - t0)[subset], s)
        scipy_times.append(time.perf_counter() - start)
    assert ref is not None
    # accuracy referee: a few missiles integrated one at a time at rtol 1e-13
    few = subset[: min(20, m)]
    tight = np.concatenate([scipy_positions(flights.r_bo_eci_m[[i]], flights.v_bo_eci_mps[[i]], t0[[i]],
                                            (t1 - t0)[[i]], s, rtol=1e-13, atol=1e-8)[0] for i in few])
    scale = args.missiles / m
    amdx_s = statistics.median(amdx_times)
    scipy_s = statistics.median(scipy_times) * scale
    diff = float(np.max(np.linalg.norm(pos[subset] - ref, axis=-1)))
    amdx_err = float(np.max(np.linalg.norm(pos[few] - tight, axis=-1)))
    scipy_err = float(np.max(np.linalg.norm(ref[np.searchsorted(subset, few)] - tight, axis=-1)))

    print(f"missiles            {args.missiles}")
    print(f"times per missile   {args.times}")
    print(f"repeats (median)    {args.repeats}")
    print(f"amdx median s       {amdx_s:.3f}")
    note = "" if m == args.missiles else f"  (subset of {m} missiles, scaled x{scale:g})"
    print(f"scipy median s      {scipy_s:.3f}{note}")
    print(f"speed ratio         {scipy_s / amdx_s:.1f}x (scipy / amdx)")
    print(f"scipy RHS calls     {nfev} (of the {6 * m}-state system)")
    print(f"max position diff   {diff:.4f} m (over {m} missiles x {args.times} times)")
    print(f"referee, {few.size} missiles  amdx {amdx_err:.4f} m, scipy batch {scipy_err:.4f} m "
          f"(vs one-at-a-time DOP853 rtol 1e-13)")


if __name__ == "__main__":
    main()
