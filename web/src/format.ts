/** Human-readable text: times, and one line per journal record kind for the event log. */
import type { JournalRecord } from "./types";

/** Scenario time as T+HH:MM:SS. */
export function fmtScenarioTime(t_s: number): string {
  const sign = t_s < 0 ? "-" : "+";
  const total = Math.floor(Math.abs(t_s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return `T${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

/** The UTC wall time of scenario time `t_s`, given the scenario's ISO epoch: `06:07:30Z`. */
export function fmtUtc(epoch: string, t_s: number): string {
  const ms = Date.parse(epoch);
  if (Number.isNaN(ms)) return "--:--:--Z";
  return new Date(ms + Math.floor(t_s) * 1000).toISOString().slice(11, 19) + "Z";
}

/** Seconds left as `m:ss` (negative: `-m:ss`). */
export function fmtCountdown(s: number): string {
  const neg = s < 0;
  const total = Math.floor(Math.abs(s));
  return `${neg ? "-" : ""}${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

function km(m: number | null | undefined): string {
  return m == null ? "?" : `${(m / 1000).toFixed(1)} km`;
}

function pct(p: number | null | undefined): string {
  return p == null ? "?" : `${Math.round(p * 100)} %`;
}

function pos(d: Record<string, any>, lat = "lat_deg", lon = "lon_deg"): string {
  const la = d[lat];
  const lo = d[lon];
  if (la == null || lo == null) return "?";
  return `${Number(la).toFixed(2)}, ${Number(lo).toFixed(2)}`;
}

/** Records too frequent or too bulky for the log; they drive the map instead. */
export const SILENT_KINDS = new Set(["air_picture", "truth_snapshot"]);

/** Evaluation markers (controller only) that a filter can hide. */
export const MARKER_KINDS = new Set(["response_mark", "first_detection", "first_track"]);

/** One line describing a record; unknown kinds fall back to their data as JSON. */
export function describe(rec: JournalRecord): string {
  const d = rec.data;
  switch (rec.kind) {
    case "exercise_started":
      return `${d.name ?? "Exercise"} started (duration ${d.duration_s ?? "?"} s)`;
    case "exercise_ended":
      return "Exercise ended";
    case "inject_logged":
      return `Inject ${d.msel_id}: ${d.inject} — ${d.detail}`;
    case "order_accepted":
      return `Order ${d.order} from ${d.source} accepted: ${d.summary}`;
    case "order_refused":
      return `Order ${d.order} from ${d.source} REFUSED: ${d.reason}`;
    case "threat_launched":
      return `${d.actor} launched ${d.threat_id} (${d.threat_type}, ${d.threat_class}) from ${pos(
        d,
        "origin_lat_deg",
        "origin_lon_deg",
      )}${d.target ? ` at ${d.target}` : ""}`;
    case "threat_burnout":
      return `${d.threat_id} burnout at ${km(d.alt_m)}, ${Math.round(d.speed_mps)} m/s`;
    case "threat_apogee":
      return `${d.threat_id} apogee ${km(d.alt_m)}`;
    case "threat_impact":
      return `${d.threat_id} impact at ${pos(d)}${d.assets_hit?.length ? `, hit ${d.assets_hit.join(", ")}` : " (no asset hit)"}`;
    case "route_completed":
      return `${d.threat_id} completed its route`;
    case "asset_damaged":
      return `ASSET DAMAGED: ${d.asset_id} by ${d.threat_id} (value lost ${d.value_lost})`;
    case "sensor_status":
      return `Sensor ${d.sensor_id} ${d.status === "out" ? "OUT of action" : "back in action"}`;
    case "launch_warning":
      return `Launch warning ${d.warning_id} (${d.nation}): launch T+${Math.round(d.launch_t_s)} s near ${pos(
        d,
      )}, heading ${Math.round(d.heading_deg)}°`;
    case "first_detection":
      return `[marker] ${d.nation} first detection of ${d.threat_id} by ${d.sensor_id}`;
    case "first_track":
      return `[marker] ${d.nation} first track ${d.track_id} on ${d.threat_id} (${d.source})`;
    case "comms_status":
      return `Comms ${(d.between ?? []).join(" ⇄ ")} ${d.status}`;
    case "role_assigned":
      return d.holder === "human"
        ? `${d.role} taken over by a human seat (${d.source})`
        : `${d.role} handed back to its automated commander (by ${d.source})`;
    case "seat_refused":
      return `Order ${d.order} from seat ${d.seat} REFUSED: ${d.reason}`;
    case "weapons_control_changed":
      return `WCS ${d.battery_id ?? d.nation}: ${d.previous} → ${String(d.status).toUpperCase()} (by ${d.source})`;
    case "track_identified":
      return `${d.track_id} identified ${String(d.identity).toUpperCase()} (was ${d.previous}) by ${d.source}${
        d.basis ? `: ${d.basis}` : ""
      }`;
    case "threat_evaluated": {
      const assets = (d.assets ?? []) as { asset_id: string; probability: number }[];
      const what = assets.length
        ? assets.map((a) => `${a.asset_id} ${pct(a.probability)}`).join(", ")
        : "no defended asset threatened";
      const tti = d.time_to_impact_s == null ? "" : `, impact in ${Math.round(d.time_to_impact_s)} s`;
      return `${d.track_id} evaluated: ${what}${tti}, priority ${d.priority}`;
    }
    case "support_requested":
      return `${d.nation} requests ${d.to_nation} to engage ${d.track_id}`;
    case "engagement_proposed":
      return `Proposal ${d.proposal_id}: ${d.battery_id} engage ${d.track_id}, ${d.shots} shot(s), Pk ${pct(
        d.kill_probability,
      )}, decide by T+${Math.round(d.latest_launch_t_s)} s (decider ${d.decider})`;
    case "engagement_decided":
      return `Proposal ${d.proposal_id} ${d.decision === "approve" ? "APPROVED" : "DENIED"} by ${d.decider}${
        d.reason ? `: ${d.reason}` : ""
      }`;
    case "interceptor_launched":
      return `${d.battery_id} launched interceptor ${d.shot} of ${d.engagement_id} at ${d.track_id}, intercept T+${Math.round(
        d.planned_intercept_t_s,
      )} s (${d.rounds_left} rounds left)`;
    case "engagement_aborted":
      return `Engagement ${d.engagement_id} (${d.battery_id} → ${d.track_id}) aborted: ${d.reason}`;
    case "launcher_reloaded":
      return `${d.battery_id} launcher ${d.launcher} reloaded (${d.rounds} rounds, ${d.reserve} in reserve)`;
    case "intercept_resolved":
      return `[truth] ${d.engagement_id} shot ${d.shot}: ${d.killed ? "KILLED" : "missed"} ${d.threat_id ?? "nothing"}${
        d.miss_m != null ? ` (miss ${Math.round(d.miss_m)} m)` : ""
      }`;
    case "kill_assessed":
      return `Kill assessment ${d.engagement_id} on ${d.track_id}: ${String(d.assessment).toUpperCase()}`;
    case "threat_destroyed":
      return `[truth] ${d.threat_id} destroyed by ${d.battery_id} (${d.engagement_id})`;
    case "response_mark":
      return `[marker] ${d.nation} ${d.step} for ${d.threat_id}${d.ref ? ` (${d.ref})` : ""}${d.detail ? `: ${d.detail}` : ""}`;
    case "bookmark":
      return `Bookmark: ${d.note ?? ""}`;
    case "air_picture":
      return `${d.nation} air picture: ${(d.tracks ?? []).length} track(s)`;
    case "truth_snapshot":
      return `Ground truth: ${(d.threats ?? []).length} threat(s) airborne`;
    default:
      return `${rec.kind}: ${JSON.stringify(d)}`;
  }
}
