"""Each nation's air picture: radar scans → local tracks → national fusion → data link to partners.

Decisions use estimates, outcomes use truth: this module turns truth (from the `TruthRegistry`) into detections
only through the sensor models, and everything a nation sees comes out of its trackers and its partners'
releases. The evaluation labels (which threat a detection or track stems from) ride along for the controller's
after-action figures only and are never shown to a nation.

Per radar: a local tracker (fire-control radars keep their own local tracks, and so do early-warning radars, as
each sends its tracks to the national fusion centre). The local trackers of all radars live in one
`TrackerBank`, so the radars that look at one instant are scanned against one evaluation of ground truth and
tracked in one step, each exactly as if alone. Per nation: a `FusionCentre` that fuses its sensors' local
tracks with the tracks its partners release, at every picture time. Per sharing agreement: every update period
the releasing nation sends the tracks of its latest picture that its own sensors hold (no relaying of a third
nation's tracks), filtered by the agreement (all / ballistic only), delivered after the agreed latency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amdx.engine import events as ev
from amdx.engine.fusion import FusedPicture, FusionCentre, SourceTracks
from amdx.engine.fusion_kernels import entry_columns
from amdx.engine.rng import RngStreams
from amdx.engine.scan_book import LaunchColumns, ThreatMarks, report_serials
from amdx.engine.sensing import SensorSite, build_sensor_sites
from amdx.engine.truth import TruthRegistry
from amdx.geo import WGS84, ecef_to_geodetic
from amdx.sensors.radar import Radar
from amdx.sensors.radar_batch import RadarNetwork, RadarScans
from amdx.sensors.space_warning import SpaceWarningSensor
from amdx.tracking.bank import TrackerBank
from amdx.tracking.filters import BatchEKF
from amdx.tracking.impact import above_altitude, predict_impact
from amdx.tracking.models import MotionModel
from amdx.tracking.track_types import Classification, TrackerConfig

CLASS_NAMES = {int(Classification.UNKNOWN): "unknown", int(Classification.AIR_BREATHING): "air-breathing",
               int(Classification.BALLISTIC): "ballistic"}


_BALLISTIC = int(Classification.BALLISTIC)
_MODEL_BALLISTIC, _MODEL_CV = int(MotionModel.BALLISTIC), int(MotionModel.CONSTANT_VELOCITY)
"""A partner's track is predicted with the ballistic model when it is classified ballistic, else constant velocity."""

GROUND_CLEARANCE_M = -500.0
"""A track predicted this far below the ellipsoid is taken to have impacted and leaves the picture, m."""


def tracker_config_for(revisit_s: float) -> TrackerConfig:
    """Track management for a radar's local tracker: fast radars confirm 3 of 5, slow ones 2 of 3; a track
    coasts through up to three missed looks."""
    m, n = (3, 5) if revisit_s <= 2.0 else (2, 3)
    return TrackerConfig(confirm_m=m, confirm_n=n, max_coast_s=3.5 * revisit_s)


DENSE_SLACK = 65_536
"""`Names` keeps names up to this many numbers past twice those it holds (module's `Names`)."""


class Names:
    """Names made of a prefix and a non-negative integer (`prefix` + `format(n, spec)`), each made once and kept in
    a list by number: a run names the same track (a radar's local track, a national track number) in every
    picture, and formatting it anew each time costs more than a lookup. `names[n]` is one name, `names.of(ns)` the
    names of a list of numbers. Numbers are small and dense (a radar's local track ids, a nation's track numbers:
    a few thousand in a run), so every name up to the largest asked for is made (a number far beyond, see
    `DENSE_SLACK`, is named when asked, not kept); a list rather than a dict
    because a picture looks up hundreds of tracks among a run's thousands, and a dict's hash table, scattered
    over the run's tracks, made those lookups about 0.3 us each in the 500-threat raid."""

    __slots__ = ("_names", "prefix", "spec")

    def __init__(self, prefix: str, spec: str = "") -> None:
        self.prefix, self.spec = prefix, spec
        self._names: list[str] = []

    def _grow(self, top: int) -> None:
        """Make the names up to number `top` (non-negative)."""
        prefix, spec = self.prefix, self.spec
        self._names.extend([prefix + format(n, spec) for n in range(len(self._names), top + 1)])

    def _dense(self, top: int) -> bool:
        """Whether number `top` is near enough to those named to be kept: numbers far beyond (a tracker's
        configured first id, say) are named when asked, so the list never holds millions of unused names."""
        return top < 2 * len(self._names) + DENSE_SLACK

    def __getitem__(self, n: int) -> str:
        if n < 0:
            raise ValueError(f"names are made for non-negative numbers, found {n}")
        if n >= len(self._names):
            if not self._dense(n):
                return self.prefix + format(n, self.spec)
            self._grow(n)
        return self._names[n]

    def of(self, numbers: list[int]) -> tuple[str, ...]:
        """The names of `numbers` (non-negative), in their order."""
        if not numbers:
            return ()
        if min(numbers) < 0:
            raise ValueError(f"names are made for non-negative numbers, found {min(numbers)}")
        top = max(numbers)
        if top >= len(self._names):
            if not self._dense(top):
                return tuple(map(self.__getitem__, numbers))
            self._grow(top)
        return _items(self._names, numbers)


def track_names(nation: str) -> Names:
    """A nation's track ids ("<nation>.T<number, 4 digits at least>"), by track number."""
    return Names(f"{nation}.T", "04d")


@dataclass(frozen=True, eq=False)
class _Release:
    """Tracks one nation released to another at `t_s` (states at that time), and the motion model each is
    predicted with (ballistic for ballistic tracks, else constant velocity)."""

    sender: str
    t_s: float
    source: SourceTracks
    model: NDArray[np.int8]


class AirPictures:
    """Sensors, trackers, fusion centres and data links of one run."""

    def __init__(self, scenario: Any, rngs: RngStreams, truth: TruthRegistry) -> None:
        self.scenario = scenario
        self.rngs = rngs
        self.truth = truth
        self.nations = [n.id for n in scenario.nations]
        self.sites: list[SensorSite] = build_sensor_sites(scenario, rngs)
        self.filter = BatchEKF()
        radars = [s for s in self.sites if isinstance(s.model, Radar)]
        self.radar_index: dict[str, int] = {s.sensor_id: i for i, s in enumerate(radars)}
        """Each radar's sensor index in the tracker bank."""
        self._radar_ids = [s.sensor_id for s in radars]
        self._own_radars = {n: [s for s in radars if s.owner == n] for n in self.nations}
        """Per nation, its radars in scenario order (the own sources of its pictures)."""
        self._own_index = {n: [self.radar_index[s.sensor_id] for s in sites] for n, sites in self._own_radars.items()}
        """Per nation, its radars' sensor indices in the tracker bank (scenario order)."""
        self.trackers = TrackerBank([tracker_config_for(s.revisit_s) for s in radars], self.filter)
        self.radar_network = RadarNetwork([s.model for s in radars if isinstance(s.model, Radar)])  # (narrows the type)
        """The radars' models in tracker-bank order, scanned together at each scan instant."""
        self.track_labels: dict[str, dict[int, str | None]] = {sid: {} for sid in self.radar_index}
        self.fusion = {n: FusionCentre() for n in self.nations}
        self.pictures: dict[str, FusedPicture] = {n: FusedPicture.empty() for n in self.nations}
        self.picture_t_s: dict[str, float] = dict.fromkeys(self.nations, 0.0)
        self.impacts: dict[str, dict[int, dict[str, float]]] = {n: {} for n in self.nations}
        """Per nation, per fused track number: the impact prediction of the latest picture (see `impact_rows`)."""
        self.received: dict[str, dict[str, _Release]] = {n: {} for n in self.nations}
        self._released: dict[str, tuple[FusedPicture, dict[tuple[str, bool], tuple[SourceTracks, np.ndarray]]]] = {}
        """Per sender, its latest released picture and what it released of it, by (release, with sensor ids): a
        picture is sent once per update period but made once per picture period, and a release of it is made
        once (its tracks are only read by the receivers)."""
        self._track_ids = {n: track_names(n) for n in self.nations}
        """Per nation, its track ids by number (made once per track)."""
        self._link_keys = {n: Names(f"{n}/{n}.T", "04d") for n in self.nations}
        """Per nation, the source keys of its released tracks ("<nation>/<track id>") by number."""
        self._local_keys = {sid: Names(sid + "/") for sid in self._radar_ids}
        """Per radar, its local tracks' source keys ("<sensor>/<local id>") by local id."""
        self._detected: dict[str, set[str]] = {n: set() for n in self.nations}
        """Per nation, the threats its radars have detected (the labels of its first-detection markers)."""
        self._first_track: set[tuple[str, str, str]] = set()
        self._own_tracked: dict[str, set[str | None]] = {n: set() for n in self.nations}
        """Per nation, the threats it holds (or held) an own track of: the labels of its first-track markers."""
        self._partner_tracked: dict[str, set[str | None]] = {n: set() for n in self.nations}
        """Per nation, the threats it received (or had received) a partner's track of: as `_own_tracked`."""
        self._scan_marks = (ThreatMarks(self.nations, self._detected, truth.serial_of),
                            ThreatMarks(self.nations, self._own_tracked, truth.serial_of))
        """The detected and own-tracked sets above as rows over the truth's threat serial numbers."""
        self._launch_columns = LaunchColumns()
        """The engine's launches as arrays, grown as they grow (the space-based sensors' input)."""
        self._warnings = 0

    # --- radar scans -----------------------------------------------------------------------------------------
    def radar_scans(self, sites: list[SensorSite], t_s: float) -> list[ev.Event]:
        """One scan of each of `sites` (radars) at `t_s`: all their scans in one batch (`RadarNetwork`, each radar
        drawing from its own stream), detections → the radars' local trackers, in one step; first-detection and
        first-track markers."""
        truth = self.truth.states(t_s)
        out: list[ev.Event] = []
        index = np.array([self.radar_index[site.sensor_id] for site in sites], dtype=np.int64)
        scans = self.radar_network.scan(t_s, truth.pos_ecef_m, truth.vel_ecef_mps, truth.rcs_m2,
                                        [self.rngs.stream(f"sensor/{site.sensor_id}") for site in sites], index)
        bank = self.trackers
        if not len(scans) and not bank.has_tracks(index):
            return out  # empty scans of empty trackers change nothing
        # each report's threat label (None for a false alarm: index −1 picks the trailing None)
        labels_of = np.array((*truth.ids, None), dtype=object)[scans.truth_index]
        book = self._scan_marks
        row = book[0].row
        nation_of = np.array([row.get(site.owner, -1) for site in sites], dtype=np.int64)[scans.sensor]
        known = (nation_of >= 0).all()  # (every owner a nation of the scenario: always, so far)
        serial = report_serials(truth, scans.truth_index)
        # the reports whose threat their nation has not detected yet (all reports of real threats when an owner is
        # not a nation of the scenario)
        out.extend(self._first_detections(sites, t_s, scans, labels_of,
                                          np.flatnonzero(~book[0].held(nation_of, serial)) if known
                                          else np.flatnonzero(scans.truth_index >= 0)))
        meas_sensor = index[scans.sensor]
        report = bank.step(t_s, index, scans.z_ecef_m, scans.R_ecef, meas_sensor)
        sensor_ids, labels = self._radar_ids, self.track_labels
        # a radar's reports are consecutive rows: update each radar's track labels in one call
        tom = report.track_of_measurement
        updated = tom >= 0
        bounds = np.concatenate([[0], np.cumsum(updated)])[scans.offsets].tolist()
        tids, labs = tom[updated].tolist(), labels_of[updated].tolist()
        for k, i in enumerate(index.tolist()):
            if bounds[k + 1] > bounds[k]:
                labels[sensor_ids[i]].update(zip(tids[bounds[k]:bounds[k + 1]], labs[bounds[k]:bounds[k + 1]],
                                                 strict=True))
        new_labels = labels_of[report.new_from_measurement].tolist()
        for tid, s, label in zip(report.new_ids.tolist(), report.new_sensor.tolist(), new_labels, strict=True):
            labels[sensor_ids[s]][tid] = label
        for tid, s in zip(report.deleted_ids.tolist(), report.deleted_sensor.tolist(), strict=True):
            labels[sensor_ids[s]].pop(tid, None)
        # a first track needs a threat its nation holds no own track of, the threat of a report of this instant or
        # of a track confirmed at it (see `_first_own_tracks`): those, per nation
        held = self._own_tracked
        unheld = (np.flatnonzero(~book[1].held(nation_of, serial)) if known
                  else np.arange(len(scans)))
        owner_of = dict(zip(index.tolist(), (site.owner for site in sites), strict=True))
        fresh: dict[str, set[str | None]] = {}
        for k, label in zip(scans.sensor[unheld].tolist(), labels_of[unheld].tolist(), strict=True):
            fresh.setdefault(sites[k].owner, set()).add(label)
        for tid, s in zip(report.confirmed_ids.tolist(), report.confirmed_sensor.tolist(), strict=True):
            label = labels[sensor_ids[s]].get(tid)
            if label not in held.get(owner_of[s], ()):
                fresh.setdefault(owner_of[s], set()).add(label)
        if any(labels_new.difference(held.get(nation, ()), (None,)) for nation, labels_new in fresh.items()):
            out.extend(self._first_own_tracks(index, owner_of, t_s, fresh))
        return out

    def _first_own_tracks(self, index: np.ndarray, owner: dict[int, str], t_s: float,
                          fresh: dict[str, set[str | None]]) -> list[ev.Event]:
        """First-track markers of the confirmed tracks of the radars just scanned (tracker-bank indices `index`,
        their nations `owner` by index), in track creation order, given the labels `fresh` per nation that can be
        new. Every confirmed track already held by its nation (as a first track of its label) stays so until its
        label changes or it is deleted, and its label changes only to the label of a report of this instant; so a
        new (nation, label) is the label of a report or of a track confirmed at this instant that the nation holds
        no own track of: the caller's `fresh`. The confirmed tracks are looked at one by one, only those of a fresh
        label further."""
        tids, sensors = (a.tolist() for a in self.trackers.confirmed(index))
        by_index = [self.track_labels[sid] for sid in self._radar_ids]
        out: list[ev.Event] = []
        sensor_ids = self._radar_ids
        for tid, s, label in zip(tids, sensors, map(dict.get, map(by_index.__getitem__, sensors), tids), strict=True):
            if label is not None and label in fresh.get(owner[s], ()):
                out.extend(self._mark_first_track(t_s, owner[s], label, self._local_keys[sensor_ids[s]][tid], "own",
                                                  "own"))
        return out

    def _first_detections(self, sites: list[SensorSite], t_s: float, scans: RadarScans, labels_of: np.ndarray,
                          rows: np.ndarray) -> list[ev.Event]:
        """A first-detection marker for each (nation, threat) first detected now, in report order, given the
        report rows `rows` (in order) that can be new: those the caller found not among their nation's detected
        threats (`ThreatMarks`; a false alarm is never new). Only those are looked at, one by one (two radars of
        a nation may report one new threat)."""
        if not rows.size:
            return []
        owners = [site.owner for site in sites]
        out: list[ev.Event] = []
        for k, label in zip(scans.sensor[rows].tolist(), labels_of[rows].tolist(), strict=True):
            seen = self._detected.setdefault(owners[k], set())
            if label not in seen:
                seen.add(label)
                out.append(ev.FirstDetection(t_s=t_s, visible_to=ev.visibility(), threat_id=label,
                                             nation=owners[k], sensor_id=sites[k].sensor_id))
        return out

    def _mark_first_track(self, t_s: float, nation: str, label: str | None, track_id: str, source: str,
                          kind: str) -> list[ev.Event]:
        """A first-track marker of `label` for `nation`, once per (nation, threat, kind): kind "own" for the
        nation's own track (source "own"), "partner" for a partner's (source its nation id, which may be any
        valid id, "own" too)."""
        if label is None or (nation, label, kind) in self._first_track:
            return []
        self._first_track.add((nation, label, kind))
        (self._own_tracked if kind == "own" else self._partner_tracked)[nation].add(label)
        return [ev.FirstTrack(t_s=t_s, visible_to=ev.visibility(), threat_id=label, nation=nation,
                              track_id=track_id, source=source)]

    # --- space-based warning ---------------------------------------------------------------------------------
    def space_scan(self, site: SensorSite, t_s: float, launches: dict[str, Any]) -> list[ev.Event]:
        """Launch warnings of a space sensor at `t_s`, to its owner nation."""
        assert isinstance(site.model, SpaceWarningSensor)
        if not launches["ids"]:
            return []
        launch_t, burnout_t, launch_ecef, heading = self._launch_columns.arrays(launches)
        warnings = site.model.scan(t_s, launch_t, burnout_t, launch_ecef, heading,
                                   self.rngs.stream(f"sensor/{site.sensor_id}"))
        out: list[ev.Event] = []
        for w in warnings:
            self._warnings += 1
            out.append(ev.LaunchWarning(t_s=t_s, visible_to=ev.visibility(site.owner), nation=site.owner,
                                        sensor_id=site.sensor_id, warning_id=f"{site.sensor_id}/W{self._warnings}",
                                        launch_t_s=float(launch_t[w.threat_index]),
                                        lat_deg=w.launch_lat_deg, lon_deg=w.launch_lon_deg,
                                        heading_deg=float(np.degrees(w.heading_rad)),
                                        position_sigma_m=w.position_sigma_m))
        return out

    # --- fusion and pictures ---------------------------------------------------------------------------------
    def _predict(self, x: np.ndarray, P: np.ndarray, model: np.ndarray, dt_s: float) -> tuple[np.ndarray, ...]:
        if dt_s <= 0.0 or len(x) == 0:
            return x, P
        return self.filter.predict(x, P, model, dt_s)

    def _above_ground(self, src: SourceTracks) -> SourceTracks:
        """Drop tracks predicted below the ground: what they followed has come down."""
        if not src.keys:
            return src
        keep = _airborne(src.x)
        if keep.all():
            return src
        rows = np.flatnonzero(keep).tolist()
        return SourceTracks(src.origin, _items(src.keys, rows), src.x[keep], src.P[keep], src.classification[keep],
                            _items(src.sensor_ids, rows), _items(src.labels, rows))

    def _own_sources(self, nation: str, t_s: float) -> list[SourceTracks]:
        """The confirmed local tracks of each of the nation's radars predicted to t_s (all radars' in one bank
        call) and still above the ground (`_airborne`), one source per radar in scenario order."""
        sites = self._own_radars[nation]
        if not sites:
            return []
        index = self._own_index[nation]
        tracks = self.trackers.confirmed_predicted(index, t_s)
        up = _airborne(tracks.state)
        if not up.all():
            up = np.flatnonzero(up)
            sensor, state, cov, cls = tracks.sensor[up], tracks.state[up], tracks.cov[up], tracks.classification[up]
            ids = tracks.ids[up].tolist()
        else:
            sensor, state, cov, cls = tracks.sensor, tracks.state, tracks.cov, tracks.classification
            ids = tracks.ids.tolist()
        # a radar's tracks are consecutive rows, radars in `index` order: each radar's rows from the counts
        bounds = np.concatenate([[0], np.cumsum(np.bincount(sensor, minlength=max(index) + 1)[index])]).tolist()
        sources = []
        for site, start, stop in zip(sites, bounds[:-1], bounds[1:], strict=True):
            if stop > start:
                sid = site.sensor_id
                own = ids[start:stop]
                keys = self._local_keys[sid].of(own)  # "<sensor>/<local id>"
                sources.append(SourceTracks("own", keys, state[start:stop], cov[start:stop], cls[start:stop],
                                            (sid,) * len(own), tuple(map(self.track_labels[sid].get, own))))
        return sources

    def _partner_sources(self, nation: str, t_s: float) -> list[SourceTracks]:
        sources = []
        for sender in self.nations:
            rel = self.received[nation].get(sender)
            if rel is None or not rel.source.keys:
                continue
            src = rel.source
            x, P = self._predict(src.x, src.P, rel.model, t_s - rel.t_s)
            sources.append(SourceTracks(sender, src.keys, x, P, src.classification, src.sensor_ids, src.labels))
        return sources

    def picture_time(self, t_s: float) -> list[ev.Event]:
        """Fuse every nation's picture at `t_s`; emit the pictures and the controller's truth snapshot. The
        impact predictions of every nation's ballistic tracks are made in one batch and kept in `impacts`."""
        out: list[ev.Event] = []
        labels: dict[str, dict[str, str | None]] = {}
        for nation in self.nations:
            sources = self._own_sources(nation, t_s) + [self._above_ground(src) for src in
                                                        self._partner_sources(nation, t_s)]
            self.pictures[nation] = self.fusion[nation].fuse(t_s, sources)
            self.picture_t_s[nation] = t_s
        self.impacts = impact_rows(self.pictures, t_s)
        for nation in self.nations:
            picture = self.pictures[nation]
            ids = self._track_ids[nation].of(picture.number.tolist())
            entries = picture_entries(nation, picture, t_s, self.impacts[nation], ids)
            labels[nation] = dict(zip(ids, picture.label, strict=True))
            out.append(ev.AirPicture(t_s=t_s, visible_to=ev.visibility(nation), nation=nation, tracks=entries))
        truth = self.truth.states(t_s)
        threats: tuple[dict[str, Any], ...] = ()
        if len(truth):
            lat, lon, alt = (np.asarray(a).tolist() for a in ecef_to_geodetic(truth.pos_ecef_m))
            ecef = zip(*truth.pos_ecef_m.T.tolist(), strict=True)  # tuples (see `picture_entries`)
            threats = tuple([{"id": tid, "lat_deg": la, "lon_deg": lo, "alt_m": al, "ecef_m": e}
                             for tid, la, lo, al, e in zip(truth.ids, lat, lon, alt, ecef, strict=True)])
        out.append(ev.TruthSnapshot(t_s=t_s, visible_to=ev.visibility(), threats=threats, labels=labels))
        return out

    # --- data link -------------------------------------------------------------------------------------------
    def release(self, agreement: Any) -> _Release:
        """What `agreement.from_nation` sends now: its latest picture's own-sensor tracks, filtered by the
        agreement, with their states as of that picture's time."""
        sender = agreement.from_nation
        picture = self.pictures[sender]
        how = (agreement.release, bool(agreement.release_sensor_location))
        made = self._released.get(sender)
        if made is None or made[0] is not picture:
            made = self._released[sender] = (picture, {})
        sent = made[1].get(how)
        if sent is None:
            sent = made[1][how] = self._release_of(sender, picture, *how)
        return _Release(sender, self.picture_t_s[sender], *sent)

    def _release_of(self, sender: str, picture: FusedPicture, release: str,
                    with_sensors: bool) -> tuple[SourceTracks, NDArray[np.int8]]:
        """The tracks of `picture` (the sender's) that a release of kind `release` sends (see `release`), and
        their motion models."""
        send = np.fromiter(["own" in o for o in picture.origins], bool, len(picture))
        if release == "ballistic":
            send &= picture.classification == _BALLISTIC
        elif release == "none":
            send[:] = False
        rows = np.flatnonzero(send)
        r = rows.tolist()
        cls = picture.classification[rows]
        src = SourceTracks(
            sender, self._link_keys[sender].of(picture.number[rows].tolist()), picture.x[rows], picture.P[rows],
            cls, _items(picture.sensor_id, r) if with_sensors else (None,) * len(r), _items(picture.label, r),
        )
        # (plain ints: numpy takes IntEnum members through a slow conversion)
        model = np.where(cls == _BALLISTIC, _MODEL_BALLISTIC, _MODEL_CV).astype(np.int8)
        for column in (src.x, src.P, src.classification, model):  # one release goes to every receiver: read-only
            column.flags.writeable = False
        return src, model

    def deliver(self, receiver: str, release: _Release, t_s: float) -> list[ev.Event]:
        """A partner's release arrives at `receiver` at `t_s` (its states are as of the send time)."""
        self.received[receiver][release.sender] = release
        out: list[ev.Event] = []
        labels = release.source.labels
        # the threats the receiver has had no partner's track of: only their tracks can be first ones
        fresh = set(labels).difference(self._partner_tracked[receiver])
        fresh.discard(None)
        if not fresh:
            return out
        for key, label in zip(release.source.keys, labels, strict=True):
            if label in fresh:
                fresh.discard(label)
                out.extend(self._mark_first_track(t_s, receiver, label, key, release.sender, "partner"))
        return out


def _airborne(x: np.ndarray) -> np.ndarray:
    """Which states (k, 6) are not yet `GROUND_CLEARANCE_M` below the ellipsoid: the others have come down
    (`impact.above_altitude`: only points near or inside the sphere of the equatorial radius need their geodetic
    altitude)."""
    return above_altitude(x, GROUND_CLEARANCE_M)


def _items(table: Any, keys: list[Any]) -> tuple[Any, ...]:
    """`table[k]` for each of `keys`, as a tuple (`operator.itemgetter` looks them up in C; it gives a tuple only
    for two keys or more)."""
    if len(keys) > 1:
        return itemgetter(*keys)(table)
    return (table[keys[0]],) if keys else ()


class _Impact:
    """The fields of an entry's impact (`events.AirPicture`), set in this order: an impact is the `__dict__` of one
    (a plain dict; see `_Entry`)."""

    lat_deg: float
    lon_deg: float
    t_s: float
    time_to_impact_s: float
    semi_major_m: float
    semi_minor_m: float
    orientation_deg: float


def impact_rows(pictures: dict[str, FusedPicture], t_s: float) -> dict[str, dict[int, dict[str, float]]]:
    """Per nation, per fused track number: the predicted impact (point, time and 95 % ellipse; the `impact` of
    `events.AirPicture` entries) of every ballistic track of the pictures at `t_s` that has one. All nations'
    tracks go through one `predict_impact` call."""
    rows = [np.flatnonzero(picture.classification == _BALLISTIC) for picture in pictures.values()]
    if not any(r.size for r in rows):
        return {nation: {} for nation in pictures}
    ipp = predict_impact(np.concatenate([p.x[r] for p, r in zip(pictures.values(), rows, strict=True)]),
                         np.concatenate([p.P[r] for p, r in zip(pictures.values(), rows, strict=True)]), t_s)
    numbers = np.concatenate([p.number[r] for p, r in zip(pictures.values(), rows, strict=True)])
    columns = np.stack((ipp.impact_lat_deg, ipp.impact_lon_deg, ipp.impact_t_s, ipp.time_to_impact_s,
                        ipp.semi_major_m, ipp.semi_minor_m, ipp.major_axis_azimuth_deg))
    # the valid rows' impacts in one list, nation after nation; each nation's its slice of it
    sizes = [r.size for r in rows]
    if not ipp.valid.all():
        sizes = np.bincount(np.repeat(np.arange(len(rows)), sizes)[ipp.valid], minlength=len(rows))
        numbers, columns = numbers[ipp.valid], columns[:, ipp.valid]
    impacts = []
    add = impacts.append
    for lat, lon, t, tti, major, minor, azimuth in zip(*columns.tolist(), strict=True):
        i = _Impact()
        i.lat_deg = lat
        i.lon_deg = lon
        i.t_s = t
        i.time_to_impact_s = tti
        i.semi_major_m = major
        i.semi_minor_m = minor
        i.orientation_deg = azimuth
        add(i.__dict__)
    numbers_of = numbers.tolist()
    bounds = [0, *np.cumsum(sizes).tolist()]
    return {nation: dict(zip(numbers_of[start:stop], impacts[start:stop], strict=True))
            for nation, start, stop in zip(pictures, bounds[:-1], bounds[1:], strict=True)}


class _Entry:
    """The fields of a picture entry (`events.AirPicture`), set in this order: an entry is the `__dict__` of one
    (a plain dict). Why: the instances of a class share one key table (CPython's key-sharing dictionaries, PEP 412),
    so each entry holds only its 14 values: 184 bytes instead of a dict display's 464, made in about half the time
    (0.09 against 0.16 s for a run's 121,000 entries), and a run keeps every entry in its journal."""

    track_id: str
    source: str
    held_by: tuple[str, ...]
    classification: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    ecef_m: tuple[float, float, float]
    vel_ecef_mps: tuple[float, float, float]
    speed_mps: float
    pos_sigma_m: float
    first_t_s: float
    sensor: str | None
    impact: dict[str, float] | None


def picture_entries(nation: str, picture: FusedPicture, t_s: float,
                    impacts: dict[int, dict[str, float]] | None = None,
                    ids: Sequence[str] | None = None) -> tuple[dict[str, Any], ...]:
    """The journal/console form of a national picture (see `events.AirPicture`), with the predicted impact point,
    time and 95 % ellipse of every ballistic track (`impacts` by track number, as from `impact_rows`; computed
    here when not given) and the track ids `ids` (in picture order, as from `track_names`; made here when not
    given). Built column by column, with as few objects that the garbage collector must visit
    as can be (a run keeps every entry in its journal, and each collection walks those): `ecef_m`,
    `vel_ecef_mps` and `held_by` (the track's origins, shared) are tuples, lists in the journal form all the
    same (`events.Event.record`)."""
    if not len(picture):
        return ()
    if impacts is None:
        impacts = impact_rows({nation: picture}, t_s)[nation]
    x = picture.x
    lat, lon, alt, speed, sigma = entry_columns(x, picture.P, WGS84.a_m, WGS84.a_m**2, WGS84.e2,
                                                WGS84.is_sphere).tolist()
    px, py, pz, vx, vy, vz = x.T.tolist()
    pos, vel = zip(px, py, pz, strict=True), zip(vx, vy, vz, strict=True)
    numbers = picture.number.tolist()
    if ids is None:
        ids = track_names(nation).of(numbers)
    sources = ["own" if "own" in o else o[0] for o in picture.origins]
    classes = _items(CLASS_NAMES, picture.classification.tolist())
    impact = list(map(impacts.get, numbers))
    entries = []
    add = entries.append
    for tid, src, held, cls, la, lo, al, p, v, sp, sg, first, sensor, imp in zip(
            ids, sources, picture.origins, classes, lat, lon, alt, pos, vel, speed, sigma, picture.first_t_s,
            picture.sensor_id, impact, strict=True):
        e = _Entry()
        e.track_id = tid
        e.source = src
        e.held_by = held
        e.classification = cls
        e.lat_deg = la
        e.lon_deg = lo
        e.alt_m = al
        e.ecef_m = p
        e.vel_ecef_mps = v
        e.speed_mps = sp
        e.pos_sigma_m = sg
        e.first_t_s = first
        e.sensor = sensor
        e.impact = imp
        add(e.__dict__)
    return tuple(entries)
