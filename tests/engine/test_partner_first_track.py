"""`AirPictures.deliver`'s first-track markers against the plain rule: a nation gets one partner first-track
marker per threat, when the first release holding a track of it arrives, whatever the sender is called (a nation
may be called "own"), and a release always replaces what the receiver held from that sender."""

from __future__ import annotations

import random
import types

import numpy as np
import pytest

from amdx.engine.airpicture import AirPictures, _Release
from amdx.engine.fusion import SourceTracks


def _pictures(nations: list[str]) -> types.SimpleNamespace:
    """The state `deliver` and its marker method use, nothing else."""
    s = types.SimpleNamespace(received={n: {} for n in nations}, _first_track=set(),
                              _own_tracked={n: set() for n in nations}, _partner_tracked={n: set() for n in nations})
    s._mark_first_track = types.MethodType(AirPictures._mark_first_track, s)
    return s


@pytest.mark.parametrize("nations", [["north", "south", "east"], ["north", "south", "own"], ["own", "partner"]])
def test_one_partner_marker_per_threat_and_receiver(nations: list[str]) -> None:
    rng = random.Random(7)
    for _ in range(200):
        air = _pictures(nations)
        seen: set[tuple[str, str]] = set()
        for step in range(25):
            t = float(step)
            sender = rng.choice(nations)
            receiver = rng.choice([n for n in nations if n != sender])
            k = rng.randint(0, 4)
            labels = tuple(rng.choice(["M1", "M2", "M3", "M4", None]) for _ in range(k))
            keys = tuple(f"{sender}/{sender}.T{i:04d}" for i in range(k))
            release = _Release(sender, t, SourceTracks(sender, keys, np.zeros((k, 6)), np.zeros((k, 6, 6)),
                                                       np.zeros(k, np.int8), (None,) * k, labels), np.zeros(k, np.int8))
            if rng.random() < 0.2:  # an own track of some threat first: it does not count as a partner's
                air._mark_first_track(t, receiver, rng.choice(["M1", "M2"]), "r/T1", "own", "own")
            events = AirPictures.deliver(air, receiver, release, t)
            expected = []
            for key, label in zip(keys, labels, strict=True):
                if label is not None and (receiver, label) not in seen:
                    seen.add((receiver, label))
                    expected.append((label, receiver, key, sender))
            assert [(e.threat_id, e.nation, e.track_id, e.source) for e in events] == expected
            assert air.received[receiver][sender] is release
