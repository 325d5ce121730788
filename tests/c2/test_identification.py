"""The automated identification rule and weapons control, against the decision table of the module docstring."""

from __future__ import annotations

import math

import pytest

from amdx.c2.identification import IDENTITIES, WEAPONS_CONTROL, automatic_identity, weapons_control_allows

# weapons control status × identity → may fire (free: anything not friend / assumed friend; tight: hostile only;
# hold: nothing), written out by hand
FIRE_TABLE = {
    ("free", "pending"): True, ("free", "unknown"): True, ("free", "assumed_friend"): False,
    ("free", "friend"): False, ("free", "suspect"): True, ("free", "hostile"): True,
    ("tight", "pending"): False, ("tight", "unknown"): False, ("tight", "assumed_friend"): False,
    ("tight", "friend"): False, ("tight", "suspect"): False, ("tight", "hostile"): True,
    ("hold", "pending"): False, ("hold", "unknown"): False, ("hold", "assumed_friend"): False,
    ("hold", "friend"): False, ("hold", "suspect"): False, ("hold", "hostile"): False,
}


def test_the_table_covers_every_status_and_identity():
    assert set(IDENTITIES) == {"pending", "unknown", "assumed_friend", "friend", "suspect", "hostile"}
    assert set(WEAPONS_CONTROL) == {"free", "tight", "hold"}
    assert set(FIRE_TABLE) == {(s, i) for s in WEAPONS_CONTROL for i in IDENTITIES}


@pytest.mark.parametrize(("status", "identity"), sorted(FIRE_TABLE))
def test_weapons_control_decision_table(status, identity):
    allowed, why = weapons_control_allows(status, identity)
    assert allowed is FIRE_TABLE[(status, identity)]
    if allowed:
        assert why == ""
    else:
        assert why  # a refusal always says why
        if status == "hold":
            assert "hold" in why
        elif status == "tight":
            assert "tight" in why and identity in why
        else:  # free, refused only for friendly identities, named in plain words
            assert identity.replace("_", " ") in why


HOSTILE_AIR_RANGE_M = 80e3


@pytest.mark.parametrize("ballistic_is_hostile", [True, False])
@pytest.mark.parametrize("threatens", [True, False])
@pytest.mark.parametrize("range_m", [0.0, 50e3, 500e3, math.inf])
def test_ballistic_tracks_follow_the_roe_rule_alone(ballistic_is_hostile, threatens, range_m):
    identity, basis = automatic_identity("ballistic", threatens, range_m, ballistic_is_hostile, HOSTILE_AIR_RANGE_M)
    assert identity == ("hostile" if ballistic_is_hostile else "suspect")
    assert "ballistic" in basis
    assert ("ROE" in basis) is ballistic_is_hostile


@pytest.mark.parametrize("ballistic_is_hostile", [True, False])
@pytest.mark.parametrize(("range_m", "expected"), [
    (0.0, "hostile"),
    (30e3, "hostile"),
    (HOSTILE_AIR_RANGE_M, "hostile"),  # "within" the range includes its edge
    (HOSTILE_AIR_RANGE_M + 1.0, "suspect"),
    (400e3, "suspect"),
])
def test_threatening_air_breathing_tracks_are_hostile_inside_the_roe_range(ballistic_is_hostile, range_m, expected):
    identity, basis = automatic_identity("air-breathing", True, range_m, ballistic_is_hostile, HOSTILE_AIR_RANGE_M)
    assert identity == expected
    assert basis
    if expected == "hostile":
        assert f"{range_m / 1000:.0f} km" in basis


@pytest.mark.parametrize("classification", ["air-breathing", "unknown"])
@pytest.mark.parametrize("range_m", [0.0, 10e3, math.inf])
@pytest.mark.parametrize("ballistic_is_hostile", [True, False])
def test_non_threatening_or_unclassified_tracks_stay_unknown(classification, range_m, ballistic_is_hostile):
    # an air-breathing track that threatens nothing, even close to an asset, stays unknown; an unclassified
    # track is unknown whatever threat evaluation says
    for threatens in ([False] if classification == "air-breathing" else [False, True]):
        identity, basis = automatic_identity(classification, threatens, range_m, ballistic_is_hostile,
                                             HOSTILE_AIR_RANGE_M)
        assert identity == "unknown"
        assert basis == "no threatening behaviour"


def test_identities_chain_into_weapons_control():
    # a ballistic track under the hostile ROE may be fired on when weapons tight; without that rule it is suspect
    # and only weapons free allows it; a probing aircraft (unknown) only weapons free
    hostile, _ = automatic_identity("ballistic", True, 1e5, True, HOSTILE_AIR_RANGE_M)
    suspect, _ = automatic_identity("ballistic", True, 1e5, False, HOSTILE_AIR_RANGE_M)
    probing, _ = automatic_identity("air-breathing", False, math.inf, True, HOSTILE_AIR_RANGE_M)
    assert weapons_control_allows("tight", hostile)[0]
    assert not weapons_control_allows("tight", suspect)[0] and weapons_control_allows("free", suspect)[0]
    assert not weapons_control_allows("tight", probing)[0] and weapons_control_allows("free", probing)[0]
    for identity in (hostile, suspect, probing):
        assert identity in IDENTITIES
        assert not weapons_control_allows("hold", identity)[0]
