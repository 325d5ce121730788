"""The `weapons_control` MSEL inject: a nation's (or one battery's) weapons control status set by higher command.

Each bad inject is refused with the file, the line of the inject and the field path; the expectations are written
out by hand from the base text of conftest.py (nations north and south, one battery north.bty1 of north).
"""

from __future__ import annotations

import pytest

from amdx.scenario import load_scenario_text

INJECT = "  - {kind: weapons_control, t_s: 600, nation: north, battery: north.bty1, status: hold, note: wcs inject}\n"
# the base text's MSEL has six items, so the appended inject is msel[6]
INDEX = 6


def with_inject(kit, inject: str = INJECT) -> str:
    return kit.BASE_TEXT + inject


def test_a_nation_wide_and_a_battery_inject_load_with_their_fields(kit):
    nationwide = "  - {kind: weapons_control, id: wcs1, t_s: 0, nation: south, status: free}\n"
    scenario = load_scenario_text(with_inject(kit) + nationwide)
    battery, nation = scenario.msel[INDEX], scenario.msel[INDEX + 1]
    assert (battery.kind, battery.t_s, battery.nation, battery.battery, battery.status, battery.id, battery.note) == (
        "weapons_control", 600.0, "north", "north.bty1", "hold", None, "wcs inject")
    assert (nation.id, nation.nation, nation.battery, nation.status) == ("wcs1", "south", None, "free")


BAD = [
    # (replace in the inject, new text, field path, words of the message)
    ("nation: north", "nation: nort", "nation", "unknown nation 'nort'; did you mean 'north'?"),
    ("nation: north", "nation: east", "nation", "unknown nation 'east'; expected one of: north, south"),
    ("battery: north.bty1", "battery: north.bty9", "battery", "unknown battery 'north.bty9'"),
    ("nation: north", "nation: south", "battery", "battery 'north.bty1' belongs to north, not to south"),
    ("status: hold", "status: holdd", "status", "expected one of 'free', 'tight' or 'hold', found 'holdd'"),
    ("status: hold", "status: HOLD", "status", "found 'HOLD'"),
    ("status: hold, ", "", "status", "missing"),
    ("nation: north, ", "", "nation", "missing"),
    ("t_s: 600", "t_s: 1801", "t_s", "after the end of the exercise (duration_s 1800)"),
    ("battery: north.bty1", "batery: north.bty1", "batery", "unknown key 'batery'; did you mean 'battery'?"),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BAD, ids=[f"{c[2]}:{c[1] or 'missing'}" for c in BAD])
def test_a_bad_inject_is_placed_at_its_file_line_with_its_field(kit, old, new, field, words):
    text = with_inject(kit, kit.replace_once(INJECT, old, new))
    problems = kit.problems_of(text, "wcs.yaml")
    path = f"msel[{INDEX}].{field}"
    matching = [p for p in problems if p.path in (path, f"msel[{INDEX}]") and words in p.message]
    assert matching, "\n".join(map(str, problems))
    line = len(kit.BASE_TEXT.splitlines()) + 1
    assert matching[0].line == line and matching[0].source == "wcs.yaml"
    assert str(matching[0]).startswith(f"wcs.yaml:{line}:")


def test_the_schema_lists_the_inject_kind_and_its_statuses():
    from amdx.scenario.schema import scenario_json_schema

    defs = scenario_json_schema()["$defs"]
    wcs = next(d for d in defs.values() if d.get("properties", {}).get("kind", {}).get("const") == "weapons_control")
    assert set(wcs["required"]) == {"kind", "t_s", "nation", "status"}
    assert wcs["properties"]["status"]["enum"] == ["free", "tight", "hold"]
    assert wcs["additionalProperties"] is False
