"""Identification and weapons control: what an automated identification authority calls a track, and whether
a weapons control status lets a battery fire at a track of a given identity.

Identities follow the usual air-defence set: pending (not yet identified), unknown, assumed friend, friend,
suspect, hostile. The automated rule (notional, stated in the rules of engagement):
- a ballistic-missile track is hostile when the ROE say so (`ballistic_is_hostile`), else suspect;
- an air-breathing track that threatens a defended asset (its straight-line closest approach falls inside the
  asset's radius with some probability) is hostile within the ROE's `hostile_air_range_km` of that asset and
  suspect further out;
- anything else is unknown (a probing aircraft that threatens nothing stays unknown).

Weapons control status: free — fire at any track not identified as friend or assumed friend; tight — fire only
at tracks identified hostile; hold — do not fire.
"""

from __future__ import annotations

IDENTITIES = ("pending", "unknown", "assumed_friend", "friend", "suspect", "hostile")
FRIENDLY = frozenset({"friend", "assumed_friend"})
WEAPONS_CONTROL = ("free", "tight", "hold")


def automatic_identity(classification: str, threatens: bool, range_to_threatened_m: float,
                       ballistic_is_hostile: bool, hostile_air_range_m: float) -> tuple[str, str]:
    """The automated identity of a track and its basis.

    Args:
        classification: the track's classification ("ballistic", "air-breathing" or "unknown").
        threatens: whether threat evaluation finds that it threatens a defended asset.
        range_to_threatened_m: ground range from the track to the nearest asset it threatens, m (inf if none).
        ballistic_is_hostile: the ROE rule for ballistic-missile tracks.
        hostile_air_range_m: the ROE range inside which a threatening air-breathing track is hostile, m.
    """
    if classification == "ballistic":
        if ballistic_is_hostile:
            return "hostile", "ballistic missile trajectory (ROE: ballistic missiles are hostile)"
        return "suspect", "ballistic missile trajectory"
    if classification == "air-breathing" and threatens:
        if range_to_threatened_m <= hostile_air_range_m:
            return "hostile", f"closing on a defended asset, {range_to_threatened_m / 1000:.0f} km out"
        return "suspect", "heading for a defended asset"
    return "unknown", "no threatening behaviour"


def weapons_control_allows(status: str, identity: str) -> tuple[bool, str]:
    """Whether weapons control `status` lets a battery fire at a track of `identity`, and why not."""
    if status == "hold":
        return False, "weapons hold"
    if status == "tight" and identity != "hostile":
        return False, f"weapons tight and the track is {identity}, not hostile"
    if identity in FRIENDLY:
        return False, f"the track is identified {identity.replace('_', ' ')}"
    return True, ""
