"""Flight models: ballistic (boost, Kepler free flight, reentry drag) and waypoint routes; pure, vectorised."""

from amdx.flight.ballistic import (
    BallisticSolution,
    BoostModel,
    FreeFlight,
    UnreachableAim,
    fly_free,
    solve_ballistic,
)
from amdx.flight.flights import BallisticFlights
from amdx.flight.kepler import KeplerOrbits, solve_kepler
from amdx.flight.route import RouteFlight

__all__ = [
    "BallisticFlights",
    "BallisticSolution",
    "BoostModel",
    "FreeFlight",
    "KeplerOrbits",
    "RouteFlight",
    "UnreachableAim",
    "fly_free",
    "solve_ballistic",
    "solve_kepler",
]
