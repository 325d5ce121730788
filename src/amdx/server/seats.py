"""Seats of a live exercise, what each may see and what each may order.

Seats per nation: the national commander (acting for the nation's top command node) and one operator per
battery (acting for the battery); the combined coordination cell; the white cell (exercise control, ground truth);
one observer per nation. Each seat holds a random access token. The server checks every request against this
module; the engine then checks the order itself (engagement authority, weapons control, ROE, comms, envelope).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from amdx.engine.events import CONTROLLER

WHITE_ORDERS = frozenset({"launch_ballistic", "launch_route", "sensor_outage", "comms_cut", "set_weapons_control",
                          "inject"})
COMMANDER_ORDERS = frozenset({"set_weapons_control", "engage", "deny_engagement", "identify", "request_support",
                              "assign_role"})
BATTERY_ORDERS = frozenset({"engage", "deny_engagement", "assign_role"})


@dataclass(frozen=True)
class Seat:
    """A seat: `kind` commander | battery | ccc | white | observer; `role` the node or battery it acts for."""

    seat_id: str
    kind: str
    nation: str | None
    role: str | None
    token: str

    def public(self) -> dict[str, Any]:
        """The seat as shown to its holder (without the token)."""
        data = asdict(self)
        del data["token"]
        return data


def make_seats(scenario: Any, tokens: dict[str, str] | None = None) -> list[Seat]:
    """Every seat of a scenario; `tokens` (seat id → token) keeps the tokens of an earlier start (resume)."""
    tokens = tokens or {}

    def seat(seat_id: str, kind: str, nation: str | None, role: str | None) -> Seat:
        return Seat(seat_id, kind, nation, role, tokens.get(seat_id) or secrets.token_urlsafe(18))

    seats = [seat("white", "white", None, "white")]
    if scenario.coordination_cell is not None:
        seats.append(seat("ccc", "ccc", None, scenario.coordination_cell.id))
    for nation in scenario.nations:
        top = next(c.id for c in nation.command if c.parent is None)
        seats.append(seat(f"{nation.id}.commander", "commander", nation.id, top))
        seats.extend(seat(f"{b.id}.operator", "battery", nation.id, b.id)
                     for b in scenario.batteries if b.owner == nation.id)
        seats.append(seat(f"{nation.id}.observer", "observer", nation.id, None))
    return seats


def members(scenario: Any) -> tuple[str, ...]:
    cell = scenario.coordination_cell
    return tuple(cell.members) if cell is not None else tuple(n.id for n in scenario.nations)


def can_see(seat: Seat, visible_to: list[str] | tuple[str, ...], cell_members: tuple[str, ...] = ()) -> bool:
    """Whether a seat may see a record with this visibility: the white cell sees everything; a nation's seats
    what is visible to their nation; the coordination cell what is visible to any member (never ground truth)."""
    if seat.kind == "white":
        return True
    if seat.kind == "ccc":
        return any(n in visible_to for n in cell_members)
    return seat.nation is not None and seat.nation in visible_to and seat.nation != CONTROLLER


def may_order(seat: Seat, order: dict[str, Any]) -> tuple[bool, str]:
    """Whether a seat may give an order (JSON form with `kind`), and why not. The engine checks the rest."""
    kind = order.get("kind")
    if seat.kind == "white":
        if kind in WHITE_ORDERS:
            return True, ""
        return False, f"the white cell controls the exercise; '{kind}' is a national command decision"
    if seat.kind in ("ccc", "observer"):
        return False, f"a {seat.kind} seat gives no orders"
    allowed = COMMANDER_ORDERS if seat.kind == "commander" else BATTERY_ORDERS
    if kind not in allowed:
        return False, f"a {seat.kind} seat may not give '{kind}' orders (allowed: {', '.join(sorted(allowed))})"
    if kind == "assign_role":  # a seat takes over (or hands back) its own command role only
        if order.get("role") != seat.role:
            return False, f"{seat.seat_id} may take over {seat.role} only, not {order.get('role')!r}"
        return True, ""
    if order.get("nation") != seat.nation:
        return False, f"{seat.seat_id} acts for {seat.nation}, not {order.get('nation')!r}"
    if seat.kind == "battery" and kind == "engage" and order.get("battery_id") != seat.role:
        return False, f"{seat.seat_id} commands {seat.role} only"
    return True, ""
