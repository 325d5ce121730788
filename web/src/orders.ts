/**
 * Pure builders of the orders the console's forms send (fields as in src/amdx/engine/orders.py; the server fills
 * `t_s` and `source`). Each takes the raw form values (strings, as inputs hold them) and returns the order or the
 * reason it cannot be sent, so that a malformed inject never reaches the server.
 */
import type {
  AssignRoleOrder,
  CommsCutOrder,
  LaunchBallisticOrder,
  Order,
  Proposal,
  Scenario,
  SensorOutageOrder,
  SetWeaponsControlOrder,
} from "./types";

export type Built<T> = { ok: true; order: T } | { ok: false; error: string };

/** The MSEL id of injects made at the console rather than scripted. */
export const ADHOC_MSEL_ID = "adhoc";
export const WEAPONS_CONTROL = ["free", "tight", "hold"] as const;
export const DEFAULT_THREAT_TYPE = "mrbm-a";
export const DEFAULT_ACTOR = "red";

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** A number from a text field: finite, or null (empty or not a number). */
export function parseNumber(text: string | number | null | undefined): number | null {
  if (typeof text === "number") return Number.isFinite(text) ? text : null;
  const t = (text ?? "").trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Longitude in [-180, 180). */
export function normaliseLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

function latitude(text: string, what: string): number | string {
  const v = parseNumber(text);
  if (v === null) return `${what} latitude is not a number`;
  if (v < -90 || v > 90) return `${what} latitude must be between -90 and 90, found ${v}`;
  return v;
}

function longitude(text: string, what: string): number | string {
  const v = parseNumber(text);
  if (v === null) return `${what} longitude is not a number`;
  return Math.round(normaliseLon(v) * 1e6) / 1e6;
}

function positiveDuration(text: string): number | string {
  const v = parseNumber(text);
  if (v === null || !(v > 0)) return `the duration must be a positive number of seconds, found ${JSON.stringify(text)}`;
  return v;
}

export interface LaunchForm {
  threat_id: string;
  threat_type: string;
  actor: string;
  origin_lat: string;
  origin_lon: string;
  /** An asset id, or "" to aim at a point. */
  target: string;
  aim_lat: string;
  aim_lon: string;
  count: string;
}

/** `launch_ballistic` at an asset (when `target` is set) or at the aim point. */
export function launchBallistic(f: LaunchForm): Built<LaunchBallisticOrder> {
  const threat_id = f.threat_id.trim();
  if (!threat_id) return fail("a launch needs a threat id");
  if (/\s/.test(threat_id)) return fail(`a threat id has no spaces, found ${JSON.stringify(threat_id)}`);
  const threat_type = f.threat_type.trim();
  if (!threat_type) return fail("a launch needs a threat type (a catalog id, e.g. mrbm-a)");
  const actor = f.actor.trim();
  if (!actor) return fail("a launch needs an actor (an adversary id)");
  const lat = latitude(f.origin_lat, "the origin");
  if (typeof lat === "string") return fail(lat);
  const lon = longitude(f.origin_lon, "the origin");
  if (typeof lon === "string") return fail(lon);
  const count = parseNumber(f.count || "1");
  if (count === null || !Number.isInteger(count) || count < 1) return fail(`the count must be a whole number ≥ 1, found ${JSON.stringify(f.count)}`);
  const order: LaunchBallisticOrder = {
    kind: "launch_ballistic",
    threat_id,
    threat_type,
    actor,
    origin_lat_deg: lat,
    origin_lon_deg: lon,
    count,
  };
  const target = f.target.trim();
  if (target) return { ok: true, order: { ...order, target } };
  if (!f.aim_lat.trim() && !f.aim_lon.trim()) return fail("choose a target asset or give an aim point");
  const aimLat = latitude(f.aim_lat, "the aim");
  if (typeof aimLat === "string") return fail(aimLat);
  const aimLon = longitude(f.aim_lon, "the aim");
  if (typeof aimLon === "string") return fail(aimLon);
  return { ok: true, order: { ...order, aim_lat_deg: aimLat, aim_lon_deg: aimLon } };
}

export function sensorOutage(sensorId: string, duration: string): Built<SensorOutageOrder> {
  const sensor_id = sensorId.trim();
  if (!sensor_id) return fail("choose a sensor");
  const d = positiveDuration(duration);
  if (typeof d === "string") return fail(d);
  return { ok: true, order: { kind: "sensor_outage", msel_id: ADHOC_MSEL_ID, sensor_id, duration_s: d } };
}

export function commsCut(a: string, b: string, duration: string): Built<CommsCutOrder> {
  const [x, y] = [a.trim(), b.trim()];
  if (!x || !y) return fail("a comms cut needs two command nodes");
  if (x === y) return fail(`a comms cut needs two different nodes, found ${x} twice`);
  const d = positiveDuration(duration);
  if (typeof d === "string") return fail(d);
  return { ok: true, order: { kind: "comms_cut", msel_id: ADHOC_MSEL_ID, between: [x, y], duration_s: d } };
}

/** `set_weapons_control` of a nation, or of one of its batteries when `batteryId` is set. */
export function setWeaponsControl(nation: string, status: string, batteryId = ""): Built<SetWeaponsControlOrder> {
  if (!nation.trim()) return fail("choose a nation");
  if (!(WEAPONS_CONTROL as readonly string[]).includes(status))
    return fail(`the weapons control status must be one of ${WEAPONS_CONTROL.join(", ")}, found ${JSON.stringify(status)}`);
  const order: SetWeaponsControlOrder = { kind: "set_weapons_control", nation: nation.trim(), status };
  return { ok: true, order: batteryId.trim() ? { ...order, battery_id: batteryId.trim() } : order };
}

/** Take over (`human` true) or hand back a seat's own command role. */
export function assignRole(role: string, human: boolean): AssignRoleOrder {
  return { kind: "assign_role", role, human };
}

/** `deny_engagement` with the operator's reason, or `fallback` when none is given. */
export function denyEngagement(p: Pick<Proposal, "nation" | "proposal_id">, reason: string, fallback: string): Order {
  return { kind: "deny_engagement", nation: p.nation, proposal_id: p.proposal_id, reason: reason.trim() || fallback };
}

/**
 * The first free ad hoc threat id (`adhoc1`, `adhoc2`, …) given the ids already used; salvo rounds (`adhoc1.2`)
 * count as their base id.
 */
export function nextThreatId(used: Iterable<string>, prefix = "adhoc"): string {
  const taken = new Set<string>();
  for (const id of used) taken.add(id.replace(/\.\d+$/, ""));
  for (let i = 1; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

/** The actor of an ad hoc launch: the scenario's first adversary when the session names one, else `red`. */
export function defaultActor(scenario: Pick<Scenario, "adversaries">): string {
  return scenario.adversaries?.[0]?.id ?? DEFAULT_ACTOR;
}

/**
 * Command node ids to suggest for a comms cut: those the session lists, then any seen in records (deciders of
 * proposals, roles taken over, comms links), without battery ids; sorted.
 */
export function commandNodeSuggestions(
  scenario: Pick<Scenario, "command_nodes" | "coordination_cell" | "batteries">,
  seen: Iterable<string> = [],
): string[] {
  const batteries = new Set(scenario.batteries.map((b) => b.id));
  const out = new Set<string>();
  for (const n of scenario.command_nodes ?? []) out.add(n.id);
  if (scenario.coordination_cell?.id) out.add(scenario.coordination_cell.id);
  for (const id of seen) if (id && !batteries.has(id)) out.add(id);
  return [...out].sort();
}
