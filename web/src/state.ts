/**
 * The exercise state as one seat knows it, rebuilt from journal records by a pure reducer.
 *
 * `reduce(state, record)` never mutates its inputs: it returns a new state that shares every untouched part with
 * the old one, so the review slider can keep checkpoints and a live console can keep going record by record.
 * The event log is not part of the state: it is the record list itself, filtered by time.
 */
import type {
  Identity,
  InterceptorInFlight,
  JournalRecord,
  Proposal,
  Track,
  TruthThreat,
} from "./types";

export interface Picture {
  t_s: number;
  tracks: Track[];
}

export interface Alert {
  /** Stable key: the same launch seen again does not raise a second alert. */
  id: string;
  t_s: number;
  kind: "launch" | "ballistic_track";
  /** The nation whose picture or warning raised it. */
  nation: string;
  text: string;
  lat_deg: number;
  lon_deg: number;
}

export interface Refusal {
  seq: number;
  t_s: number;
  order: string;
  source: string;
  reason: string;
}

export interface ThreatVerdict {
  track_id: string;
  assets: { asset_id: string; probability: number }[];
  time_to_impact_s: number | null;
  priority: number;
  t_s: number;
}

export interface Decision {
  decision: string;
  decider: string;
  reason: string;
  t_s: number;
}

export type RoleHolder = "human" | "automated";

export interface RoleAssignment {
  holder: RoleHolder;
  /** Who gave the `assign_role` order (the seat's role, or the white cell). */
  source: string;
  t_s: number;
}

export interface ExerciseState {
  /** Time of the latest record applied (scenario seconds). */
  t_s: number;
  lastSeq: number;
  started: boolean;
  ended: boolean;
  /** Latest air picture per nation: each `air_picture` replaces the previous one. */
  pictures: Record<string, Picture>;
  /** Identity per track id (track ids carry their nation: `north.T0005`); absent means pending. */
  identities: Record<string, Identity>;
  threats: Record<string, ThreatVerdict>;
  /** Proposals not yet decided. */
  proposals: Record<string, Proposal>;
  decisions: Record<string, Decision>;
  /** Interceptors launched whose planned intercept time has not passed and whose engagement is not assessed. */
  interceptors: InterceptorInFlight[];
  truth: { t_s: number; threats: TruthThreat[] } | null;
  /** Threat class per ground-truth threat id, from `threat_launched` (white cell only). */
  threatClass: Record<string, string>;
  /** Weapons control status per nation (key: nation) and per battery (key: battery id). */
  wcs: Record<string, string>;
  /** Comms link status, key `a|b` (sorted). */
  comms: Record<string, string>;
  sensors: Record<string, string>;
  /** Holder of each command role (command node or battery id) from `role_assigned`; absent means automated. */
  roles: Record<string, RoleAssignment>;
  refusals: Refusal[];
  alerts: Alert[];
  /** Track ids already reported as ballistic, so an alert fires once per track. */
  ballisticSeen: Record<string, true>;
}

const KEEP_REFUSALS = 50;
const KEEP_ALERTS = 50;

export function initialState(): ExerciseState {
  return {
    t_s: 0,
    lastSeq: 0,
    started: false,
    ended: false,
    pictures: {},
    identities: {},
    threats: {},
    proposals: {},
    decisions: {},
    interceptors: [],
    truth: null,
    threatClass: {},
    wcs: {},
    comms: {},
    sensors: {},
    roles: {},
    refusals: [],
    alerts: [],
    ballisticSeen: {},
  };
}

function keepLast<T>(items: T[], item: T, n: number): T[] {
  const out = items.length >= n ? items.slice(items.length - n + 1) : items.slice();
  out.push(item);
  return out;
}

function withoutKey<T>(obj: Record<string, T>, key: string): Record<string, T> {
  if (!(key in obj)) return obj;
  const out = { ...obj };
  delete out[key];
  return out;
}

/** Drops interceptors whose planned intercept time is before `t_s`. */
function pruneInterceptors(list: InterceptorInFlight[], t_s: number): InterceptorInFlight[] {
  return list.some((i) => i.planned_intercept_t_s < t_s) ? list.filter((i) => i.planned_intercept_t_s >= t_s) : list;
}

function fmtLatLon(lat: number, lon: number): string {
  const ns = lat < 0 ? "S" : "N";
  const lonN = ((((lon + 180) % 360) + 360) % 360) - 180;
  const ew = lonN < 0 ? "W" : "E";
  return `${Math.abs(lat).toFixed(2)}°${ns} ${Math.abs(lonN).toFixed(2)}°${ew}`;
}

/** Applies one journal record. Records at or below `lastSeq` are ignored (a reconnect may deliver them twice). */
export function reduce(state: ExerciseState, rec: JournalRecord): ExerciseState {
  if (rec.seq <= state.lastSeq) return state;
  const d = rec.data;
  const s: ExerciseState = {
    ...state,
    t_s: Math.max(state.t_s, rec.t_s),
    lastSeq: rec.seq,
    interceptors: pruneInterceptors(state.interceptors, rec.t_s),
  };
  switch (rec.kind) {
    case "exercise_started":
      s.started = true;
      break;
    case "exercise_ended":
      s.ended = true;
      break;
    case "air_picture": {
      const tracks = (d.tracks ?? []) as Track[];
      s.pictures = { ...s.pictures, [d.nation]: { t_s: rec.t_s, tracks } };
      const fresh = tracks.filter((t) => t.classification === "ballistic" && !s.ballisticSeen[t.track_id]);
      if (fresh.length) {
        s.ballisticSeen = { ...s.ballisticSeen };
        let alerts = s.alerts;
        for (const t of fresh) {
          s.ballisticSeen[t.track_id] = true;
          alerts = keepLast(
            alerts,
            {
              id: `ballistic:${t.track_id}`,
              t_s: rec.t_s,
              kind: "ballistic_track",
              nation: d.nation,
              text: `New ballistic track ${t.track_id} (${d.nation}) at ${fmtLatLon(t.lat_deg, t.lon_deg)}`,
              lat_deg: t.lat_deg,
              lon_deg: t.lon_deg,
            },
            KEEP_ALERTS,
          );
        }
        s.alerts = alerts;
      }
      break;
    }
    case "track_identified":
      s.identities = { ...s.identities, [d.track_id]: d.identity as Identity };
      break;
    case "threat_evaluated":
      s.threats = {
        ...s.threats,
        [d.track_id]: {
          track_id: d.track_id,
          assets: d.assets ?? [],
          time_to_impact_s: d.time_to_impact_s ?? null,
          priority: d.priority ?? 0,
          t_s: rec.t_s,
        },
      };
      break;
    case "launch_warning": {
      // Each update of the same launch carries a new warning_id; one alert per (nation, launch time).
      const id = `launch:${d.nation}:${d.launch_t_s}`;
      if (!s.alerts.some((a) => a.id === id)) {
        s.alerts = keepLast(
          s.alerts,
          {
            id,
            t_s: rec.t_s,
            kind: "launch",
            nation: d.nation,
            text: `LAUNCH WARNING (${d.nation}): launch at T+${Math.round(d.launch_t_s)} s near ${fmtLatLon(
              d.lat_deg,
              d.lon_deg,
            )}, heading ${Math.round(d.heading_deg)}°`,
            lat_deg: d.lat_deg,
            lon_deg: d.lon_deg,
          },
          KEEP_ALERTS,
        );
      }
      break;
    }
    case "engagement_proposed":
      s.proposals = {
        ...s.proposals,
        [d.proposal_id]: {
          proposal_id: d.proposal_id,
          nation: d.nation,
          decider: d.decider,
          battery_id: d.battery_id,
          track_id: d.track_id,
          shots: d.shots,
          kill_probability: d.kill_probability,
          earliest_launch_t_s: d.earliest_launch_t_s,
          latest_launch_t_s: d.latest_launch_t_s,
          requested_by: d.requested_by ?? null,
          proposed_t_s: rec.t_s,
        },
      };
      break;
    case "engagement_decided":
      s.proposals = withoutKey(s.proposals, d.proposal_id);
      s.decisions = {
        ...s.decisions,
        [d.proposal_id]: { decision: d.decision, decider: d.decider, reason: d.reason ?? "", t_s: rec.t_s },
      };
      break;
    case "interceptor_launched":
      s.interceptors = [
        ...s.interceptors,
        {
          engagement_id: d.engagement_id,
          shot: d.shot,
          nation: d.nation,
          battery_id: d.battery_id,
          track_id: d.track_id,
          pip_lat_deg: d.pip_lat_deg,
          pip_lon_deg: d.pip_lon_deg,
          launched_t_s: rec.t_s,
          planned_intercept_t_s: d.planned_intercept_t_s,
        },
      ];
      break;
    case "kill_assessed":
    case "engagement_aborted":
      s.interceptors = s.interceptors.filter((i) => i.engagement_id !== d.engagement_id);
      break;
    case "threat_launched":
      s.threatClass = { ...s.threatClass, [d.threat_id]: d.threat_class };
      break;
    case "truth_snapshot":
      s.truth = { t_s: rec.t_s, threats: (d.threats ?? []) as TruthThreat[] };
      break;
    case "weapons_control_changed":
      s.wcs = { ...s.wcs, [d.battery_id ?? d.nation]: d.status };
      break;
    case "comms_status": {
      const [a, b] = [...(d.between as string[])].sort();
      s.comms = { ...s.comms, [`${a}|${b}`]: d.status };
      break;
    }
    case "sensor_status":
      s.sensors = { ...s.sensors, [d.sensor_id]: d.status };
      break;
    case "role_assigned":
      s.roles = {
        ...s.roles,
        [d.role]: { holder: d.holder === "human" ? "human" : "automated", source: d.source ?? "", t_s: rec.t_s },
      };
      break;
    case "order_refused":
      s.refusals = keepLast(
        s.refusals,
        { seq: rec.seq, t_s: rec.t_s, order: d.order, source: d.source, reason: d.reason },
        KEEP_REFUSALS,
      );
      break;
    default:
      break;
  }
  return s;
}

export function reduceAll(records: Iterable<JournalRecord>, state: ExerciseState = initialState()): ExerciseState {
  let s = state;
  for (const r of records) s = reduce(s, r);
  return s;
}

/** Identity of a track; a track not yet identified is pending. */
export function identityOf(state: ExerciseState, trackId: string): Identity {
  return state.identities[trackId] ?? "pending";
}

/**
 * Proposals waiting for a decision, soonest deadline first. With `decider` only those this command node or
 * battery decides.
 */
export function pendingProposals(state: ExerciseState, decider?: string | null): Proposal[] {
  return Object.values(state.proposals)
    .filter((p) => !decider || p.decider === decider)
    .sort((a, b) => a.latest_launch_t_s - b.latest_launch_t_s || a.proposal_id.localeCompare(b.proposal_id));
}

/** Who holds a command role: "human" once a seat has taken it over, else (and after hand-back) "automated". */
export function roleHolder(state: ExerciseState, role: string | null | undefined): RoleHolder {
  return (role && state.roles[role]?.holder) || "automated";
}

/** Command node (or battery) ids the records have named: deciders, roles, ends of comms links. */
export function nodeIdsSeen(state: ExerciseState): string[] {
  const ids = new Set<string>(Object.keys(state.roles));
  for (const p of Object.values(state.proposals)) ids.add(p.decider);
  for (const d of Object.values(state.decisions)) ids.add(d.decider);
  for (const key of Object.keys(state.comms)) for (const id of key.split("|")) ids.add(id);
  ids.delete("");
  return [...ids].sort();
}

/** Interceptors still in flight at time `t_s` (the clock runs ahead of the last record). */
export function interceptorsInFlight(state: ExerciseState, t_s: number): InterceptorInFlight[] {
  return state.interceptors.filter((i) => i.launched_t_s <= t_s && i.planned_intercept_t_s >= t_s);
}

/**
 * Rebuilds states at arbitrary times from a full record list (review mode), with checkpoints every
 * `step_s` so that moving the slider does not replay the journal from the start each time. Records must come in
 * journal order (sequence and time both non-decreasing, as the journal writes them).
 */
export class Timeline {
  private readonly records: JournalRecord[];
  private readonly checkpoints: { index: number; state: ExerciseState }[] = [];

  constructor(records: JournalRecord[], step_s = 60) {
    this.records = [...records].sort((a, b) => a.seq - b.seq);
    let s = initialState();
    let nextMark = step_s;
    this.checkpoints.push({ index: 0, state: s });
    this.records.forEach((r, i) => {
      while (r.t_s > nextMark) {
        this.checkpoints.push({ index: i, state: s });
        nextMark += step_s;
      }
      s = reduce(s, r);
    });
    this.checkpoints.push({ index: this.records.length, state: s });
  }

  get all(): readonly JournalRecord[] {
    return this.records;
  }

  /** The state with every record at or before `t_s` applied. */
  at(t_s: number): ExerciseState {
    let cp = this.checkpoints[0];
    for (const c of this.checkpoints) {
      if (c.index === 0 || this.records[c.index - 1].t_s <= t_s) cp = c;
      else break;
    }
    let s = cp.state;
    for (let i = cp.index; i < this.records.length && this.records[i].t_s <= t_s; i++) s = reduce(s, this.records[i]);
    return s;
  }

  /** Records at or before `t_s`. */
  until(t_s: number): JournalRecord[] {
    let hi = this.records.length;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid].t_s <= t_s) lo = mid + 1;
      else hi = mid;
    }
    return this.records.slice(0, lo);
  }
}
