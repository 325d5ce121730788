"""A nation's air-defence doctrine: weapons control, rules of engagement, engagement authority, fire doctrine,
and how long its automated commanders take to decide.

Every field has a default, so a scenario states only where its nation departs from common practice. A battery
may override the weapons control status, the engagement authority and the fire doctrine of its nation
(``Battery`` in ``models.py``). Times are seconds; decision times are log-normal with the given median.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict

from amdx.scenario.fields import Count, Expect, FrozenModel, Kilometres, PositiveSeconds, Probability, Seconds

WeaponsControlStatus = Literal["free", "tight", "hold"]
"""Weapons free: fire at any track not identified as friendly; tight: only at tracks identified hostile; hold: do
not fire."""

EngagementAuthority = Literal["central", "delegated"]
"""Central: the national command node decides every engagement; delegated: each battery decides its own."""

FireDoctrine = Literal["shoot_look_shoot", "salvo"]
"""Shoot-look-shoot: one interceptor, assess, shoot again if the battlespace allows it (a salvo when it does not);
salvo: always fire `salvo_size` interceptors at once."""

TrackClass = Literal["ballistic", "air_breathing"]

LogSigma = Annotated[float, Strict(), Field(ge=0.0, le=3.0), Expect("a log-normal sigma in [0, 3]")]


class DecisionTime(FrozenModel):
    """A log-normal decision time: median and the standard deviation of its logarithm."""

    median_s: PositiveSeconds = Field(description="Median decision time, s.")
    log_sigma: LogSigma = Field(0.5, description="Standard deviation of the natural log of the time.")


class RulesOfEngagement(FrozenModel):
    """Who may engage what, and when a track may be declared hostile."""

    engage: tuple[TrackClass, ...] = Field(
        ("ballistic", "air_breathing"), min_length=1, description="Track classes that may be engaged."
    )
    defend_partner_assets: bool = Field(True, description="Whether batteries may engage threats to a partner's assets.")
    ballistic_is_hostile: bool = Field(
        True, description="Whether a ballistic missile track is declared hostile as soon as it is identified."
    )
    hostile_air_range_km: Kilometres = Field(
        150.0, description="An air-breathing track closing on a defended asset within this range is hostile, km."
    )
    min_threat_probability: Probability = Field(
        0.05, description="Least probability of hitting a defended asset for which a track is engaged."
    )


class Doctrine(FrozenModel):
    """A nation's air-defence doctrine (defaults: weapons tight, central authority, shoot-look-shoot)."""

    weapons_control_status: WeaponsControlStatus = Field("tight", description="Weapons control status.")
    engagement_authority: EngagementAuthority = Field(
        "central", description="central: the national command node decides; delegated: each battery decides."
    )
    fire_doctrine: FireDoctrine = Field("shoot_look_shoot", description="shoot_look_shoot or salvo.")
    salvo_size: Count = Field(2, description="Interceptors per engagement when a salvo is fired.")
    layered: bool = Field(True, description="Upper tier first; the lower tier engages what the upper tier cannot.")
    accept_partner_requests: bool = Field(True, description="Whether requests to engage for a partner are accepted.")
    allow_duplicate_engagement: bool = Field(
        False, description="Whether this nation engages a threat that a partner nation already engages."
    )
    roe: RulesOfEngagement = Field(default_factory=RulesOfEngagement, description="Rules of engagement.")
    identification_time: DecisionTime = Field(
        default_factory=lambda: DecisionTime(median_s=8.0, log_sigma=0.4),
        description="Time the identification authority takes to identify a new track.",
    )
    decision_time: DecisionTime = Field(
        default_factory=lambda: DecisionTime(median_s=20.0, log_sigma=0.5),
        description="Time an engagement authority takes to approve or deny an engagement.",
    )
    unanswered_decision: Literal["approve", "deny"] = Field(
        "approve", description="What doctrine decides when a human engagement authority does not answer in time."
    )
    kill_assessment_delay_s: Seconds = Field(8.0, description="Time from an intercept to its kill assessment, s.")
    kill_assessment_error_probability: Probability = Field(
        0.05, description="Probability that a kill assessment is wrong (a kill missed or a miss called a kill)."
    )
