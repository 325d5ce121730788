"""Ballistic missiles: aiming (inverse problem) and the forward free-flight problem, Earth rotation included.

Model (refs/physics.md §1–§2):
- **Boost** (optional, notional): a smooth curve in ECI from the launch point, at rest on the rotating Earth,
  to the burnout state, position and velocity continuous at both ends (see `boost_state`). The burnout point
  lies `downrange_m` along the launch→aim great circle, at geodetic altitude `burnout_altitude_m` (above the
  ellipsoid, like every altitude here), `burn_time_s` after launch. Without boost, burnout is at the launch
  point at launch time (pure free flight, as in the textbook tables).
- **Free flight**: a Kepler ellipse in ECI (`kepler.KeplerOrbits`), no drag (see `flights` for reentry drag).
- **Impact**: the descending crossing of the surface at the aim's altitude (`aim_alt_m`, the terrain height
  there), found by propagating the solved state, independently of the aim (`surface.surface_crossing_time`).

Aiming solves for the burnout velocity that reaches the aim point *as it moves in ECI* with the Earth's
rotation: for a trial free-flight time T the aim's ECI position at burnout + T fixes the range angle Ψ and the
flight plane; the profile (closed forms below) fixes the flight-path angle and speed, hence Kepler's time T';
a secant iteration on T' − T = 0 converges to 1e-9 s (about a micrometre at the aim). The rounds of a salvo (one
launch point, an aim point and a launch time each) are solved together by `solve_salvo`: the aim round by round,
the rest as arrays over the rounds, with the numbers of each round solved alone.

Profiles, for burnout radius r1, aim radius r2 and range angle Ψ:
- `min-energy`: least burnout speed, tan 2φ = sin Ψ / (r1/r2 − cos Ψ) (refs §1.1; (π − Ψ)/4 when r1 = r2).
- `lofted` / `depressed`: the conic through both points whose highest point is at the requested apogee. With θ
  the angle from apoapsis, r = p/(1 − e cos θ) at both points gives α cos θ1 + β sin θ1 = γ with
  α = (ra − r2) r1 − (ra − r1) r2 cos Ψ, β = (ra − r1) r2 sin Ψ, γ = ra (r1 − r2), solved in closed form; the
  root with the apoapsis on the flight arc (−Ψ < θ1 < 0) is kept. The apogee rises monotonically with φ, so
  lofted means an apogee above the minimum-energy one (default 2×) and depressed one below it (default 0.6×).
`apogee_m` is the geodetic altitude of the highest point of the orbit (on WGS84 it differs from the maximum of
the geodetic altitude along the arc by a few tens of metres at most: 40 m seen at 70° latitude).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight import conic_kernels as ck
from amdx.flight import segment_kernels as sk
from amdx.flight.kepler import KeplerOrbits
from amdx.flight.surface import surface_crossing_time
from amdx.geo import (
    WGS84,
    EarthModel,
    destination_point,
    ecef_to_eci,
    ecef_to_geodetic,
    ecef_velocity_to_eci,
    eci_state_to_ecef,
    eci_to_ecef,
    geodetic_to_ecef,
    great_circle_distance_m,
    initial_azimuth_deg,
    local_velocity_ecef,
    surface_distance_m,
    up_components,
)

PROFILES = ("min-energy", "lofted", "depressed")
DEFAULT_LOFTED_APOGEE_FACTOR = 2.0
DEFAULT_DEPRESSED_APOGEE_FACTOR = 0.6
_MIN_RANGE_ANGLE_RAD = 1e-5  # ~64 m: closer aim points are not a ballistic problem
_MAX_RANGE_ANGLE_RAD = math.pi - 1e-3  # the flight plane is undefined half-way round the globe

_Array = NDArray[np.float64]


class UnreachableAim(ValueError):
    """The requested trajectory cannot reach the aim point; the message says which condition failed."""


@dataclass(frozen=True)
class BoostModel:
    """Notional boost: burn time (s), burnout geodetic altitude (m) and ground distance covered (m)."""

    burn_time_s: float
    burnout_altitude_m: float
    downrange_m: float

    def __post_init__(self) -> None:
        if not self.burn_time_s > 0.0:
            raise ValueError(f"burn_time_s must be > 0, found {self.burn_time_s}")
        if not self.burnout_altitude_m > 0.0:
            raise ValueError(f"burnout_altitude_m must be > 0, found {self.burnout_altitude_m}")
        if not self.downrange_m >= 0.0:
            raise ValueError(f"downrange_m must be >= 0, found {self.downrange_m}")


@dataclass(frozen=True, eq=False)
class BallisticSolution:
    """A solved ballistic flight (vacuum). SI units; vectors are ECI (frame of `amdx.geo`), read-only arrays.

    Times are s since scenario start; angles in degrees where the name says so; altitudes are geodetic.
    `burnout_speed_mps` and `flight_path_angle_deg` are relative to the rotating Earth (local horizontal =
    plane normal to the ellipsoid normal); `burnout_speed_inertial_mps` is |v_bo_eci_mps|.
    `boost_exponent` is the shape parameter of the boost curve (see `boost_state`), 0 without boost.
    """

    profile: str
    earth: EarthModel
    launch_t_s: float
    burnout_t_s: float
    apogee_t_s: float
    impact_t_s: float
    launch_lat_deg: float
    launch_lon_deg: float
    launch_alt_m: float
    aim_lat_deg: float
    aim_lon_deg: float
    aim_alt_m: float
    burnout_lat_deg: float
    burnout_lon_deg: float
    burnout_alt_m: float
    apogee_lat_deg: float
    apogee_lon_deg: float
    apogee_m: float
    impact_lat_deg: float
    impact_lon_deg: float
    r_launch_eci_m: _Array
    v_launch_eci_mps: _Array
    r_bo_eci_m: _Array
    v_bo_eci_mps: _Array
    r_impact_ecef_m: _Array
    free_flight_range_angle_rad: float
    burnout_speed_mps: float
    burnout_speed_inertial_mps: float
    flight_path_angle_deg: float
    free_flight_time_s: float
    time_of_flight_s: float
    boost_exponent: float

    @cached_property
    def ground_range_m(self) -> float:
        """Surface distance from the launch point to the impact point on the Earth model, m (Vincenty's inverse
        formula on an ellipsoid; computed when first asked: the engine never asks)."""
        return float(surface_distance_m(self.launch_lat_deg, self.launch_lon_deg, self.impact_lat_deg,
                                        self.impact_lon_deg, self.earth))

    @property
    def has_boost(self) -> bool:
        """True when a boost phase precedes burnout."""
        return self.burnout_t_s > self.launch_t_s


@dataclass(frozen=True, eq=False)
class FreeFlight:
    """Result of `fly_free` (arrays of the broadcast input shape; vectors (..., 3))."""

    impact_t_s: _Array
    impact_lat_deg: _Array
    impact_lon_deg: _Array
    impact_ecef_m: _Array
    ground_range_m: _Array
    free_flight_time_s: _Array
    r_bo_eci_m: _Array
    v_bo_eci_mps: _Array


# --- boost curve ---------------------------------------------------------------------------------------------
def boost_exponent(r0: ArrayLike, v1: ArrayLike, delta: ArrayLike, burn_time_s: ArrayLike) -> _Array:
    """Shape exponent m ≥ 2 of the boost curve keeping it above the launch point's horizontal plane.

    r0: launch position; v1: burnout velocity; delta: burnout − launch position (all ECI, (..., 3)).
    m = max(2, ⌈T v1_up / h1 − 1⌉) with h1 = delta · up and v1_up = v1 · up (up = r0/|r0|, the radial)."""
    r0 = np.asarray(r0, dtype=np.float64)
    up = r0 / np.linalg.norm(r0, axis=-1, keepdims=True)
    h1 = np.einsum("...i,...i->...", np.asarray(delta, dtype=np.float64), up)
    v1u = np.einsum("...i,...i->...", np.asarray(v1, dtype=np.float64), up)
    return np.maximum(2.0, np.ceil(np.asarray(burn_time_s) * v1u / h1 - 1.0))


def boost_state(s: ArrayLike, r0: ArrayLike, v0: ArrayLike, r1: ArrayLike, v1: ArrayLike, burn_time_s: ArrayLike,
                m: ArrayLike) -> tuple[_Array, _Array]:
    """Position (m) and velocity (m/s) on the boost curve at normalised time s = (t − t_launch)/T in [0, 1].

    p(s) = r0 + T v0 s + (r1 − r0 − T v0) φ1(s) + T (v1 − v0) φ2(s), with φ1 = (m+1)s^m − m s^(m+1) and
    φ2 = s^(m+1) − s^m: p(0) = r0, p'(0) = v0, p(1) = r1, p'(1) = v1 for any m ≥ 2 (m = 2 is the cubic Hermite
    curve). Along the launch radial the height is s^m [(m+1) h1 − T v1_up + s (T v1_up − m h1)], which is
    non-negative and increasing when (m + 1) h1 ≥ T v1_up; `boost_exponent` picks the least such m. All inputs
    broadcast; vectors (..., 3), ECI.
    """
    s, m, bt = (np.asarray(x, dtype=np.float64) for x in (s, m, burn_time_s))
    vecs = [np.asarray(x, dtype=np.float64) for x in (r0, v0, r1, v1)]
    shape = np.broadcast_shapes(s.shape, m.shape, bt.shape, *(x.shape[:-1] for x in vecs))
    pos, vel = np.empty((*shape, 3)), np.empty((*shape, 3))
    sk.boost_many(*(np.ascontiguousarray(np.broadcast_to(x, shape)).reshape(-1) for x in (s,)),
                  *(np.ascontiguousarray(np.broadcast_to(x, (*shape, 3))).reshape(-1, 3) for x in vecs),
                  *(np.ascontiguousarray(np.broadcast_to(x, shape)).reshape(-1) for x in (bt, m)),
                  pos.reshape(-1, 3), vel.reshape(-1, 3))
    return pos, vel


# --- free-flight planning ------------------------------------------------------------------------------------
def _arc_apogee_radius(r1: float, v: float, fpa: float, psi: float, mu: float) -> float:
    """Highest radius on the arc from burnout over range angle psi."""
    h = r1 * v * math.cos(fpa)
    p = h * h / mu
    ecos, esin = p / r1 - 1.0, math.sqrt(p / mu) * v * math.sin(fpa)
    e, nu1 = math.hypot(ecos, esin), math.atan2(esin, ecos)
    if nu1 < math.pi < nu1 + psi:
        return p / (1.0 - e)
    return max(r1, p / (1.0 + e * math.cos(nu1 + psi)))


def _apogee_conic(r1: float, r2: float, psi: float, ra: float, mu: float) -> list[tuple[float, float]]:
    """(fpa, speed) of the conics from r1 to r2 over psi whose apoapsis ra lies on the arc."""
    alpha = (ra - r2) * r1 - (ra - r1) * r2 * math.cos(psi)
    beta = (ra - r1) * r2 * math.sin(psi)
    gamma = ra * (r1 - r2)
    big_r = math.hypot(alpha, beta)
    if ra <= max(r1, r2) or abs(gamma) > big_r:
        return []
    base, d = math.atan2(beta, alpha), math.acos(gamma / big_r)
    out = []
    for theta in (base + d, base - d):
        theta = math.remainder(theta, 2.0 * math.pi)
        if not -psi < theta < 0.0:
            continue
        e = (ra - r1) / (ra - r1 * math.cos(theta))
        nu1 = math.pi + theta
        fpa = math.atan2(e * math.sin(nu1), 1.0 + e * math.cos(nu1))
        speed = math.sqrt(mu * ra * (1.0 - e)) / (r1 * math.cos(fpa))
        out.append((fpa, speed))
    return out


def _profile(r1: float, r2: float, psi: float, profile: str, r_apogee: float | None,
             mu: float) -> tuple[float, float]:
    """Flight-path angle (rad) and inertial speed (m/s) at burnout for the profile."""
    fpa_me = ck.min_energy_fpa_two_point(r1, r2, psi)
    v_me = ck.two_point_speed(r1, r2, psi, fpa_me, mu)
    if profile == "min-energy" or r_apogee is None:
        return fpa_me, v_me
    ra_me = _arc_apogee_radius(r1, v_me, fpa_me, psi, mu)
    if profile == "lofted" and r_apogee <= ra_me:
        raise UnreachableAim(f"a lofted apogee must be above the minimum-energy apogee "
                             f"(radius {ra_me / 1e3:.1f} km here); requested radius {r_apogee / 1e3:.1f} km")
    if profile == "depressed" and r_apogee >= ra_me:
        raise UnreachableAim(f"a depressed apogee must be below the minimum-energy apogee "
                             f"(radius {ra_me / 1e3:.1f} km here); requested radius {r_apogee / 1e3:.1f} km")
    sols = _apogee_conic(r1, r2, psi, r_apogee, mu)
    sols = [s for s in sols if (s[0] > fpa_me if profile == "lofted" else s[0] < fpa_me)]
    if not sols:
        raise UnreachableAim(f"no {profile} trajectory has its apogee at radius {r_apogee / 1e3:.1f} km "
                             f"(it must lie above both burnout and aim point)")
    return max(sols) if profile == "lofted" else min(sols)


def _aim_in_eci(r1_vec: _Array, t_bo: float, r_aim_ecef: _Array, earth: EarthModel, profile: str,
                r_apogee: float | None) -> tuple[_Array, float, float]:
    """Secant iteration on the free-flight time T so that the flight meets the aim point where it is at T.
    Returns the burnout velocity (ECI), the range angle and the Kepler free-flight time."""
    r1_vec = np.ascontiguousarray(r1_vec, dtype=np.float64)
    r_aim = np.ascontiguousarray(r_aim_ecef, dtype=np.float64)
    r2_vec = np.empty(3)
    mu = earth.mu_m3_s2

    def gap(t_ff: float) -> tuple[float, _Array, float]:
        """(Kepler time − T, burnout velocity, range angle) of the flight aimed where the aim is at T."""
        r1, r2, psi = ck.aim_geometry(r1_vec, r_aim, t_bo + t_ff, earth.omega_rad_s, r2_vec)
        if psi < _MIN_RANGE_ANGLE_RAD:
            raise UnreachableAim("the aim point is too close to the burnout point for a ballistic flight")
        if psi > _MAX_RANGE_ANGLE_RAD:
            raise UnreachableAim(f"range angle {math.degrees(psi):.2f}° is (nearly) half-way round the globe")
        fpa, speed = _profile(r1, r2, psi, profile, r_apogee, mu)
        v_bo = np.empty(3)
        ck.burnout_velocity(r1_vec, r2_vec, r1, r2, psi, fpa, speed, v_bo)
        return ck.free_flight_time(r1, speed, fpa, psi, mu) - t_ff, v_bo, psi

    t_a = 0.0
    g_a, v_bo, psi = gap(t_a)
    t_b = t_a + g_a
    for _ in range(60):
        g_b, v_bo, psi = gap(t_b)
        if abs(g_b) < 1e-9 or earth.omega_rad_s == 0.0:
            return v_bo, psi, t_b + g_b
        if g_b == g_a:
            break
        t_a, t_b, g_a = t_b, t_b - g_b * (t_b - t_a) / (g_b - g_a), g_b
    raise UnreachableAim("the time of flight did not converge (aim geometry too close to a singular case)")


BELOW_SURFACE_TOLERANCE_M = 1000.0
"""A free flight that dips deeper than this below the ellipsoid between burnout and impact is refused, m."""

_DEPTH_SAMPLES = 64
"""Samples of the free flight between burnout and impact (ends excluded) whose depth below the surface is checked."""


def solve_ballistic(launch_lat_deg: float, launch_lon_deg: float, aim_lat_deg: float, aim_lon_deg: float, *,
                    profile: str = "min-energy", apogee_m: float | None = None, earth: EarthModel = WGS84,
                    boost: BoostModel | None = None, launch_t_s: float = 0.0, launch_alt_m: float = 0.0,
                    aim_alt_m: float = 0.0) -> BallisticSolution:
    """Aim a ballistic missile from a launch point at an aim point (degrees, m, s), Earth rotation included.

    `apogee_m` (geodetic altitude of the highest point) applies to the lofted and depressed profiles; when None
    they fly at 2× and 0.6× the minimum-energy apogee altitude. Raises `UnreachableAim` when the geometry cannot
    be met (including a flight that would pass through the Earth, as a nearly antipodal minimum-energy ellipse
    does on the oblate WGS84 surface) and `ValueError` for an unknown profile or latitude out of range.
    """
    solved = solve_salvo(launch_lat_deg, launch_lon_deg, [aim_lat_deg], [aim_lon_deg], [launch_t_s],
                         profile=profile, apogee_m=apogee_m, earth=earth, boost=boost, launch_alt_m=launch_alt_m,
                         aim_alt_m=aim_alt_m)[0]
    if isinstance(solved, ValueError):
        raise solved
    return solved


def solve_salvo(launch_lat_deg: float, launch_lon_deg: float, aim_lat_deg: Sequence[float],
                aim_lon_deg: Sequence[float], launch_t_s: Sequence[float], *, profile: str = "min-energy",
                apogee_m: float | None = None, earth: EarthModel = WGS84, boost: BoostModel | None = None,
                launch_alt_m: float = 0.0, aim_alt_m: float = 0.0) -> list[BallisticSolution | ValueError]:
    """`solve_ballistic` of every round of a salvo: one launch point, profile, apogee and boost, an aim point
    and a launch time per round. Each round's entry is its solution, or the error its own `solve_ballistic`
    would raise (`UnreachableAim`, or `ValueError` for an unknown profile or a latitude out of range): returned,
    not raised, so the caller decides which round's failure counts.

    Why: a salvo's rounds differ only in their aim points and launch times, so everything after the aim (the
    flight to impact, apogee, the depth check, the geodetic figures) runs once over all rounds as arrays, through
    the same row-by-row compiled passes, and the lofted/depressed apogee correction over the rounds not yet
    converged; only the aim's secant iteration runs round by round. The numbers are those of solving each round
    alone, bit for bit (sums of three terms are taken in the order numpy's one-vector calls take them)."""
    n = len(aim_lat_deg)
    if not len(aim_lon_deg) == len(launch_t_s) == n:
        raise ValueError(f"one aim longitude and launch time per round needed: {n} latitudes, "
                         f"{len(aim_lon_deg)} longitudes, {len(launch_t_s)} launch times")
    if profile not in PROFILES:
        message = f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}"
        return [ValueError(message) for _ in range(n)]  # one error per round (an exception is raised once)
    if not -90.0 <= launch_lat_deg <= 90.0:
        message = f"launch latitude must be in [-90, 90] degrees, found {launch_lat_deg}"
        return [ValueError(message) for _ in range(n)]
    salvo = _Salvo(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, launch_t_s, earth, boost, launch_alt_m,
                   aim_alt_m)
    rows = [i for i in range(n) if salvo.outcome[i] is None]
    if profile == "min-energy":
        salvo.solve(rows, profile, None)
    else:
        _solve_for_apogee(salvo, rows, profile, apogee_m)
    out: list[BallisticSolution | ValueError] = []
    for outcome in salvo.outcome:
        if isinstance(outcome, tuple):
            sol, depth = outcome
            if depth > BELOW_SURFACE_TOLERANCE_M:
                outcome = UnreachableAim(f"this {profile} trajectory would pass {depth / 1e3:.1f} km below the "
                                         "surface on its way; try a lofted profile or a nearer aim point")
            else:
                outcome = sol
        out.append(cast(ValueError, outcome) if not isinstance(outcome, BallisticSolution) else outcome)
    return out


def _solve_for_apogee(salvo: _Salvo, rows: list[int], profile: str, apogee_m: float | None) -> None:
    """Lofted or depressed rounds: the radius of the requested apogee starts from the mean surface radius of the
    end points and is corrected by the geodetic altitude actually reached (exact on a sphere; metres of change on
    WGS84), at most 8 times, each round until its own miss is below a millimetre. Without `apogee_m` each round
    flies at its factor times its own minimum-energy apogee altitude (a round whose minimum-energy flight fails
    fails with that error)."""
    if apogee_m is None:
        salvo.solve(rows, "min-energy", None)
        factor = DEFAULT_LOFTED_APOGEE_FACTOR if profile == "lofted" else DEFAULT_DEPRESSED_APOGEE_FACTOR
        rows = [i for i in rows if isinstance(salvo.outcome[i], tuple)]
        target = {i: factor * cast(tuple, salvo.outcome[i])[0].apogee_m for i in rows}
    else:
        target = dict.fromkeys(rows, apogee_m)
    r_apogee = dict(zip(rows, (salvo.surface_radius_m()[rows] + np.array([target[i] for i in rows])).tolist(),
                        strict=True))
    salvo.solve(rows, profile, r_apogee)
    for _ in range(8):
        missed = []
        for i in rows:
            outcome = salvo.outcome[i]
            if not isinstance(outcome, tuple):
                continue
            miss = target[i] - outcome[0].apogee_m
            if not abs(miss) < 1e-3:
                r_apogee[i] += miss
                missed.append(i)
        if not missed:
            break
        rows = missed
        salvo.solve(rows, profile, r_apogee)


class _Salvo:
    """The rounds of a `solve_salvo` call: the shared launch point, each round's aim, burnout point and time, and
    each round's outcome so far: None (open), a ValueError, or its (solution, depth below the surface) from the
    latest `solve`."""

    def __init__(self, launch_lat_deg: float, launch_lon_deg: float, aim_lat_deg: Sequence[float],
                 aim_lon_deg: Sequence[float], launch_t_s: Sequence[float], earth: EarthModel,
                 boost: BoostModel | None, launch_alt_m: float, aim_alt_m: float):
        n = len(aim_lat_deg)
        self.earth, self.boost = earth, boost
        self.launch_alt_m, self.aim_alt_m = launch_alt_m, aim_alt_m
        self.aim_lat, self.aim_lon = np.array(aim_lat_deg, dtype=np.float64), np.array(aim_lon_deg, dtype=np.float64)
        self.t_launch = np.array(launch_t_s, dtype=np.float64)
        self.outcome: list[ValueError | tuple[BallisticSolution, float] | None] = [
            None if -90.0 <= lat <= 90.0 else ValueError(f"aim latitude must be in [-90, 90] degrees, found {lat}")
            for lat in aim_lat_deg]
        # scalars and the launch point as full columns: the compiled passes are given writeable arrays, never
        # broadcast views (a read-only array is another signature, compiled again)
        self.r_launch_ecef = geodetic_to_ecef(launch_lat_deg, launch_lon_deg, launch_alt_m, earth)
        self.launch_rows = np.tile(self.r_launch_ecef, (n, 1))
        self.r_aim_ecef = geodetic_to_ecef(self.aim_lat, self.aim_lon, np.full(n, aim_alt_m), earth)
        self.t_bo = self.t_launch
        r_bo_ecef = self.launch_rows
        if boost is not None:
            ground = great_circle_distance_m(launch_lat_deg, launch_lon_deg, self.aim_lat, self.aim_lon).tolist()
            for i in range(n):
                if self.outcome[i] is not None:
                    continue
                if boost.downrange_m >= ground[i]:
                    self.outcome[i] = UnreachableAim(f"the aim point ({ground[i] / 1e3:.1f} km away) lies within "
                                                     f"the boost's {boost.downrange_m / 1e3:.1f} km downrange")
                elif boost.burnout_altitude_m <= launch_alt_m:
                    self.outcome[i] = UnreachableAim("the burnout altitude must be above the launch altitude")
            az = initial_azimuth_deg(launch_lat_deg, launch_lon_deg, self.aim_lat, self.aim_lon)
            lat_b, lon_b = destination_point(np.full(n, launch_lat_deg), np.full(n, launch_lon_deg), az,
                                             np.full(n, boost.downrange_m))
            r_bo_ecef = geodetic_to_ecef(lat_b, lon_b, np.full(n, boost.burnout_altitude_m), earth)
            self.t_bo = self.t_launch + boost.burn_time_s
        self.r1 = ecef_to_eci(r_bo_ecef, self.t_bo, earth)
        """Burnout positions (n, 3), ECI."""

    def surface_radius_m(self) -> _Array:
        """Mean of the launch and aim points' distances from the centre less their altitudes (n,), m."""
        r_launch = np.linalg.norm(self.r_launch_ecef)
        return 0.5 * (r_launch - self.launch_alt_m + np.linalg.norm(self.r_aim_ecef, axis=1) - self.aim_alt_m)

    def solve(self, rows: list[int], profile: str, r_apogee: dict[int, float] | None) -> None:
        """Aim the rounds `rows` (the profile's burnout velocity, round by round; `r_apogee`: each round's apogee
        radius for the lofted and depressed profiles), then finish those that could be aimed, together."""
        aimed, v_bo, psi = [], [], []
        for i in rows:
            try:
                v, p, _ = _aim_in_eci(self.r1[i], self.t_bo[i], self.r_aim_ecef[i], self.earth, profile,
                                      None if r_apogee is None else r_apogee[i])
            except ValueError as exc:  # UnreachableAim, or what else the round alone would raise
                self.outcome[i] = exc
                continue
            aimed.append(i)
            v_bo.append(v)
            psi.append(p)
        if aimed:
            self._finish(np.array(aimed), np.array(v_bo), psi, profile)

    def _finish(self, rows: NDArray[np.intp], v_bo: _Array, psi: list[float], profile: str) -> None:
        """Propagate the rounds' burnout states (v_bo (m, 3), ECI) to impact and gather the figures; with each
        solution, the depth below the surface of its free flight's lowest sample of `_DEPTH_SAMPLES` between
        burnout and impact (m; negative when it stays above), for `solve_salvo`'s check. All rounds' states and
        geodetic figures are taken in one call each."""
        earth, m = self.earth, rows.size
        r1, t_bo, t_launch = self.r1[rows], self.t_bo[rows], self.t_launch[rows]
        orbits = _orbits(r1, v_bo, t_bo, earth.mu_m3_s2)
        if isinstance(orbits, list):  # some state not elliptic (never seen in an aimed flight): those rounds fail
            for i, error in zip(rows.tolist(), orbits, strict=True):
                self.outcome[i] = error
            good = np.array([e is None for e in orbits])
            if good.any():
                self._finish(rows[good], v_bo[good], [p for p, g in zip(psi, good, strict=True) if g], profile)
            return
        t_imp = surface_crossing_time(orbits, self.aim_alt_m, earth)
        t_apo = orbits.apoapsis_time()
        t_apo = np.where(t_apo > t_imp, t_bo, t_apo)  # highest point at an end of the arc (burnout past apoapsis)
        k = _DEPTH_SAMPLES + 2
        times = np.empty((m, k))  # impact, apogee, then the samples
        times[:, 0], times[:, 1] = t_imp, t_apo
        times[:, 2:] = np.linspace(t_bo, t_imp, k, axis=1)[:, 1:-1]
        points = np.empty((m * k + m + 1, 3))  # their ECEF positions, then the burnout points and the launch point
        points[:m * k], _ = orbits.frame_states_at(np.repeat(np.arange(m), k), times.ravel(), earth.omega_rad_s,
                                                   velocity=False)
        r_bo_ecef, v_rel = eci_state_to_ecef(r1, v_bo, t_bo, earth)  # one rotation for both
        points[m * k:-1], points[-1] = r_bo_ecef, self.r_launch_ecef
        lat, lon, alt = ecef_to_geodetic(points, earth)  # every geodetic conversion in one call
        depth = -alt[:m * k].reshape(m, k)[:, 2:].min(axis=1)
        bo_lat, bo_lon, bo_alt = lat[m * k:-1], lon[m * k:-1], alt[m * k:-1]
        ux, uy, uz = up_components(bo_lat, bo_lon)
        up_speed = (v_rel[:, 0] * ux + v_rel[:, 1] * uy) + v_rel[:, 2] * uz  # numpy's 3-vector dot: left to right
        speed_rel = np.linalg.norm(v_rel, axis=1)
        launch_rows = self.launch_rows[rows]
        r_launch = ecef_to_eci(launch_rows, t_launch, earth)
        v_launch = ecef_velocity_to_eci(launch_rows, np.zeros((m, 3)), t_launch, earth)
        exponent = np.zeros(m)
        below = np.zeros(m, dtype=bool)
        if self.boost is not None:
            exponent = boost_exponent(r_launch, v_bo, r1 - r_launch, self.boost.burn_time_s)
            rise, radial = r1 - r_launch, r_launch / np.linalg.norm(r_launch, axis=1, keepdims=True)
            below = ~np.isfinite(exponent) | (((rise[:, 0] * radial[:, 0] + rise[:, 1] * radial[:, 1])
                                               + rise[:, 2] * radial[:, 2]) <= 0.0)
        r_imp = points[:m * k:k].copy()
        for arr in (r_launch, v_launch, r1, v_bo, r_imp):  # the solutions' vectors are read-only rows of these
            arr.flags.writeable = False
        l_lat, l_lon, l_alt = lat[-1].item(), lon[-1].item(), alt[-1].item()
        aim_alt = float(self.aim_alt_m)
        columns = zip(rows.tolist(), t_launch.tolist(), t_bo.tolist(), t_apo.tolist(), t_imp.tolist(),
                      lat[:m * k:k].tolist(), lon[:m * k:k].tolist(), lat[1:m * k:k].tolist(),
                      lon[1:m * k:k].tolist(), alt[1:m * k:k].tolist(), bo_lat.tolist(), bo_lon.tolist(),
                      bo_alt.tolist(), speed_rel.tolist(), np.linalg.norm(v_bo, axis=1).tolist(), up_speed.tolist(),
                      psi, exponent.tolist(), below.tolist(), depth.tolist(), strict=True)
        for j, (i, t_l, t_b, t_a, t_i, i_lat, i_lon, a_lat, a_lon, a_alt, b_lat, b_lon, b_alt, speed, speed_inertial,
                up_v, p, expo, low, d) in enumerate(columns):
            if not math.isfinite(t_i):
                self.outcome[i] = UnreachableAim("the solved trajectory never comes back to the surface")
                continue
            if low:
                self.outcome[i] = UnreachableAim("the burnout point lies below the launch point's horizon; "
                                                 "check the boost's downrange and altitude")
                continue
            self.outcome[i] = (BallisticSolution(
                profile=profile, earth=earth, launch_t_s=t_l, burnout_t_s=t_b, apogee_t_s=t_a, impact_t_s=t_i,
                launch_lat_deg=l_lat, launch_lon_deg=l_lon, launch_alt_m=l_alt,
                aim_lat_deg=float(self.aim_lat[i]), aim_lon_deg=float(self.aim_lon[i]), aim_alt_m=aim_alt,
                burnout_lat_deg=b_lat, burnout_lon_deg=b_lon, burnout_alt_m=b_alt,
                apogee_lat_deg=a_lat, apogee_lon_deg=a_lon, apogee_m=a_alt, impact_lat_deg=i_lat, impact_lon_deg=i_lon,
                r_launch_eci_m=r_launch[j], v_launch_eci_mps=v_launch[j], r_bo_eci_m=r1[j], v_bo_eci_mps=v_bo[j],
                r_impact_ecef_m=r_imp[j], free_flight_range_angle_rad=float(p), burnout_speed_mps=speed,
                burnout_speed_inertial_mps=speed_inertial,
                flight_path_angle_deg=math.degrees(math.asin(up_v / speed)),
                free_flight_time_s=t_i - t_b, time_of_flight_s=t_i - t_l, boost_exponent=expo,
            ), d)


def _orbits(r1: _Array, v_bo: _Array, t_bo: _Array, mu: float) -> KeplerOrbits | list[ValueError | None]:
    """The orbits of the burnout states, or when some state is not elliptic, each round's error (None if its
    own state is)."""
    try:
        return KeplerOrbits(r1, v_bo, t_bo, mu)
    except ValueError:
        errors: list[ValueError | None] = []
        for i in range(t_bo.size):
            try:
                KeplerOrbits(r1[i:i + 1], v_bo[i:i + 1], t_bo[i:i + 1], mu)
                errors.append(None)
            except ValueError as exc:
                errors.append(exc)
        return errors


def fly_free(lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike, azimuth_deg: ArrayLike,
             speed_mps: ArrayLike, fpa_deg: ArrayLike, *, t0_s: ArrayLike = 0.0, earth: EarthModel = WGS84,
             impact_alt_m: ArrayLike = 0.0) -> FreeFlight:
    """Forward problem: free flight from a burnout point (geodetic deg, m) with an Earth-relative speed (m/s),
    azimuth (deg clockwise from north) and flight-path angle (deg) at time t0_s, to the descending crossing of
    geodetic altitude `impact_alt_m`. Vectorised: all inputs broadcast together."""
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in
                                   (lat_deg, lon_deg, alt_m, azimuth_deg, speed_mps, fpa_deg, t0_s, impact_alt_m)))
    shape = arrays[0].shape
    lat, lon, alt, az, speed, fpa, t0, h_imp = (a.ravel() for a in arrays)
    r_ecef = geodetic_to_ecef(lat, lon, alt, earth)
    v_ecef = local_velocity_ecef(lat, lon, az, speed, fpa)
    r_eci = ecef_to_eci(r_ecef, t0, earth)
    v_eci = ecef_velocity_to_eci(r_ecef, v_ecef, t0, earth)
    orbits = KeplerOrbits(r_eci, v_eci, t0, earth.mu_m3_s2)
    t_imp = surface_crossing_time(orbits, h_imp, earth)
    r_imp_eci, _ = orbits.states_at(np.arange(lat.size), np.nan_to_num(t_imp))
    r_imp = eci_to_ecef(r_imp_eci, t_imp, earth)
    i_lat, i_lon, _ = ecef_to_geodetic(r_imp, earth)
    rng = surface_distance_m(lat, lon, i_lat, i_lon, earth)

    def sh(x: ArrayLike, vec: bool = False) -> _Array:
        return np.asarray(x).reshape((*shape, 3) if vec else shape)

    return FreeFlight(
        impact_t_s=sh(t_imp), impact_lat_deg=sh(i_lat), impact_lon_deg=sh(i_lon), impact_ecef_m=sh(r_imp, True),
        ground_range_m=sh(rng), free_flight_time_s=sh(t_imp - t0), r_bo_eci_m=sh(r_eci, True),
        v_bo_eci_mps=sh(v_eci, True),
    )
