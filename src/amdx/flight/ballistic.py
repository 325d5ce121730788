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
a secant iteration on T' − T = 0 converges to 1e-9 s (about a micrometre at the aim).

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
from dataclasses import dataclass
from functools import cached_property

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
    sol, depth = _solve(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, profile=profile,
                        apogee_m=apogee_m, earth=earth, boost=boost, launch_t_s=launch_t_s,
                        launch_alt_m=launch_alt_m, aim_alt_m=aim_alt_m)
    if depth > BELOW_SURFACE_TOLERANCE_M:
        raise UnreachableAim(f"this {profile} trajectory would pass {depth / 1e3:.1f} km below the surface on "
                             "its way; try a lofted profile or a nearer aim point")
    return sol


def _solve(launch_lat_deg: float, launch_lon_deg: float, aim_lat_deg: float, aim_lon_deg: float, *,
           profile: str, apogee_m: float | None, earth: EarthModel, boost: BoostModel | None, launch_t_s: float,
           launch_alt_m: float, aim_alt_m: float) -> tuple[BallisticSolution, float]:
    """The solution and the depth of its free flight's lowest point below the surface (`_finish`), m."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    for name, lat in (("launch latitude", launch_lat_deg), ("aim latitude", aim_lat_deg)):
        if not -90.0 <= lat <= 90.0:
            raise ValueError(f"{name} must be in [-90, 90] degrees, found {lat}")
    r_launch_ecef = geodetic_to_ecef(launch_lat_deg, launch_lon_deg, launch_alt_m, earth)
    r_aim_ecef = geodetic_to_ecef(aim_lat_deg, aim_lon_deg, aim_alt_m, earth)
    t_bo = launch_t_s
    r_bo_ecef = r_launch_ecef
    if boost is not None:
        ground = float(great_circle_distance_m(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg))
        if boost.downrange_m >= ground:
            raise UnreachableAim(f"the aim point ({ground / 1e3:.1f} km away) lies within the boost's "
                                 f"{boost.downrange_m / 1e3:.1f} km downrange")
        if boost.burnout_altitude_m <= launch_alt_m:
            raise UnreachableAim("the burnout altitude must be above the launch altitude")
        az = initial_azimuth_deg(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
        lat_b, lon_b = destination_point(launch_lat_deg, launch_lon_deg, az, boost.downrange_m)
        r_bo_ecef = geodetic_to_ecef(lat_b, lon_b, boost.burnout_altitude_m, earth)
        t_bo = launch_t_s + boost.burn_time_s
    r1_vec = ecef_to_eci(r_bo_ecef, t_bo, earth)

    def solve(r_apogee: float | None) -> tuple[BallisticSolution, float]:
        v_bo, psi, _ = _aim_in_eci(r1_vec, t_bo, r_aim_ecef, earth, profile, r_apogee)
        return _finish(profile, earth, launch_t_s, t_bo, r_launch_ecef, r1_vec, v_bo, psi, boost,
                       (aim_lat_deg, aim_lon_deg, aim_alt_m))

    if profile == "min-energy":
        return solve(None)
    if apogee_m is None:
        me, _ = _solve(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg, profile="min-energy", apogee_m=None,
                    earth=earth, boost=boost, launch_t_s=launch_t_s, launch_alt_m=launch_alt_m, aim_alt_m=aim_alt_m)
        factor = DEFAULT_LOFTED_APOGEE_FACTOR if profile == "lofted" else DEFAULT_DEPRESSED_APOGEE_FACTOR
        apogee_m = factor * me.apogee_m
    # radius of the requested apogee: start from the mean surface radius of the end points, then correct by
    # the geodetic altitude actually reached (exact on a sphere; metres of change on WGS84)
    surface = 0.5 * (np.linalg.norm(r_launch_ecef) - launch_alt_m + np.linalg.norm(r_aim_ecef) - aim_alt_m)
    r_apogee = float(surface) + apogee_m
    solved = solve(r_apogee)
    for _ in range(8):
        miss = apogee_m - solved[0].apogee_m
        if abs(miss) < 1e-3:
            break
        r_apogee += miss
        solved = solve(r_apogee)
    return solved


def _finish(profile: str, earth: EarthModel, t_launch: float, t_bo: float, r_launch_ecef: _Array, r1: _Array,
            v_bo: _Array, psi: float, boost: BoostModel | None,
            aim: tuple[float, float, float]) -> tuple[BallisticSolution, float]:
    """Propagate the solved burnout state to impact and gather the figures; and the depth below the surface of the
    free flight's lowest sample of 64 between burnout and impact (m; negative when it stays above), for the
    caller's check: its states and geodetic altitudes are taken in the same calls as the impact's and apogee's."""
    orbit = KeplerOrbits(r1[None, :], v_bo[None, :], [t_bo], earth.mu_m3_s2)
    t_imp = float(surface_crossing_time(orbit, aim[2], earth)[0])
    if not math.isfinite(t_imp):
        raise UnreachableAim("the solved trajectory never comes back to the surface")
    t_apo = float(orbit.apoapsis_time()[0])
    if t_apo > t_imp:  # highest point at an end of the arc (burnout past apoapsis)
        t_apo = t_bo
    times = np.empty(66)  # impact, apogee, then the 64 samples
    times[0], times[1] = t_imp, t_apo
    times[2:] = np.linspace(float(t_bo), t_imp, 66)[1:-1]
    points = np.empty((68, 3))  # their ECEF positions, then burnout and launch
    points[:66], _ = orbit.frame_states_at(np.zeros(66, dtype=np.intp), times, earth.omega_rad_s, velocity=False)
    r_imp = points[0].copy()
    r_bo_ecef, v_rel = eci_state_to_ecef(r1, v_bo, t_bo, earth)  # one rotation for both
    points[66], points[67] = r_bo_ecef, r_launch_ecef
    lat, lon, alt = ecef_to_geodetic(points, earth)  # every geodetic conversion in one call
    (imp_lat, apo_lat, bo_lat, l_lat), (imp_lon, apo_lon, bo_lon, l_lon) = lat[[0, 1, 66, 67]].tolist(), \
        lon[[0, 1, 66, 67]].tolist()
    apo_alt, bo_alt, l_alt = alt[[1, 66, 67]].tolist()
    depth = -float(alt[2:66].min())
    up = np.array(up_components(bo_lat, bo_lon))
    speed_rel = float(np.linalg.norm(v_rel))
    r_launch = ecef_to_eci(r_launch_ecef, t_launch, earth)
    v_launch = ecef_velocity_to_eci(r_launch_ecef, np.zeros(3), t_launch, earth)
    m = 0.0
    if boost is not None:
        m = float(boost_exponent(r_launch, v_bo, r1 - r_launch, boost.burn_time_s))
        if not math.isfinite(m) or float((r1 - r_launch) @ (r_launch / np.linalg.norm(r_launch))) <= 0.0:
            raise UnreachableAim("the burnout point lies below the launch point's horizon; "
                                 "check the boost's downrange and altitude")

    def ro(x: _Array) -> _Array:
        y = np.array(x, dtype=np.float64)
        y.flags.writeable = False
        return y

    return BallisticSolution(
        profile=profile, earth=earth, launch_t_s=float(t_launch), burnout_t_s=float(t_bo), apogee_t_s=t_apo,
        impact_t_s=t_imp, launch_lat_deg=float(l_lat), launch_lon_deg=float(l_lon), launch_alt_m=float(l_alt),
        aim_lat_deg=float(aim[0]), aim_lon_deg=float(aim[1]), aim_alt_m=float(aim[2]),
        burnout_lat_deg=float(bo_lat), burnout_lon_deg=float(bo_lon), burnout_alt_m=float(bo_alt),
        apogee_lat_deg=float(apo_lat), apogee_lon_deg=float(apo_lon), apogee_m=float(apo_alt),
        impact_lat_deg=float(imp_lat), impact_lon_deg=float(imp_lon),
        r_launch_eci_m=ro(r_launch), v_launch_eci_mps=ro(v_launch), r_bo_eci_m=ro(r1), v_bo_eci_mps=ro(v_bo),
        r_impact_ecef_m=ro(r_imp),
        free_flight_range_angle_rad=float(psi), burnout_speed_mps=speed_rel,
        burnout_speed_inertial_mps=float(np.linalg.norm(v_bo)),
        flight_path_angle_deg=math.degrees(math.asin(float(v_rel @ up) / speed_rel)),
        free_flight_time_s=t_imp - t_bo, time_of_flight_s=t_imp - t_launch, boost_exponent=m,
    ), depth


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
