"""`RadarNetwork`: the scans of several radars at one instant, in a few numpy calls for all of them together.

The engine scans about a dozen radars at every scan instant, each against the same ground truth. Scanned one by
one (`Radar.scan`), the time goes in numpy's per-call overhead: some sixty small calls per radar. Here each
step of `Radar.scan` is one call over every (radar, target) pair of the instant, with each radar's parameters
as a column: the geometry, the view test and the horizon test of the few low pairs, of all pairs in one compiled
pass (`polar_kernels.pairs_in_view`, which skips far pairs before any angle), SNR and Pd over the pairs in
view (one Pd call per detection model and Pfa), the measurement noise, false alarms and the conversion to ECEF
over all reports (`polar_kernels.ecef_rows`).

The random draws stay per radar: each radar draws from its own stream in exactly the numbers, sizes and order
`Radar.scan` draws them (detection uniforms; measurement noise; range-rate noise; false-alarm count, then their
ranges, azimuths, elevations, powers and range rates), since a radar's draws must not depend on who scans with
it. The geometry and conversion are the per-point kernels `Radar.scan` itself uses, and every other operation is
elementwise, so the reports are bit for bit those of per-radar scans (tests/sensors/test_radar_batch.py checks
this): the batch is an evaluation strategy, not a model. Zero-size draws consume nothing from a numpy
`Generator`, so they are skipped (a radar with nothing in view, no detection or no false alarm makes fewer
calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from amdx.sensors.detection import detection_probability
from amdx.sensors.detections import Detections
from amdx.sensors.polar_kernels import SIGHT_COLUMNS, ecef_rows, pairs_in_view, sight_terms
from amdx.sensors.radar import _HORIZON_CHECK_BELOW_RAD, _TWO_PI, Radar
from amdx.sensors.radar_equation import snr_reference_db

__all__ = ["RadarNetwork", "RadarScans", "scan_radars"]

_F64 = NDArray[np.float64]
_I64 = NDArray[np.int64]
_EMPTY = np.zeros(0)
_EMPTY.setflags(write=False)


@dataclass(frozen=True, eq=False)
class RadarScans:
    """The reports of several radars' scans at one time, radar after radar, each radar's reports in the order of
    its `Radar.scan` (by measured azimuth). Arrays are read-only.

    Attributes:
        t_s: scan time, s since scenario start.
        sensor_ids: (R,) the scanned radars' ids, in scan order.
        offsets: (R + 1,) radar k's reports are rows offsets[k]:offsets[k + 1].
        sensor: (n,) position in `sensor_ids` of each report's radar.
        z_polar: (n, 3) measured [range m, azimuth rad, elevation rad] at the report's site.
        z_ecef_m: (n, 3) measurements in ECEF, m.
        R_ecef: (n, 3, 3) their covariances, m².
        snr_db: (n,) single-look SNR, dB.
        truth_index: (n,) index of the detected target in the truth arrays, −1 for a false alarm (evaluation
            label, controller only).
        range_rate_mps: (n,) measured range rate, m/s; NaN for the reports of radars that do not measure it.
        measures_range_rate: (R,) whether each radar measures range rate.
    """

    t_s: float
    sensor_ids: tuple[str, ...]
    offsets: _I64
    sensor: _I64
    z_polar: _F64
    z_ecef_m: _F64
    R_ecef: _F64
    snr_db: _F64
    truth_index: _I64
    range_rate_mps: _F64
    measures_range_rate: NDArray[np.bool_]

    def __post_init__(self) -> None:
        for name in ("offsets", "sensor", "z_polar", "z_ecef_m", "R_ecef", "snr_db", "truth_index",
                     "range_rate_mps", "measures_range_rate"):
            getattr(self, name).setflags(write=False)

    def __len__(self) -> int:
        return len(self.truth_index)

    def detections(self, k: int) -> Detections:
        """Radar k's reports as the `Detections` its own `Radar.scan` returns."""
        rows = slice(int(self.offsets[k]), int(self.offsets[k + 1]))
        return Detections(
            sensor_id=self.sensor_ids[k], t_s=self.t_s, z_polar=self.z_polar[rows], z_ecef_m=self.z_ecef_m[rows],
            R_ecef=self.R_ecef[rows], snr_db=self.snr_db[rows], truth_index=self.truth_index[rows],
            range_rate_mps=self.range_rate_mps[rows] if self.measures_range_rate[k] else None,
        )


def scan_radars(radars: Sequence[Radar], t_s: float, truth_ecef_m: ArrayLike, truth_vel_ecef_mps: ArrayLike | None,
                rcs_m2: ArrayLike, rngs: Sequence[np.random.Generator]) -> RadarScans:
    """One scan of each of `radars` at `t_s`, radar k drawing from `rngs[k]`: what `Radar.scan` of each gives,
    in one batch (arguments as `Radar.scan`). Callers that scan the same radars often keep a `RadarNetwork`."""
    return RadarNetwork(radars).scan(t_s, truth_ecef_m, truth_vel_ecef_mps, rcs_m2, rngs)


def _no_scans(t_s: float) -> RadarScans:
    """The reports of scanning no radar."""
    return RadarScans(float(t_s), (), np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros((0, 3)),
                      np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0), np.zeros(0, np.int64), np.zeros(0),
                      np.zeros(0, dtype=bool))


@dataclass(frozen=True, eq=False)
class _Selection:
    """The columns of a selection of a network's radars, in scan order (see `RadarNetwork._selection`)."""

    index: list[int]
    sensor_ids: tuple[str, ...]
    measures_rr: NDArray[np.bool_]
    sigmas: _F64
    site: _F64
    rot: _F64
    near_m2: _F64
    range_max: _F64
    el_min: _F64
    el_max: _F64
    boresight: _F64
    half_view: _F64
    sight: _F64


class RadarNetwork:
    """A fixed set of radars with their parameters as columns, to scan any subset of them at once.

    Built once per run (the radars are frozen); `scan(..., which=...)` scans the radars at the given positions.
    """

    def __init__(self, radars: Sequence[Radar]) -> None:
        self.radars: tuple[Radar, ...] = tuple(radars)
        n = len(self.radars)
        types = [r.radar_type for r in self.radars]
        self._site = np.array([r.site_ecef_m for r in self.radars], dtype=np.float64).reshape(n, 3)
        self._rot = np.array([r.rot_enu for r in self.radars], dtype=np.float64).reshape(n, 3, 3)
        self._sigmas = np.array([r.sigmas for r in self.radars], dtype=np.float64).reshape(n, 3)
        # per-radar scalars, the very floats `Radar.scan` uses (its properties, evaluated once)
        self._range_max = np.array([t.instrumented_range_m for t in types])
        self._near_m2 = (self._range_max * (1.0 + 1e-6)) ** 2
        self._el_min = np.array([t.elevation_min_rad for t in types])
        self._el_max = np.array([t.elevation_max_rad for t in types])
        self._boresight = np.array([r.boresight_rad for r in self.radars])
        self._half_fov = np.array([0.5 * t.azimuth_fov_rad for t in types])
        self._half_view = np.array([r.half_view_rad for r in self.radars])
        self._ref_snr_db = np.array([t.reference_snr_db for t in types], dtype=np.float64)
        self._ref_rcs = np.array([t.reference_rcs_m2 for t in types], dtype=np.float64)
        self._ref_range = np.array([t.reference_range_m for t in types], dtype=np.float64)
        self._neg_log_pfa = np.array([-np.log(t.false_alarm_probability) for t in types])
        self._rr_sigma = np.array([np.nan if r.range_rate_sigma_mps is None else r.range_rate_sigma_mps
                                   for r in self.radars], dtype=np.float64)
        self._measures_rr = np.array([r.range_rate_sigma_mps is not None for r in self.radars], dtype=bool)
        self._false_alarms_on = [r.false_alarms for r in self.radars]
        self._fa_mean = [r.false_alarm_mean for r in self.radars]
        self._rr_of = self._measures_rr.tolist()
        # each radar's false-alarm range, azimuth offset and elevation as low + span · u with u uniform on [0, 1):
        # what `Generator.uniform(low, high)` computes (low + (high − low) · u, u its next double), from the very
        # bounds `Radar._false_alarms` passes; rows (n, 3)
        bounds = np.array([(0.0, r.radar_type.instrumented_range_m, -half, half, r.radar_type.elevation_min_rad,
                            r.radar_type.elevation_max_rad) for r, half in zip(self.radars, self._half_fov.tolist(),
                                                                               strict=True)]).reshape(n, 3, 2)
        self._fa_low = bounds[:, :, 0].copy()
        self._fa_span = bounds[:, :, 1] - bounds[:, :, 0]
        self._rr_limit = [r.range_rate_limit_mps for r in self.radars]
        # the terms of each radar's line of sight (`polar_kernels.sight_terms`), computed once
        self._sight = np.array([sight_terms(r.site_ecef_m, r.k_factor, r.horizon_radius_m, r.earth.a_m,
                                            r.earth.a_m**2, r.earth.e2, r.earth.is_sphere) for r in self.radars],
                               dtype=np.float64).reshape(n, SIGHT_COLUMNS)
        # radars that share a detection model, Pfa and pulse count share one Pd call
        pd_keys = [(r.detection_model, r.radar_type.false_alarm_probability, r.n_pulses) for r in self.radars]
        self._pd_keys = list(dict.fromkeys(pd_keys))
        self._pd_group = np.array([self._pd_keys.index(key) for key in pd_keys], dtype=np.int64)
        self._selections: dict[bytes, _Selection] = {}

    def __len__(self) -> int:
        return len(self.radars)

    def scan(self, t_s: float, truth_ecef_m: ArrayLike, truth_vel_ecef_mps: ArrayLike | None, rcs_m2: ArrayLike,
             rngs: Sequence[np.random.Generator], which: ArrayLike | None = None) -> RadarScans:
        """One scan at `t_s` of the radars at positions `which` (all when None), in that order, radar
        `which[k]` drawing from `rngs[k]`; truth arguments as `Radar.scan`."""
        sel = np.arange(len(self.radars)) if which is None else np.asarray(which, dtype=np.int64).reshape(-1)
        if len(rngs) != sel.size:
            raise ValueError(f"{sel.size} radars to scan but {len(rngs)} random streams")
        if not sel.size:
            return _no_scans(t_s)
        c = self._selection(sel)
        measures_rr = c.measures_rr
        if truth_vel_ecef_mps is None and measures_rr.any():
            sid = c.sensor_ids[int(np.argmax(measures_rr))]
            raise ValueError(f"{sid}: measures range rate, so scan() needs truth velocities")
        p = np.asarray(truth_ecef_m, dtype=np.float64).reshape(-1, 3)
        rcs = np.asarray(rcs_m2, dtype=np.float64)
        if rcs.shape != (len(p),):
            rcs = np.broadcast_to(rcs, (len(p),))
        n_radars = sel.size

        # the (radar, target) pairs in view, radar by radar, targets in truth order (as `Radar.in_view`)
        kk, ii, polar = self._in_view(c, p)
        gk = sel[kk]
        in_view = np.bincount(kk, minlength=n_radars).tolist()

        # SNR and Pd of the pairs in view; the detection draws per radar
        snr = snr_reference_db(polar[:, 0], rcs[ii], reference_range_m=self._ref_range[gk],
                               reference_snr_db=self._ref_snr_db[gk], reference_rcs_m2=self._ref_rcs[gk])
        pd = self._pd(self._pd_group[gk], snr)
        hit = np.concatenate([g.random(c) if c else _EMPTY for g, c in zip(rngs, in_view, strict=True)]) < pd
        dk, di, snr, polar = kk[hit], ii[hit], np.asarray(snr)[hit], polar[hit]
        detected = np.bincount(dk, minlength=n_radars).tolist()

        # the remaining draws of each radar, in `Radar.scan`'s order (the measurement noise (d, 3) and the range-rate
        # noise (d,) are consecutive standard normals: one call of 4d, as a generator draws them one after another)
        noise, rr_noise, fa_counts, fa = [], [], [], ([], [], [])
        for i, g, d in zip(c.index, rngs, detected, strict=True):
            if d:
                if self._rr_of[i]:
                    drawn = g.standard_normal(4 * d)
                    noise.append(drawn[:3 * d])
                    rr_noise.append(drawn[3 * d:])
                else:
                    noise.append(g.standard_normal(3 * d))
            count = int(g.poisson(self._fa_mean[i])) if self._false_alarms_on[i] else 0
            fa_counts.append(count)
            if count:
                self._false_alarm_draws(i, g, count, *fa)

        # measurements of the detections
        z = polar + (np.concatenate(noise).reshape(-1, 3) if noise else _EMPTY.reshape(0, 3)) * c.sigmas[dk]
        z[:, 1] = np.mod(z[:, 1], _TWO_PI)
        rr = np.full(len(dk), np.nan)
        if rr_noise:
            w = measures_rr[dk]
            gk, gi = sel[dk[w]], di[w]
            los = (p[gi] - self._site[gk]) / polar[w, :1]
            v = np.asarray(truth_vel_ecef_mps, dtype=np.float64).reshape(-1, 3)[gi]
            rr[w] = np.einsum("ij,ij->i", los, v) + self._rr_sigma[gk] * np.concatenate(rr_noise)

        # false alarms, then every report of a radar sorted by measured azimuth (stable, as `Radar.scan`)
        fk, z_fa, snr_fa, rr_fa = self._false_alarms(sel, fa_counts, fa)
        radar_of = np.concatenate([dk, fk])
        z_all = np.concatenate([z, z_fa])
        order = np.lexsort((z_all[:, 1], radar_of))
        sensor = radar_of[order]
        z_all = z_all[order]
        truth_index = np.concatenate([di, np.full(len(fk), -1, dtype=np.int64)])[order]
        counts = np.bincount(sensor, minlength=n_radars)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        z_ecef, r_ecef = ecef_rows(z_all, c.sigmas[sensor], self._site, self._rot, sel[sensor])
        return RadarScans(
            t_s=float(t_s), sensor_ids=c.sensor_ids, offsets=offsets,
            sensor=sensor.astype(np.int64), z_polar=z_all, z_ecef_m=z_ecef, R_ecef=r_ecef,
            snr_db=np.concatenate([snr, snr_fa])[order], truth_index=truth_index.astype(np.int64),
            range_rate_mps=np.concatenate([rr, rr_fa])[order], measures_range_rate=measures_rr,
        )

    def _selection(self, sel: _I64) -> _Selection:
        """The columns of the radars `sel`, gathered once per distinct selection (a run scans a few)."""
        key = sel.tobytes()
        found = self._selections.get(key)
        if found is None:
            found = _Selection(
                index=sel.tolist(), sensor_ids=tuple(self.radars[i].sensor_id for i in sel.tolist()),
                measures_rr=self._measures_rr[sel], sigmas=self._sigmas[sel], site=self._site[sel],
                rot=self._rot[sel], near_m2=self._near_m2[sel], range_max=self._range_max[sel],
                el_min=self._el_min[sel], el_max=self._el_max[sel], boresight=self._boresight[sel],
                half_view=self._half_view[sel], sight=self._sight[sel])
            self._selections[key] = found
        return found

    def _in_view(self, c: _Selection, p: _F64) -> tuple[_I64, _I64, _F64]:
        """(radar positions (q,), target indices (q,), true polar (q, 3)) of the (radar, target) pairs that
        `Radar.in_view` of each radar finds in view, radar by radar, targets in truth order (the same per-pair
        kernels as `Radar.in_view`, so the same numbers)."""
        return pairs_in_view(p, c.site, c.rot, c.near_m2, c.range_max, c.el_min, c.el_max, c.boresight, c.half_view,
                             c.sight, _HORIZON_CHECK_BELOW_RAD)

    def _pd(self, group: _I64, snr_db: _F64) -> _F64:
        """Pd of each pair, one `detection_probability` call per (model, Pfa, pulses) group."""
        pd = np.empty(len(group))
        present = np.flatnonzero(np.bincount(group, minlength=len(self._pd_keys))).tolist()
        for j in present:
            model, pfa, n_pulses = self._pd_keys[j]
            rows = slice(None) if len(present) == 1 else group == j
            pd[rows] = detection_probability(np.asarray(snr_db)[rows], pfa, model, n_pulses)
        return pd

    def _false_alarm_draws(self, i: int, g: np.random.Generator, count: int, uniform: list[_F64],
                           power: list[_F64], rr: list[_F64]) -> None:
        """Radar i's false-alarm draws after the count, as `Radar._false_alarms` makes them, appended to `uniform`
        (its range, azimuth offset and elevation uniforms (3, count): three consecutive draws of `count` doubles,
        so one call of 3·count, scaled in `_false_alarms`), `power` and (radars that measure it) `rr`."""
        uniform.append(g.random(3 * count).reshape(3, count))
        power.append(g.standard_exponential(count))
        if self._rr_of[i]:
            limit = self._rr_limit[i]
            rr.append(g.uniform(-limit, limit, count))

    def _false_alarms(self, sel: _I64, counts: list[int], draws: tuple[list[_F64], list[_F64], list[_F64]]
                      ) -> tuple[_I64, _F64, _F64, _F64]:
        """(radar position (k,), polar (k, 3), snr_db (k,), range rate (k,), NaN for radars that do not measure
        it) of all false alarms. A radar's uniforms scale as `Generator.uniform` scales them: low + span · u."""
        if not draws[0]:
            return np.zeros(0, np.int64), np.zeros((0, 3)), np.zeros(0), np.zeros(0)
        fk = np.repeat(np.arange(len(counts)), counts)
        gk = sel[fk]
        polar = self._fa_low[gk] + self._fa_span[gk] * np.concatenate(draws[0], axis=1).T
        polar[:, 1] = np.mod(self._boresight[gk] + polar[:, 1], _TWO_PI)
        power = self._neg_log_pfa[gk] + np.concatenate(draws[1])
        snr_db = 10.0 * np.log10(np.maximum(power - 1.0, 1e-12))
        rr = np.full(len(fk), np.nan)
        if draws[2]:
            rr[self._measures_rr[gk]] = np.concatenate(draws[2])
        return fk, polar, snr_db, rr
