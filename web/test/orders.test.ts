/**
 * The order objects the console's forms build, checked against the engine's order definitions
 * (src/amdx/engine/orders.py, read here as text): every field sent is a field of that order, every required field
 * is sent (the server fills `t_s` and `source`), and no field is `undefined` or `null` where omitted.
 */
import { describe, expect, it } from "vitest";
import {
  assignRole,
  commandNodeSuggestions,
  commsCut,
  defaultActor,
  denyEngagement,
  launchBallistic,
  nextThreatId,
  normaliseLon,
  sensorOutage,
  setWeaponsControl,
  type LaunchForm,
} from "../src/orders";
import type { Order } from "../src/types";

import ordersPy from "../../src/amdx/engine/orders.py?raw";

/** Order kind → its fields (name → has a default) from the dataclasses of orders.py. */
function orderFields(py: string): Record<string, Record<string, boolean>> {
  const out: Record<string, Record<string, boolean>> = {};
  for (const block of py.split(/\n(?=@dataclass|class |ORDER_TYPES)/)) {
    const kind = /kind: ClassVar\[str\] = "([a-z_]+)"/.exec(block)?.[1];
    if (!kind || !/class \w+\(Order\)/.test(block)) continue;
    const fields: Record<string, boolean> = { t_s: false, source: false };
    for (const m of block.matchAll(/^ {4}(\w+): (?!ClassVar)([^\n]+)$/gm)) fields[m[1]] = m[2].includes("=");
    out[kind] = fields;
  }
  return out;
}

const FIELDS = orderFields(ordersPy);
const SERVER_FILLED = new Set(["t_s", "source"]);

/** Fails unless `order` has only fields of its kind and every required one (the server's aside). */
function expectEngineShape(order: Order): void {
  const fields = FIELDS[order.kind];
  expect(fields, `orders.py defines ${order.kind}`).toBeDefined();
  const { kind: _kind, ...rest } = order as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(rest)) {
    expect(Object.keys(fields), `${order.kind}.${k} is an order field`).toContain(k);
    expect(v, `${order.kind}.${k} is set`).not.toBeUndefined();
  }
  for (const [k, hasDefault] of Object.entries(fields)) {
    if (!hasDefault && !SERVER_FILLED.has(k)) expect(rest, `${order.kind} sends ${k}`).toHaveProperty(k);
  }
  // What goes over the socket is what the builder returned.
  expect(JSON.parse(JSON.stringify(order))).toEqual(order);
}

const launch = (over: Partial<LaunchForm> = {}): LaunchForm => ({
  threat_id: "adhoc1",
  threat_type: "mrbm-a",
  actor: "red",
  origin_lat: "-43.9",
  origin_lon: "-176.5",
  target: "north.capital",
  aim_lat: "",
  aim_lon: "",
  count: "1",
  ...over,
});

describe("orders.py as read by the test", () => {
  it("defines the orders the console sends", () => {
    for (const kind of ["launch_ballistic", "sensor_outage", "comms_cut", "set_weapons_control", "assign_role", "deny_engagement"])
      expect(FIELDS[kind], kind).toBeDefined();
    expect(FIELDS.launch_ballistic).toMatchObject({ threat_id: false, origin_lat_deg: false, target: true, count: true });
    expect(FIELDS.assign_role).toEqual({ t_s: false, source: false, role: false, human: false });
  });
});

describe("launch_ballistic", () => {
  it("aims at a target asset", () => {
    const b = launchBallistic(launch());
    expect(b).toEqual({
      ok: true,
      order: {
        kind: "launch_ballistic",
        threat_id: "adhoc1",
        threat_type: "mrbm-a",
        actor: "red",
        origin_lat_deg: -43.9,
        origin_lon_deg: -176.5,
        target: "north.capital",
        count: 1,
      },
    });
    if (b.ok) expectEngineShape(b.order);
  });

  it("aims at a point when no target is chosen, longitudes normalised", () => {
    const b = launchBallistic(launch({ target: "", aim_lat: " -41.3 ", aim_lon: "174.78", origin_lon: "183.5", count: "4" }));
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.order).toEqual({
      kind: "launch_ballistic",
      threat_id: "adhoc1",
      threat_type: "mrbm-a",
      actor: "red",
      origin_lat_deg: -43.9,
      origin_lon_deg: -176.5,
      aim_lat_deg: -41.3,
      aim_lon_deg: 174.78,
      count: 4,
    });
    expect(b.order).not.toHaveProperty("target");
    expectEngineShape(b.order);
  });

  it("a target wins over an aim point", () => {
    const b = launchBallistic(launch({ aim_lat: "-41", aim_lon: "174" }));
    expect(b.ok && b.order).not.toHaveProperty("aim_lat_deg");
  });

  it.each([
    [{ threat_id: " " }, "threat id"],
    [{ threat_id: "ad hoc" }, "no spaces"],
    [{ threat_type: "" }, "threat type"],
    [{ actor: "" }, "actor"],
    [{ origin_lat: "" }, "origin latitude"],
    [{ origin_lat: "95" }, "between -90 and 90"],
    [{ origin_lon: "east" }, "origin longitude"],
    [{ count: "0" }, "count"],
    [{ count: "1.5" }, "count"],
    [{ target: "" }, "target asset or give an aim point"],
    [{ target: "", aim_lat: "-41" }, "aim longitude"],
  ] as [Partial<LaunchForm>, string][])("refuses %j", (over, why) => {
    const b = launchBallistic(launch(over));
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error).toContain(why);
  });

  it("defaults the count to 1", () => {
    const b = launchBallistic(launch({ count: "" }));
    expect(b.ok && b.order.count).toBe(1);
  });
});

describe("white cell injects", () => {
  it("sensor_outage", () => {
    const b = sensorOutage("north.ewr1", "300");
    expect(b).toEqual({ ok: true, order: { kind: "sensor_outage", msel_id: "adhoc", sensor_id: "north.ewr1", duration_s: 300 } });
    if (b.ok) expectEngineShape(b.order);
    expect(sensorOutage("", "300").ok).toBe(false);
    expect(sensorOutage("north.ewr1", "0").ok).toBe(false);
    expect(sensorOutage("north.ewr1", "soon").ok).toBe(false);
  });

  it("comms_cut", () => {
    const b = commsCut(" north.ncc", "ccc ", "120.5");
    expect(b).toEqual({ ok: true, order: { kind: "comms_cut", msel_id: "adhoc", between: ["north.ncc", "ccc"], duration_s: 120.5 } });
    if (b.ok) expectEngineShape(b.order);
    expect(commsCut("north.ncc", "", "60").ok).toBe(false);
    expect(commsCut("ccc", "ccc", "60").ok).toBe(false);
    expect(commsCut("north.ncc", "ccc", "-5").ok).toBe(false);
  });

  it("set_weapons_control of a nation or a battery", () => {
    const nation = setWeaponsControl("north", "hold");
    expect(nation).toEqual({ ok: true, order: { kind: "set_weapons_control", nation: "north", status: "hold" } });
    if (nation.ok) expectEngineShape(nation.order);
    const battery = setWeaponsControl("south", "free", "south.bty2");
    expect(battery).toEqual({ ok: true, order: { kind: "set_weapons_control", nation: "south", status: "free", battery_id: "south.bty2" } });
    if (battery.ok) expectEngineShape(battery.order);
    expect(setWeaponsControl("north", "weapons-free").ok).toBe(false);
    expect(setWeaponsControl("", "tight").ok).toBe(false);
  });
});

describe("command seat orders", () => {
  it("assign_role takes over and hands back", () => {
    expect(assignRole("north.ncc", true)).toEqual({ kind: "assign_role", role: "north.ncc", human: true });
    expect(assignRole("north.bty1", false)).toEqual({ kind: "assign_role", role: "north.bty1", human: false });
    expectEngineShape(assignRole("north.ncc", true));
  });

  it("deny_engagement sends the operator's reason, or the fallback", () => {
    const p = { nation: "north", proposal_id: "P00002" };
    const denied = denyEngagement(p, "  friendly aircraft in the sector ", "denied at the console");
    expect(denied).toEqual({ kind: "deny_engagement", nation: "north", proposal_id: "P00002", reason: "friendly aircraft in the sector" });
    expectEngineShape(denied);
    expect(denyEngagement(p, " ", "denied at the console")).toMatchObject({ reason: "denied at the console" });
  });
});

describe("form defaults", () => {
  it("numbers ad hoc threats past those used (salvo rounds count as their base id)", () => {
    expect(nextThreatId([])).toBe("adhoc1");
    expect(nextThreatId(["tbm0", "adhoc1", "adhoc2.1", "adhoc2.2"])).toBe("adhoc3");
    expect(nextThreatId(["adhoc2"])).toBe("adhoc1");
  });

  it("takes the first adversary as the actor, else red", () => {
    expect(defaultActor({})).toBe("red");
    expect(defaultActor({ adversaries: [{ id: "kharad" }, { id: "other" }] })).toBe("kharad");
  });

  it("suggests command nodes from the session and the records, never batteries", () => {
    const scenario = { batteries: [{ id: "north.bty1" }] } as Parameters<typeof commandNodeSuggestions>[0];
    expect(commandNodeSuggestions(scenario, ["north.ncc", "north.bty1", "south.ncc", "north.ncc"])).toEqual(["north.ncc", "south.ncc"]);
    expect(
      commandNodeSuggestions({ ...scenario, command_nodes: [{ id: "north.adoc" }], coordination_cell: { id: "ccc" } }, []),
    ).toEqual(["ccc", "north.adoc"]);
  });

  it("normalises longitudes to [-180, 180)", () => {
    expect(normaliseLon(183.5)).toBeCloseTo(-176.5, 9);
    expect(normaliseLon(-190)).toBeCloseTo(170, 9);
    expect(normaliseLon(174.78)).toBeCloseTo(174.78, 9);
  });
});
