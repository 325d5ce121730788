"""The sensor network of a run: ground radars and space-based launch warning built from the scenario.

Each radar scans once per revisit (a snapshot of everything in view at the scan time), starting at a phase drawn
from its own random stream, so radars are not all synchronised. The phase is one of a few equally spaced slots
of the revisit, not any real number: radars of one revisit then share a few scan instants, at which the engine
scans them together (ground truth evaluated once, their local trackers stepped in one batch). There are as many
slots as whole picture periods fit in the revisit, at most `PHASE_SLOTS` (0, ¼, ½, ¾ of the revisit): a radar
that looks at least once per picture period gains nothing downstream from a staggered phase, so such radars
(fire-control radars, typically) all look in step. The slot times are exact binary fractions, so repeated
additions of the revisit land on the same instants. Outage orders (scripted or from the white cell)
silence a sensor for a while. A space-based launch warning cues its nation's early-warning radars: for
`CUE_DURATION_S` they look twice as often (a notional burst of search effort toward the reported launch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from amdx.engine.rng import RngStreams
from amdx.sensors.radar import Radar
from amdx.sensors.space_warning import SpaceWarningSensor

CUE_DURATION_S = 180.0
PHASE_SLOTS = 4
"""Scan phases are drawn from this many equally spaced slots of the revisit."""


@dataclass
class SensorSite:
    """One scenario sensor with its model, owner and outage windows."""

    sensor_id: str
    owner: str
    kind: str  # early_warning | fire_control | space_warning
    revisit_s: float
    model: Radar | SpaceWarningSensor
    first_scan_t_s: float
    outages: list[tuple[float, float]] = field(default_factory=list)
    cued_until_t_s: float = -1.0

    def next_scan_t_s(self, t_s: float) -> float:
        """When the sensor looks again after a look at `t_s`: a cued radar looks twice as often."""
        return t_s + (0.5 * self.revisit_s if t_s < self.cued_until_t_s else self.revisit_s)

    def out_at(self, t_s: float) -> bool:
        """Whether a scripted outage silences the sensor at `t_s`."""
        return any(start <= t_s < end for start, end in self.outages)


def phase_slots(revisit_s: float, picture_period_s: float) -> int:
    """How many scan phases a radar of this revisit may take: one per whole picture period in the revisit (a
    power of two, so the phases stay exact binary fractions), at least 1 and at most `PHASE_SLOTS`."""
    fit = max(1, min(PHASE_SLOTS, math.floor(revisit_s / picture_period_s)))
    return 1 << (fit.bit_length() - 1)


def build_sensor_sites(scenario: Any, rngs: RngStreams) -> list[SensorSite]:
    """The scenario's sensors with their models, in scenario order."""
    sites = []
    for sensor in scenario.sensors:
        stype = scenario.sensor_type(sensor.type)
        model: Radar | SpaceWarningSensor
        if stype.kind == "space_warning":
            model = SpaceWarningSensor(sensor.id, stype)
        else:
            model = Radar.from_sensor(sensor, stype, detection_model=stype.detection_model,
                                      n_pulses=stype.pulses_integrated,
                                      range_rate_sigma_mps=stype.range_rate_sigma_mps)
        slots = phase_slots(stype.revisit_s, scenario.exercise.picture_period_s)
        slot = math.floor(float(rngs.stream(f"sensor/{sensor.id}/phase").uniform(0.0, slots)))
        phase = stype.revisit_s * min(slot, slots - 1) / slots
        sites.append(SensorSite(sensor.id, sensor.owner, stype.kind, float(stype.revisit_s), model, phase))
    return sites
