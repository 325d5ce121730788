/** Shapes of the live exercise protocol (docs/server-protocol.md). Times are scenario seconds (`t_s`). */

export type SeatKind = "commander" | "battery" | "ccc" | "white" | "observer";

export interface Seat {
  seat_id: string;
  kind: SeatKind;
  nation: string | null;
  role: string | null;
}

export interface Nation {
  id: string;
  name: string;
  colour: string;
}

export interface Asset {
  id: string;
  name: string;
  owner: string;
  lat_deg: number;
  lon_deg: number;
  radius_m: number;
  value: number;
  priority: number;
}

export interface Sensor {
  id: string;
  owner: string;
  type: string;
  lat_deg: number;
  lon_deg: number;
}

export interface Battery {
  id: string;
  owner: string;
  type: string;
  tier: string;
  lat_deg: number;
  lon_deg: number;
  max_range_m: number;
  launchers: number;
  rounds: number;
}

/** A fictional actor that launches threats (not in the session today; used when the server exposes it). */
export interface Adversary {
  id: string;
  name?: string;
  colour?: string;
}

export interface Scenario {
  name: string;
  epoch: string;
  duration_s: number;
  nations: Nation[];
  assets: Asset[];
  sensors: Sensor[];
  batteries: Battery[];
  /** Optional extras a server may add to the laydown; the console falls back when they are absent. */
  adversaries?: Adversary[];
  /** Command node ids, e.g. `north.ncc`, `north.adoc`. */
  command_nodes?: { id: string; nation?: string }[];
  coordination_cell?: { id: string } | null;
}

export interface Clock {
  t_s: number;
  speed: number;
  running: boolean;
  epoch: string;
}

/** A bookmark as the review session lists it: the record's time and data (`note`, `seat`). */
export interface SessionBookmark {
  t_s: number;
  note?: string;
  seat?: string;
}

export interface Session {
  seat: Seat;
  scenario: Scenario;
  clock: Clock;
  /** "live" (amdx serve) or "replay" (amdx replay: review mode with a time slider). */
  mode?: "live" | "replay";
  /** Review mode: the views the reviewer may take ("controller" and the nation ids). */
  views?: string[];
  /** Review mode: the white cell's bookmarks, in journal order. */
  bookmarks?: SessionBookmark[];
}

/** A journal record: the form in which every event reaches the console. */
export interface JournalRecord {
  seq: number;
  kind: string;
  t_s: number;
  visible_to: string[];
  data: Record<string, any>;
}

export interface ImpactPrediction {
  lat_deg: number;
  lon_deg: number;
  t_s: number;
  time_to_impact_s?: number;
  /** 95 % ellipse semi-axes in metres; orientation of the major axis clockwise from north. */
  semi_major_m: number;
  semi_minor_m: number;
  orientation_deg: number;
}

export interface Track {
  track_id: string;
  classification: string; // "ballistic" | "air-breathing" | "unknown"
  lat_deg: number;
  lon_deg: number;
  alt_m: number;
  speed_mps: number;
  pos_sigma_m: number;
  source: string;
  impact: ImpactPrediction | null;
}

export type Identity = "pending" | "unknown" | "assumed_friend" | "friend" | "suspect" | "hostile";

export interface Proposal {
  proposal_id: string;
  nation: string;
  decider: string;
  battery_id: string;
  track_id: string;
  shots: number;
  kill_probability: number;
  earliest_launch_t_s: number;
  latest_launch_t_s: number;
  requested_by: string | null;
  proposed_t_s: number;
}

export interface InterceptorInFlight {
  engagement_id: string;
  shot: number;
  nation: string;
  battery_id: string;
  track_id: string;
  pip_lat_deg: number;
  pip_lon_deg: number;
  launched_t_s: number;
  planned_intercept_t_s: number;
}

export interface TruthThreat {
  id: string;
  lat_deg: number;
  lon_deg: number;
  alt_m: number;
}

export type WeaponsControl = "free" | "tight" | "hold";

/** `launch_ballistic` (white cell): a target asset, or an aim point (aim_lat_deg and aim_lon_deg). */
export interface LaunchBallisticOrder {
  kind: "launch_ballistic";
  threat_id: string;
  threat_type: string;
  actor: string;
  origin_lat_deg: number;
  origin_lon_deg: number;
  target?: string;
  aim_lat_deg?: number;
  aim_lon_deg?: number;
  count: number;
}

export interface SensorOutageOrder {
  kind: "sensor_outage";
  msel_id: string;
  sensor_id: string;
  duration_s: number;
}

export interface CommsCutOrder {
  kind: "comms_cut";
  msel_id: string;
  between: [string, string];
  duration_s: number;
}

export interface SetWeaponsControlOrder {
  kind: "set_weapons_control";
  nation: string;
  status: string;
  battery_id?: string;
}

export interface AssignRoleOrder {
  kind: "assign_role";
  role: string;
  human: boolean;
}

/** Orders a seat sends (the server fills `t_s` and `source`); fields as in src/amdx/engine/orders.py. */
export type Order =
  | { kind: "engage"; nation: string; battery_id: string; track_id: string; shots: number; proposal_id?: string }
  | { kind: "deny_engagement"; nation: string; proposal_id: string; reason: string }
  | { kind: "identify"; nation: string; track_id: string; identity: Identity }
  | SetWeaponsControlOrder
  | { kind: "request_support"; nation: string; to_nation: string; track_id: string }
  | LaunchBallisticOrder
  | SensorOutageOrder
  | CommsCutOrder
  | AssignRoleOrder;

export type ControlAction = "start" | "pause" | "resume" | "speed";
