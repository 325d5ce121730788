/**
 * The console's panels: clock, alert banner, engagement queue, track details, order errors, the event log and
 * (review mode) the bookmarks.
 */
import type { Bookmark } from "./bookmarks";
import { h } from "./dom";
import { describe, fmtCountdown, fmtScenarioTime, fmtUtc, MARKER_KINDS, SILENT_KINDS } from "./format";
import { identityOf, type Alert, type ExerciseState, type RoleAssignment, type RoleHolder } from "./state";
import type { Identity, JournalRecord, Proposal, Seat } from "./types";

export class ClockPanel {
  readonly el = h("div", { className: "clock", "data-testid": "clock" });

  update(t_s: number, epoch: string, speed: number, running: boolean, status: string): void {
    const text = `${fmtScenarioTime(t_s)}  ${fmtUtc(epoch, t_s)}  ${speed}×  ${status || (running ? "RUNNING" : "PAUSED")}`;
    if (this.el.textContent !== text) {
      this.el.replaceChildren(
        h("span", { className: "t" }, fmtScenarioTime(t_s)),
        h("span", { className: "utc" }, fmtUtc(epoch, t_s)),
        h("span", { className: "speed" }, `${speed}×`),
        h("span", { className: `run ${running ? "running" : "paused"}` }, status || (running ? "RUNNING" : "PAUSED")),
      );
    }
  }
}

/** A banner of recent alerts (launch warnings, new ballistic tracks), each dismissible. */
export class AlertBanner {
  readonly el = h("div", { className: "alert-banner", "data-testid": "alert", role: "alert", hidden: true });
  private readonly dismissed = new Set<string>();
  private shown = "";

  /** Shows alerts raised in the last `window_s` before `t_s` and not dismissed, newest first. */
  update(alerts: Alert[], t_s: number, window_s = 120): void {
    const live = alerts.filter((a) => !this.dismissed.has(a.id) && a.t_s <= t_s && t_s - a.t_s <= window_s).reverse();
    const key = live.map((a) => a.id).join(",");
    if (key === this.shown) return;
    this.shown = key;
    this.el.hidden = live.length === 0;
    this.el.replaceChildren(
      ...live.slice(0, 4).map((a) =>
        h(
          "div",
          { className: `alert-item ${a.kind}` },
          h("span", { className: "alert-time" }, fmtScenarioTime(a.t_s)),
          h("span", { className: "alert-text" }, a.text),
          h("button", { className: "dismiss", title: "Dismiss", onclick: () => this.dismiss(a.id) }, "✕"),
        ),
      ),
      ...(live.length > 4 ? [h("div", { className: "alert-more" }, `+${live.length - 4} more`)] : []),
    );
  }

  private dismiss(id: string): void {
    this.dismissed.add(id);
    this.shown = "";
  }
}

export interface QueueActions {
  approve(p: Proposal): void;
  deny(p: Proposal, reason: string): void;
}

interface QueueRow {
  row: HTMLElement;
  left: HTMLElement;
  controls: (HTMLButtonElement | HTMLInputElement)[];
}

/**
 * Pending engagement proposals with the time left to decide; Approve / Deny (with a reason) where this seat is the
 * decider. While the seat's command role is automated the queue is read-only: the automated commander decides.
 */
export class EngagementQueue {
  readonly el = h("section", { className: "panel queue", "data-testid": "engagement-queue" });
  private readonly list = h("div", { className: "queue-list" });
  private readonly empty = h("div", { className: "muted" }, "No engagement awaits a decision.");
  private readonly note = h(
    "div",
    { className: "queue-note", "data-testid": "queue-note", hidden: true },
    "Read-only: the automated commander decides these engagements. Take over the role to approve or deny.",
  );
  private readonly rows = new Map<string, QueueRow>();
  /** Proposals answered from this console, awaiting the engine's decision record. */
  readonly sent = new Set<string>();

  constructor(
    private readonly seat: Seat,
    private readonly actions: QueueActions,
  ) {
    this.el.append(h("h2", {}, "Engagement queue"), this.note, this.list, this.empty);
  }

  /**
   * `readOnly`: review mode (no decisions at all). `humanDecides`: this seat holds its command role (a human
   * decides); false while the automated commander holds it, which disables Approve / Deny.
   */
  update(proposals: Proposal[], t_s: number, readOnly: boolean, humanDecides = true): void {
    const mine = (p: Proposal) => !readOnly && p.decider === this.seat.role;
    const ordered = [...proposals].sort((a, b) => Number(mine(b)) - Number(mine(a)));
    const keep = new Set(ordered.map((p) => p.proposal_id));
    for (const [id, r] of this.rows) {
      if (!keep.has(id)) {
        r.row.remove();
        this.rows.delete(id);
        this.sent.delete(id);
      }
    }
    for (const p of ordered) {
      let r = this.rows.get(p.proposal_id);
      if (!r) {
        r = this.row(p, mine(p));
        this.rows.set(p.proposal_id, r);
      }
      this.list.append(r.row);
      const remaining = p.latest_launch_t_s - t_s;
      const early = p.earliest_launch_t_s - t_s;
      r.left.textContent =
        remaining < 0 ? "EXPIRED" : `${fmtCountdown(remaining)} left${early >= 1 ? ` (opens in ${fmtCountdown(early)})` : ""}`;
      r.row.classList.toggle("urgent", remaining >= 0 && remaining < 60);
      r.row.classList.toggle("expired", remaining < 0);
      r.row.classList.toggle("automated", !humanDecides);
      const disabled = !humanDecides || remaining < 0 || this.sent.has(p.proposal_id);
      for (const c of r.controls) c.disabled = disabled;
    }
    this.note.hidden = humanDecides || !ordered.some(mine);
    this.empty.hidden = ordered.length > 0;
  }

  private row(p: Proposal, mine: boolean): QueueRow {
    const left = h("span", { className: "left" });
    const controls: (HTMLButtonElement | HTMLInputElement)[] = [];
    let reason: HTMLInputElement | null = null;
    if (mine) {
      reason = h("input", {
        type: "text",
        className: "deny-reason",
        placeholder: "reason",
        title: "Reason sent with Deny",
        maxlength: 200,
        "data-testid": `deny-reason-${p.proposal_id}`,
      });
      const input = reason;
      controls.push(
        h("button", { className: "approve", "data-testid": `approve-${p.proposal_id}`, onclick: () => this.act(p, true, "") }, "Approve"),
        input,
        h("button", { className: "deny", "data-testid": `deny-${p.proposal_id}`, onclick: () => this.act(p, false, input.value) }, "Deny"),
      );
    }
    const row = h(
      "div",
      { className: `proposal${mine ? " mine" : ""}`, "data-testid": `proposal-${p.proposal_id}` },
      h("div", { className: "what" }, h("b", {}, p.proposal_id), ` ${p.battery_id} → ${p.track_id}`),
      h(
        "div",
        { className: "detail" },
        `${p.shots} shot(s), Pk ${Math.round(p.kill_probability * 100)} %`,
        p.requested_by ? `, for ${p.requested_by}` : "",
        mine ? "" : ` — decider ${p.decider}`,
      ),
      h("div", { className: "decide" }, left, ...controls),
    );
    return { row, left, controls };
  }

  /** A refused answer frees the proposal's buttons again. */
  release(proposalId: string): void {
    this.sent.delete(proposalId);
  }

  private act(p: Proposal, approve: boolean, reason: string): void {
    this.sent.add(p.proposal_id);
    if (approve) this.actions.approve(p);
    else this.actions.deny(p, reason);
  }
}

/**
 * Take over / hand back the seat's command role (`assign_role`): shows who holds it ("human" or "automated", from
 * `role_assigned` records) and a toggle, disabled while an order is on its way.
 */
export class RoleControl {
  readonly el: HTMLElement;
  private readonly holderText = h("b", { "data-testid": "role-holder" }, "automated");
  private readonly button = h("button", { "data-testid": "role-toggle" }, "Take over");
  private holder: RoleHolder = "automated";
  /** The holder asked for and not yet confirmed by a `role_assigned` record. */
  private requested: RoleHolder | null = null;

  constructor(
    readonly role: string,
    private readonly send: (human: boolean) => void,
  ) {
    this.button.onclick = () => {
      const human = this.holder !== "human";
      this.requested = human ? "human" : "automated";
      this.render(null);
      this.send(human);
    };
    this.el = h("div", { className: "controls role-control" }, h("span", { className: "muted" }, `${role}:`), this.holderText, this.button);
  }

  update(holder: RoleHolder, assignment: RoleAssignment | undefined): void {
    if (this.requested === holder) this.requested = null;
    this.holder = holder;
    this.render(assignment ?? null);
  }

  /** The order was refused: the toggle is free again. */
  release(): void {
    this.requested = null;
    this.render(null);
  }

  private render(assignment: RoleAssignment | null): void {
    this.holderText.textContent = this.holder;
    this.holderText.className = `holder ${this.holder}`;
    if (assignment) this.holderText.title = `${assignment.holder} since ${fmtScenarioTime(assignment.t_s)} (by ${assignment.source})`;
    this.button.textContent = this.holder === "human" ? "Hand back" : "Take over";
    this.button.title =
      this.holder === "human"
        ? `Hand ${this.role} back to its automated commander`
        : `Take over ${this.role}: this seat decides its engagements`;
    this.button.disabled = this.requested !== null;
  }
}

/** Reasons this seat's orders were refused: by the server (ack / HTTP) or later by the engine (`order_refused`). */
export class OrderErrors {
  readonly el = h("section", { className: "panel errors", "data-testid": "order-error" });
  private readonly list = h("ul", {});
  private readonly local: { t_s: number; text: string }[] = [];
  private key = "";

  constructor() {
    this.el.append(h("h2", {}, "Refused orders"), this.list);
    this.el.hidden = true;
  }

  add(t_s: number, text: string): void {
    this.local.push({ t_s, text });
    this.key = "";
  }

  update(state: ExerciseState, source: string | null): void {
    const engine = state.refusals.filter((r) => !source || r.source === source).map((r) => ({ t_s: r.t_s, text: `${r.order}: ${r.reason}` }));
    const all = [...engine, ...this.local].sort((a, b) => b.t_s - a.t_s).slice(0, 20);
    const key = all.map((e) => `${e.t_s}${e.text}`).join("|");
    if (key === this.key) return;
    this.key = key;
    this.el.hidden = all.length === 0;
    this.list.replaceChildren(...all.map((e) => h("li", {}, h("span", { className: "time" }, fmtScenarioTime(e.t_s)), " ", e.text)));
  }
}

export interface TrackActions {
  identify(trackId: string, identity: Identity): void;
  requestSupport(trackId: string, toNation: string): void;
}

const IDENTITIES: Identity[] = ["pending", "unknown", "assumed_friend", "friend", "suspect", "hostile"];

/** Details of the selected track, with identification and support requests for a commander. */
export class TrackPanel {
  readonly el = h("section", { className: "panel track-panel", "data-testid": "track-panel" });
  private key = "";

  constructor(
    private readonly seat: Seat,
    private readonly partners: string[],
    private readonly actions: TrackActions,
  ) {
    this.el.hidden = true;
  }

  update(state: ExerciseState, nation: string | null, trackId: string | null): void {
    const track = nation && trackId ? state.pictures[nation]?.tracks.find((t) => t.track_id === trackId) : undefined;
    const threat = trackId ? state.threats[trackId] : undefined;
    const identity = trackId ? identityOf(state, trackId) : "pending";
    const key = JSON.stringify([track, threat, identity]);
    if (key === this.key) return;
    this.key = key;
    this.el.hidden = !track;
    if (!track) return this.el.replaceChildren();
    const rows: [string, string][] = [
      ["Class", track.classification],
      ["Identity", identity],
      ["Position", `${track.lat_deg.toFixed(3)}, ${track.lon_deg.toFixed(3)} (σ ${Math.round(track.pos_sigma_m)} m)`],
      ["Altitude", `${(track.alt_m / 1000).toFixed(1)} km`],
      ["Speed", `${Math.round(track.speed_mps)} m/s`],
      ["Source", track.source],
    ];
    if (track.impact) rows.push(["Impact", `${track.impact.lat_deg.toFixed(2)}, ${track.impact.lon_deg.toFixed(2)} at ${fmtScenarioTime(track.impact.t_s)}`]);
    if (threat)
      rows.push([
        "Threat",
        threat.assets.length ? threat.assets.map((a) => `${a.asset_id} ${Math.round(a.probability * 100)} %`).join(", ") : "none to defended assets",
      ]);
    const canOrder = this.seat.kind === "commander" && this.seat.nation === nation;
    const select = h("select", { "data-testid": "identify-select" }, ...IDENTITIES.map((i) => h("option", { value: i, selected: i === identity }, i)));
    this.el.replaceChildren(
      h("h2", {}, track.track_id),
      h("table", {}, ...rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)))),
      canOrder
        ? h(
            "div",
            { className: "track-orders" },
            select,
            h("button", { "data-testid": "identify", onclick: () => this.actions.identify(track.track_id, select.value as Identity) }, "Identify"),
            ...this.partners.map((n) =>
              h("button", { "data-testid": `request-support-${n}`, onclick: () => this.actions.requestSupport(track.track_id, n) }, `Ask ${n} to engage`),
            ),
          )
        : "",
    );
  }
}

/** The event log: newest first, one line per record, filterable by text; pictures and truth snapshots omitted. */
export class EventLog {
  readonly el = h("section", { className: "panel log" });
  private readonly filter = h("input", { type: "search", placeholder: "Filter (text or kind)…", "data-testid": "log-filter" });
  private readonly markers = h("input", { type: "checkbox" });
  private readonly list = h("ol", { className: "log-list", "data-testid": "event-log" });
  private key = "";
  private records: readonly JournalRecord[] = [];
  private visible = 0;

  constructor(showMarkers: boolean) {
    this.markers.checked = showMarkers;
    this.filter.oninput = () => this.render();
    this.markers.onchange = () => this.render();
    this.el.append(
      h("h2", {}, "Event log"),
      h("div", { className: "log-tools" }, this.filter, h("label", {}, this.markers, " evaluation markers")),
      this.list,
    );
  }

  /** `records` in journal order; only those at or before `t_s` are listed. */
  update(records: readonly JournalRecord[], t_s: number): void {
    this.records = records;
    this.visible = upperBound(records, t_s);
    const key = `${records.length}:${this.visible}`;
    if (key !== this.key) {
      this.key = key;
      this.render();
    }
  }

  private render(): void {
    const q = this.filter.value.trim().toLowerCase();
    const showMarkers = this.markers.checked;
    const items: HTMLElement[] = [];
    for (let i = this.visible - 1; i >= 0 && items.length < 400; i--) {
      const r = this.records[i];
      if (SILENT_KINDS.has(r.kind) || (!showMarkers && MARKER_KINDS.has(r.kind))) continue;
      const text = describe(r);
      if (q && !text.toLowerCase().includes(q) && !r.kind.includes(q)) continue;
      items.push(
        h("li", { className: `kind-${r.kind}`, "data-kind": r.kind, "data-seq": r.seq }, h("span", { className: "time" }, fmtScenarioTime(r.t_s)), " ", text),
      );
    }
    this.list.replaceChildren(...items);
  }
}

/**
 * Review mode: the exercise's bookmarks, oldest first (newest last), as `T+hh:mm:ss note`; a click moves the
 * review slider to the bookmark's time. The latest bookmark at or before the review time is marked current.
 */
export class BookmarkPanel {
  readonly el = h("section", { className: "panel bookmarks" });
  private readonly list = h("ol", { className: "bookmark-list", "data-testid": "bookmark-list" });
  private readonly empty = h("div", { className: "muted" }, "No bookmarks.");
  private buttons: HTMLButtonElement[] = [];
  private bookmarks: Bookmark[] = [];
  private key = "";

  constructor(private readonly jump: (t_s: number) => void) {
    this.el.append(h("h2", {}, "Bookmarks"), this.list, this.empty);
  }

  update(bookmarks: Bookmark[], t_s: number): void {
    const key = bookmarks.map((b) => `${b.t_s}\u0000${b.note}`).join("\u0001");
    if (key !== this.key) {
      this.key = key;
      this.bookmarks = bookmarks;
      this.buttons = bookmarks.map((b, i) =>
        h(
          "button",
          {
            className: "bookmark-jump",
            "data-testid": `bookmark-jump-${i}`,
            title: `Review from ${fmtScenarioTime(b.t_s)}${b.seat ? ` (bookmarked by ${b.seat})` : ""}`,
            onclick: () => this.jump(b.t_s),
          },
          h("span", { className: "time" }, fmtScenarioTime(b.t_s)),
          " ",
          b.note,
        ),
      );
      this.list.replaceChildren(...this.buttons.map((b) => h("li", {}, b)));
      this.empty.hidden = bookmarks.length > 0;
    }
    const current = upperBound(this.bookmarks, t_s) - 1;
    this.buttons.forEach((b, i) => b.classList.toggle("current", i === current));
  }
}

/** Number of records with t_s <= t (records in time order). */
export function upperBound(records: readonly { t_s: number }[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid].t_s <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
