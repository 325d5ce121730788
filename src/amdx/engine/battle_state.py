"""The state of the battle: batteries and their inventory, tracks as the nations hold them, proposals and
engagements. Plain records; `battle.py` and `fire.py` change them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amdx.c2.envelope import Envelope
from amdx.geo import geodetic_to_ecef

LAUNCH_SPACING_S = 2.0
"""Time between the interceptors of one salvo, s."""


@dataclass
class BatteryState:
    """A battery in play: its scenario record, type, envelope, site and rounds."""

    spec: Any
    itype: Any
    envelope: Envelope
    site_ecef_m: NDArray[np.float64]
    loaded: list[int]
    reload_done_t_s: list[float]
    wcs_override: str | None
    authority: str
    fire_doctrine: str
    reserve: int = 0
    reloading: dict[int, int] = field(default_factory=dict)  # launcher -> rounds on the way

    @classmethod
    def from_spec(cls, battery: Any, scenario: Any, doctrine: Any) -> BatteryState:
        itype = scenario.interceptor_type(battery.type)
        site = np.asarray(geodetic_to_ecef(battery.lat_deg, battery.lon_deg, battery.alt_m), dtype=np.float64)
        return cls(battery, itype, Envelope.from_interceptor(itype), site.reshape(3),
                   [int(battery.rounds_per_launcher)] * int(battery.launchers), [0.0] * int(battery.launchers),
                   battery.weapons_control_status, battery.engagement_authority or doctrine.engagement_authority,
                   battery.fire_doctrine or doctrine.fire_doctrine, int(battery.reserve_rounds))

    @property
    def id(self) -> str:
        return str(self.spec.id)

    @property
    def nation(self) -> str:
        return str(self.spec.owner)

    @property
    def rounds(self) -> int:
        """Interceptors loaded on the launchers."""
        return sum(self.loaded)

    def to_reload(self) -> list[int]:
        """Start reloading every empty launcher the magazine can fill; the launchers started (0-based)."""
        started = []
        for k, r in enumerate(self.loaded):
            if r == 0 and k not in self.reloading and self.reserve > 0:
                n = min(int(self.spec.rounds_per_launcher), self.reserve)
                self.reserve -= n
                self.reloading[k] = n
                started.append(k)
        return started

    def reload(self, launcher: int) -> int:
        """Finish reloading `launcher`; the rounds loaded."""
        n = self.reloading.pop(launcher)
        self.loaded[launcher] += n
        return n

    def give_back(self, n: int) -> None:
        """Return `n` unfired rounds: onto launchers with room (lowest index first), the rest to the magazine."""
        for k in range(len(self.loaded)):
            room = int(self.spec.rounds_per_launcher) - self.loaded[k] - self.reloading.get(k, 0)
            put = max(0, min(room, n))
            self.loaded[k] += put
            n -= put
        self.reserve += n

    def take(self, n: int) -> int:
        """Take up to `n` rounds off the launchers (fullest first, then by launcher index); how many taken."""
        taken = 0
        while taken < n:
            k = max(range(len(self.loaded)), key=lambda i: (self.loaded[i], -i))
            if self.loaded[k] == 0:
                break
            self.loaded[k] -= 1
            taken += 1
        return taken


@dataclass(slots=True)
class TrackView:
    """One track of a nation's latest picture, as its battle management sees it."""

    track_id: str
    nation: str
    x: NDArray[np.float64]
    P: NDArray[np.float64]
    classification: str
    label: str | None  # evaluation label (controller only; never used for decisions)
    keys: tuple[str, ...]
    impact: dict | None
    pos_sigma_m: float


@dataclass(slots=True)
class Verdict:
    """A threat evaluation of one track: {asset id: probability}, value at risk, time to impact (s or None)."""

    probabilities: dict[str, float]
    value_at_risk: float
    time_to_impact_s: float | None


@dataclass
class Proposal:
    """A proposed engagement awaiting its authority's decision."""

    proposal_id: str
    nation: str
    decider: str
    battery_id: str
    track_id: str
    shots: int
    latest_launch_t_s: float
    requested_by: str | None
    label: str | None
    arrives_t_s: float | None
    status: str = "pending"  # pending, approved, denied, refused, expired
    last_x: NDArray[np.float64] | None = None  # the track's state when proposed, to follow a renumbering
    last_t_s: float = 0.0
    ballistic: bool = True


@dataclass
class Engagement:
    """An approved engagement: interceptors launched or about to be, their intercepts and the assessment."""

    engagement_id: str
    nation: str
    battery_id: str
    track_id: str
    label: str | None
    shots: int
    requested_by: str | None
    single_shot_pk: float
    planned_intercept_t_s: float = 0.0
    last_x: NDArray[np.float64] | None = None  # the target's state when last seen, for following it
    last_t_s: float = 0.0
    ballistic: bool = True
    launches: list[float] = field(default_factory=list)
    intercepts: list[float] = field(default_factory=list)
    killed: bool = False
    resolved: int = 0
    status: str = "active"  # active, assessed
