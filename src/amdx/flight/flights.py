"""A batch of ballistic flights evaluated at arrays of times: boost, Kepler free flight, optional reentry drag.

Positions and velocities are reported in ECEF (m, m/s; velocities relative to the rotating Earth), shape
(n_missiles, n_times, 3), NaN outside [launch, impact]. Free flight is analytic (`kepler.KeplerOrbits`),
the boost is the curve of `ballistic.boost_state`, drag the timing model of `reentry`. One compiled pass
(`segment_kernels.flight_states`) picks each (missile, time) pair's segment and evaluates it, to ECEF.

A batch is immutable once built, so `states_ecef` memoises its results at single times (`amdx.flight.memo`):
callers that ask for the same instant again get the states (read-only) without a second evaluation. The truth
registry does not go through it: `states_into` writes a scan instant's states straight into the rows of its
snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.flight import segment_kernels as sk
from amdx.flight.ballistic import BallisticSolution
from amdx.flight.kepler import KeplerOrbits
from amdx.flight.memo import TimeMemo
from amdx.flight.reentry import ENTRY_ALTITUDE_M, DragTiming, drag_timing
from amdx.flight.surface import surface_crossing_time
from amdx.geo import EarthModel, ecef_to_geodetic

_Array = NDArray[np.float64]


def _ro(x: ArrayLike, shape: tuple[int, ...]) -> _Array:
    y = np.array(np.broadcast_to(np.asarray(x, dtype=np.float64), shape))
    y.flags.writeable = False
    return y


_NO_DRAG = (*(_ro(0.0, (0, 2)) for _ in range(3)), np.zeros(0), _ro(0.0, (0,)), _ro(0.0, (0,)))
"""Drag tables of a batch without drag (`DragTiming.kernel_tables`' types: the flight kernel takes them anyway)."""


class BallisticFlights:
    """Many ballistic flights sharing one Earth model.

    Args (per missile; ECI vectors (n, 3) in the frame of `amdx.geo`, times in s):
        launch_t_s, burnout_t_s: launch and burnout times (equal: no boost).
        r_launch_eci_m, v_launch_eci_mps: inertial state of the launch point at launch (at rest on the Earth).
        r_bo_eci_m, v_bo_eci_mps: burnout state.
        boost_exponent: boost curve shape (see `ballistic.boost_exponent`); ignored without boost.
        impact_alt_m: geodetic altitude of the impact surface.
        earth: Earth model.
        beta_kg_m2: ballistic coefficient for reentry drag (scalar or (n,)); None or inf: vacuum.
    """

    def __init__(self, *, launch_t_s: ArrayLike, burnout_t_s: ArrayLike, r_launch_eci_m: ArrayLike,
                 v_launch_eci_mps: ArrayLike, r_bo_eci_m: ArrayLike, v_bo_eci_mps: ArrayLike,
                 boost_exponent: ArrayLike, impact_alt_m: ArrayLike, earth: EarthModel,
                 beta_kg_m2: ArrayLike | None = None):
        r_bo = np.asarray(r_bo_eci_m, dtype=np.float64).reshape(-1, 3)
        n = r_bo.shape[0]
        self.earth = earth
        self.launch_t_s = _ro(launch_t_s, (n,))
        self.burnout_t_s = _ro(burnout_t_s, (n,))
        self.r_launch_eci_m = _ro(r_launch_eci_m, (n, 3))
        self.v_launch_eci_mps = _ro(v_launch_eci_mps, (n, 3))
        self.r_bo_eci_m = _ro(r_bo, (n, 3))
        self.v_bo_eci_mps = _ro(v_bo_eci_mps, (n, 3))
        self.boost_exponent = _ro(boost_exponent, (n,))
        self.impact_alt_m = _ro(impact_alt_m, (n,))
        self.orbits = KeplerOrbits(self.r_bo_eci_m, self.v_bo_eci_mps, self.burnout_t_s, earth.mu_m3_s2)
        self.vacuum_impact_t_s = _ro(surface_crossing_time(self.orbits, self.impact_alt_m, earth), (n,))
        self.drag: DragTiming | None = None
        self._memo = TimeMemo()
        self._index = np.arange(n)  # the missiles' row indices, for the state kernel (private, never written)
        self.impact_t_s = self.vacuum_impact_t_s
        if beta_kg_m2 is not None and np.any(np.isfinite(beta_kg_m2)):
            start = self._drag_start()
            self.drag = drag_timing(self.orbits, earth, start, self.vacuum_impact_t_s, beta_kg_m2)
            self.impact_t_s = _ro(self.drag.end_t_s, (n,))
        end_free = self.drag.start_t_s if self.drag is not None else self.impact_t_s
        self._rows = _ro(np.column_stack([self.launch_t_s, self.burnout_t_s, self.impact_t_s, end_free,
                                          self.boost_exponent, self.r_launch_eci_m, self.v_launch_eci_mps,
                                          self.r_bo_eci_m, self.v_bo_eci_mps]), (n, sk.N_ROWS))
        """Per-missile data of the flight kernel (layout in `segment_kernels`)."""

    @classmethod
    def concatenate(cls, parts: Sequence[BallisticFlights]) -> BallisticFlights:
        """The flights of `parts` in one batch, in order, without computing anything again: every missile's
        data (orbit, impact time, drag table) is its own, so the rows of the parts are stacked as they are.
        The parts must share one Earth model and either all have reentry drag or none."""
        if not parts or any(p.earth != parts[0].earth for p in parts):
            raise ValueError("concatenate needs at least one batch, all on the same Earth model")
        drags = [p.drag for p in parts]
        if any((d is None) != (drags[0] is None) for d in drags):
            raise ValueError("concatenate needs batches that all have reentry drag or none")
        out = cls.__new__(cls)
        out.earth = parts[0].earth
        for name in ("launch_t_s", "burnout_t_s", "r_launch_eci_m", "v_launch_eci_mps", "r_bo_eci_m",
                     "v_bo_eci_mps", "boost_exponent", "impact_alt_m", "vacuum_impact_t_s", "_rows"):
            joined = np.concatenate([getattr(p, name) for p in parts])
            joined.flags.writeable = False
            setattr(out, name, joined)
        n = out.launch_t_s.shape[0]
        out.orbits = KeplerOrbits.concatenate([p.orbits for p in parts])
        out.drag = None if drags[0] is None else DragTiming.concatenate(cast(list[DragTiming], drags))
        out.impact_t_s = out.vacuum_impact_t_s if out.drag is None else _ro(out.drag.end_t_s, (n,))
        out._memo = TimeMemo()
        out._index = np.arange(n)
        return out

    @classmethod
    def from_solutions(cls, solutions: Sequence[BallisticSolution],
                       beta_kg_m2: ArrayLike | None = None) -> BallisticFlights:
        """Batch of solved flights (all on the same Earth model), boosts included."""
        if not solutions:
            raise ValueError("from_solutions needs at least one solution")
        earth = solutions[0].earth
        if any(s.earth != earth for s in solutions):
            raise ValueError("all solutions of a batch must use the same Earth model")

        def col(name: str) -> _Array:
            return np.array([getattr(s, name) for s in solutions], dtype=np.float64)

        return cls(launch_t_s=col("launch_t_s"), burnout_t_s=col("burnout_t_s"),
                   r_launch_eci_m=col("r_launch_eci_m"), v_launch_eci_mps=col("v_launch_eci_mps"),
                   r_bo_eci_m=col("r_bo_eci_m"), v_bo_eci_mps=col("v_bo_eci_mps"),
                   boost_exponent=col("boost_exponent"), impact_alt_m=col("aim_alt_m"), earth=earth,
                   beta_kg_m2=beta_kg_m2)

    @classmethod
    def from_burnout_states(cls, r_bo_eci_m: ArrayLike, v_bo_eci_mps: ArrayLike, burnout_t_s: ArrayLike,
                            earth: EarthModel, impact_alt_m: ArrayLike = 0.0,
                            beta_kg_m2: ArrayLike | None = None) -> BallisticFlights:
        """Free flights from burnout states (no boost: launch = burnout)."""
        r = np.asarray(r_bo_eci_m, dtype=np.float64).reshape(-1, 3)
        return cls(launch_t_s=burnout_t_s, burnout_t_s=burnout_t_s, r_launch_eci_m=r,
                   v_launch_eci_mps=v_bo_eci_mps, r_bo_eci_m=r, v_bo_eci_mps=v_bo_eci_mps, boost_exponent=2.0,
                   impact_alt_m=impact_alt_m, earth=earth, beta_kg_m2=beta_kg_m2)

    @property
    def n_missiles(self) -> int:
        """Number of flights."""
        return int(self.burnout_t_s.shape[0])

    def _drag_start(self) -> _Array:
        """Descending crossing of the entry altitude; the apoapsis (or burnout) when the flight stays lower."""
        t_entry = surface_crossing_time(self.orbits, ENTRY_ALTITUDE_M, self.earth)
        t_apo = np.maximum(self.orbits.apoapsis_time(), self.burnout_t_s)
        t_apo = np.where(t_apo < self.vacuum_impact_t_s, t_apo, self.burnout_t_s)
        r_apo, _ = self.orbits.states_at(np.arange(self.n_missiles), t_apo, velocity=False)
        apo_alt = np.asarray(ecef_to_geodetic(r_apo, self.earth)[2])
        return np.where((apo_alt > ENTRY_ALTITUDE_M) & np.isfinite(t_entry), t_entry, t_apo)

    def _times(self, t_s: ArrayLike) -> _Array:
        t = np.asarray(t_s, dtype=np.float64)
        t2 = t if t.ndim == 2 else np.atleast_1d(t)[None, :]
        return np.broadcast_to(t2, (self.n_missiles, t2.shape[-1]))

    def states_ecef(self, t_s: ArrayLike, velocity: bool = True) -> tuple[_Array, _Array | None]:
        """ECEF positions (n, K, 3), m, and Earth-relative velocities (n, K, 3), m/s (None unless `velocity`)
        at times `t_s`: (K,) shared by all missiles or (n, K). NaN outside [launch, impact]. Results at a single
        time are memoised and read-only."""
        if np.ndim(t_s) <= 1 and np.size(t_s) == 1:
            key = float(np.asarray(t_s, dtype=np.float64).reshape(()))
            # one time for every missile: no broadcast of times or indices
            pos, vel = self._memo.get(key, lambda: self._evaluate_states(  # type: ignore[arg-type, return-value]
                np.full((self.n_missiles, 1), key), True))
            return pos, (vel if velocity else None)
        return self._evaluate_states(self._times(t_s), velocity)

    def _evaluate_states(self, t2: _Array, velocity: bool) -> tuple[_Array, _Array | None]:
        """States at the times t2 (n, K): missile i at t2[i, :]."""
        idx = self._index if t2.shape[1] == 1 else np.repeat(self._index, t2.shape[1])
        pos, vel = self._pairs(idx, t2.ravel())
        return pos.reshape((*t2.shape, 3)), (vel.reshape((*t2.shape, 3)) if velocity else None)

    def _pairs(self, idx: NDArray[np.intp], t: _Array) -> tuple[_Array, _Array]:
        """ECEF positions and velocities (k, 3) of the (missile idx[j], time t[j]) pairs: one kernel pass."""
        pos, vel = np.empty((t.size, 3)), np.empty((t.size, 3))
        self._fill(idx, t, pos, vel)
        return pos, vel

    def _fill(self, idx: NDArray[np.intp], t: _Array, pos: _Array, vel: _Array) -> None:
        """`_pairs`, written to the caller's pos and vel (k, 3)."""
        tables = self.drag.kernel_tables if self.drag is not None else _NO_DRAG
        sk.flight_states(self._rows, self.orbits.consts, self.earth.omega_rad_s, self.drag is not None, *tables,
                         idx, t, pos, vel)

    def states_into(self, t_s: float, live: NDArray[np.bool_] | None, pos: _Array, vel: _Array) -> None:
        """ECEF positions and Earth-relative velocities of the missiles `live` (a mask (n,); every missile when
        None) at the one time `t_s`, in row order, written to `pos` and `vel` (k, 3) float64, C-contiguous: rows
        of the caller's arrays (the truth snapshot's), so no result is allocated, copied or gathered. The
        arithmetic of `states_ecef`, so the same numbers."""
        if live is None:
            idx = self._index
        else:
            if live.shape != (self.n_missiles,):
                raise ValueError(f"a mask of {self.n_missiles} missiles needed, found shape {live.shape}")
            idx = np.flatnonzero(live)
        for out in (pos, vel):  # the kernel does not check
            if out.shape != (idx.size, 3) or out.dtype != np.float64 or not out.flags.c_contiguous:
                raise ValueError(f"pos and vel must be C-contiguous float64 ({idx.size}, 3) arrays")
        self._fill(idx, np.full(idx.size, float(t_s)), pos, vel)

    def position_of(self, index: int, t_s: float) -> _Array:
        """ECEF position (3,), m, of missile `index` alone at `t_s` (NaN outside its flight): only its own
        flight is evaluated, with the same arithmetic as `states_ecef`."""
        if not 0 <= index < self.n_missiles:  # the kernel does not check
            raise IndexError(f"missile index {index} outside [0, {self.n_missiles})")
        return self._pairs(np.array([index], dtype=np.intp), np.array([float(t_s)]))[0][0]

    def position_ecef(self, t_s: ArrayLike) -> _Array:
        """ECEF positions (n, K, 3), m; NaN outside [launch, impact]."""
        return self.states_ecef(t_s, velocity=False)[0]

    def velocity_ecef(self, t_s: ArrayLike) -> _Array:
        """Earth-relative velocities, ECEF components (n, K, 3), m/s; NaN outside [launch, impact]."""
        return cast(_Array, self.states_ecef(t_s)[1])
