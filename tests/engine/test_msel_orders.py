"""MSEL items become engine orders: each kind its own order type, fields in SI units, ids kept or numbered.

Expectations are written out by hand from the MSEL text below (the default scenario's order of battle).
"""

from __future__ import annotations

import pytest

from amdx.engine.core import Engine
from amdx.engine.msel import msel_orders
from amdx.engine.orders import (
    MSEL,
    CommsCut,
    Inject,
    LaunchBallistic,
    SensorOutage,
    SetWeaponsControl,
    order_from_record,
)
from amdx.scenario import bundled_scenario_path, load_scenario_text

MSEL_TEXT = """\
msel:
  - {kind: note, t_s: 0, text: STARTEX}
  - {kind: weapons_control, t_s: 30, nation: north, status: hold, note: "national hold"}
  - {kind: weapons_control, id: wcs2, t_s: 45.5, nation: south, battery: south.bty2, status: free}
  - {kind: comms_cut, t_s: 90, between: [north.adoc, ccc], duration_s: 300}
  - {kind: comms_cut, id: cut2, t_s: 100, between: [south.ncc, south.adoc], duration_s: 12.5}
  - {kind: sensor_outage, t_s: 120, sensor: south.fcr1, duration_s: 60}
  - {kind: launch, id: tbm1, t_s: 60, threat: mrbm-a, actor: red, origin: {lat_deg: -43.9, lon_deg: -176.5},
     target: north.capital, profile: lofted, apogee_km: 400}
"""


@pytest.fixture(scope="module")
def orders():
    text = bundled_scenario_path("default").read_text(encoding="utf-8")
    text = text[: text.index("\nmsel:")] + "\n" + MSEL_TEXT
    return msel_orders(load_scenario_text(text))


def test_each_kind_becomes_its_order_in_file_order(orders):
    assert [type(o) for o in orders] == [Inject, SetWeaponsControl, SetWeaponsControl, CommsCut, CommsCut,
                                         SensorOutage, LaunchBallistic]
    assert all(o.source == MSEL for o in orders)


def test_weapons_control_injects_set_a_nation_or_one_battery(orders):
    assert orders[1] == SetWeaponsControl(t_s=30.0, source=MSEL, nation="north", status="hold", battery_id=None)
    assert orders[2] == SetWeaponsControl(t_s=45.5, source=MSEL, nation="south", status="free",
                                          battery_id="south.bty2")


def test_comms_cuts_are_cut_orders_not_notes(orders):
    assert orders[3] == CommsCut(t_s=90.0, source=MSEL, msel_id="msel4", between=("north.adoc", "ccc"),
                                 duration_s=300.0)
    assert orders[4] == CommsCut(t_s=100.0, source=MSEL, msel_id="cut2", between=("south.ncc", "south.adoc"),
                                 duration_s=12.5)


def test_notes_stay_injects_and_other_kinds_keep_their_fields(orders):
    assert orders[0] == Inject(t_s=0.0, source=MSEL, msel_id="msel1", inject="note", detail="STARTEX")
    assert orders[5] == SensorOutage(t_s=120.0, source=MSEL, msel_id="msel6", sensor_id="south.fcr1",
                                     duration_s=60.0)
    launch = orders[6]
    assert (launch.threat_id, launch.target, launch.profile, launch.apogee_m) == ("tbm1", "north.capital", "lofted",
                                                                                  400_000.0)


def test_every_converted_order_round_trips_through_its_journal_record(orders):
    for order in orders:
        assert order_from_record(order.record()) == order


def test_the_engine_applies_scripted_weapons_control_and_comms_cuts():
    text = bundled_scenario_path("default").read_text(encoding="utf-8")
    text = text[: text.index("\nmsel:")] + "\n" + MSEL_TEXT
    scenario = load_scenario_text(text)
    # no sensors and a short run: only the control injects matter here
    scenario = scenario.model_copy(update={"sensors": (), "exercise": scenario.exercise.model_copy(
        update={"duration_s": 110.0})})
    events = Engine(scenario, 1).run()
    changed = [(e.t_s, e.nation, e.battery_id, e.status, e.previous, e.source) for e in events
               if e.kind == "weapons_control_changed"]
    # the default doctrine is weapons tight
    assert changed == [(30.0, "north", None, "hold", "tight", MSEL), (45.5, "south", "south.bty2", "free", "tight",
                                                                      MSEL)]
    comms = [(e.t_s, tuple(e.between), e.status) for e in events if e.kind == "comms_status"]
    assert comms[0] == (90.0, ("north.adoc", "ccc"), "cut")
    assert (100.0, ("south.ncc", "south.adoc"), "cut") in comms
