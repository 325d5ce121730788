/**
 * The console: one page per seat (`/?token=TOKEN`). Live mode keeps the state from the WebSocket feed; review
 * mode (`amdx replay`) rebuilds the state at the slider time from the whole journal.
 */
import "./style.css";
import { mergeBookmarks, type Bookmark } from "./bookmarks";
import { ApiError, ProtocolClient } from "./client";
import { h } from "./dom";
import { MapRenderer } from "./map";
import { InjectPanel } from "./inject";
import { assignRole, denyEngagement } from "./orders";
import { AlertBanner, BookmarkPanel, ClockPanel, EngagementQueue, EventLog, OrderErrors, RoleControl, TrackPanel } from "./panels";
import { initialState, pendingProposals, reduceAll, roleHolder, Timeline, type ExerciseState } from "./state";
import type {
  Clock,
  ControlAction,
  Identity,
  JournalRecord,
  Order,
  Proposal,
  Scenario,
  Seat,
  Session,
  SessionBookmark,
} from "./types";

const SPEEDS = [0.5, 1, 2, 5, 10, 20];
const TRUTH = "truth";

class Console {
  private readonly seat: Seat;
  private readonly scenario: Scenario;
  private readonly replay: boolean;
  private records: JournalRecord[] = [];
  private state: ExerciseState = initialState();
  private timeline: Timeline | null = null;
  private clock: Clock & { at: number };
  private connected = false;
  private view: string;
  private showTruth: boolean;
  private selectedTrack: string | null = null;
  private reviewT = 0;
  private playing = false;
  /** Orders sent and not yet acknowledged: their name, and what to free again when refused. */
  private readonly pendingOrders = new Map<string, { what: string; release?: () => void }>();

  private readonly clockPanel = new ClockPanel();
  private readonly alerts = new AlertBanner();
  private readonly queue: EngagementQueue;
  private readonly errors = new OrderErrors();
  private readonly trackPanel: TrackPanel;
  private readonly log: EventLog;
  private readonly inject: InjectPanel | null = null;
  private readonly roleControl: RoleControl | null = null;
  /** Review mode: the session's bookmarks and those among the records, with a click to jump there. */
  private readonly bookmarkPanel: BookmarkPanel | null = null;
  private readonly sessionBookmarks: SessionBookmark[];
  private bookmarks: { records: number; list: Bookmark[] } | null = null;
  private readonly map: MapRenderer;
  private slider: HTMLInputElement | null = null;
  private dirty = true;

  constructor(
    session: Session,
    private readonly client: ProtocolClient,
    root: HTMLElement,
  ) {
    this.seat = session.seat;
    this.scenario = session.scenario;
    this.replay = session.mode === "replay";
    this.clock = { ...session.clock, at: performance.now() };
    const nations = this.scenario.nations.map((n) => n.id);
    this.view = this.seat.nation ?? nations[0] ?? TRUTH;
    this.showTruth = this.seat.kind === "white" || this.replay;
    this.sessionBookmarks = Array.isArray(session.bookmarks) ? session.bookmarks : [];
    if (this.replay) this.bookmarkPanel = new BookmarkPanel((t) => this.jumpTo(t));
    this.queue = new EngagementQueue(this.seat, {
      approve: (p) => this.answer(p, true),
      deny: (p, reason) => this.answer(p, false, reason),
    });
    if (this.seat.kind === "white" && !this.replay) {
      this.inject = new InjectPanel(this.scenario, {
        send: (order, what) => this.order(order, what),
        invalid: (what, reason) => this.onError(`${what}: ${reason}`),
      });
    }
    const role = this.seat.role;
    if ((this.seat.kind === "commander" || this.seat.kind === "battery") && role && !this.replay) {
      const control: RoleControl = new RoleControl(role, (human) =>
        this.order(assignRole(role, human), human ? `take over ${role}` : `hand back ${role}`, () => control.release()),
      );
      this.roleControl = control;
    }
    this.trackPanel = new TrackPanel(
      this.seat,
      nations.filter((n) => n !== this.seat.nation),
      {
        identify: (track_id, identity: Identity) =>
          this.order({ kind: "identify", nation: this.seat.nation!, track_id, identity }, `identify ${track_id}`),
        requestSupport: (track_id, to_nation) =>
          this.order({ kind: "request_support", nation: this.seat.nation!, to_nation, track_id }, `support ${track_id}`),
      },
    );
    this.log = new EventLog(this.seat.kind === "white");

    const mapBox = h("div", { className: "map-box" });
    root.replaceChildren(
      this.header(),
      this.alerts.el,
      h("main", {}, mapBox, h("aside", {}, this.bookmarkPanel?.el ?? "", this.queue.el, this.inject?.el ?? "", this.trackPanel.el, this.errors.el, this.log.el)),
      this.replay ? this.reviewBar() : "",
    );
    this.map = new MapRenderer(mapBox, this.scenario, this.seat, (id) => {
      this.selectedTrack = id;
      this.dirty = true;
    });
    if (this.inject) {
      const inject = this.inject;
      this.map.onPoint = (lat, lon) => inject.mapClick(lat, lon);
    }
    setInterval(() => this.tick(), 250);
    const frame = () => {
      if (this.dirty) this.render();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  async start(): Promise<void> {
    if (this.replay) {
      this.timeline = new Timeline(await this.client.eventsSince(0));
      this.records = [...this.timeline.all];
      this.dirty = true;
      return;
    }
    this.client.connect(0);
  }

  // --- feed -------------------------------------------------------------------------------------------------
  onRecords(records: JournalRecord[]): void {
    this.records.push(...records);
    this.state = reduceAll(records, this.state);
    this.dirty = true;
  }

  onClock(c: Clock): void {
    this.clock = { ...c, at: performance.now() };
    this.dirty = true;
  }

  onConnection(open: boolean): void {
    this.connected = open;
    this.dirty = true;
  }

  onAck(ref: string, accepted: boolean, reason: string): void {
    const pending = this.pendingOrders.get(ref);
    this.pendingOrders.delete(ref);
    if (accepted) return;
    this.errors.add(this.now(), `${pending?.what ?? ref}: ${reason || "refused"}`);
    pending?.release?.();
    this.dirty = true;
  }

  onError(reason: string): void {
    this.errors.add(this.now(), reason);
    this.dirty = true;
  }

  // --- orders -----------------------------------------------------------------------------------------------
  private order(order: Order, what: string, release?: () => void): void {
    this.pendingOrders.set(this.client.order(order), { what, release });
  }

  private answer(p: Proposal, approve: boolean, reason = ""): void {
    const release = () => this.queue.release(p.proposal_id);
    if (approve) {
      this.order(
        {
          kind: "engage",
          nation: p.nation,
          battery_id: p.battery_id,
          track_id: p.track_id,
          shots: p.shots,
          proposal_id: p.proposal_id,
        },
        `approve ${p.proposal_id}`,
        release,
      );
    } else {
      const fallback = `denied at the console by ${this.seat.role ?? this.seat.seat_id}`;
      this.order(denyEngagement(p, reason, fallback), `deny ${p.proposal_id}`, release);
    }
    this.dirty = true;
  }

  // --- time -------------------------------------------------------------------------------------------------
  /** Display time: the slider in review mode, else the server clock extrapolated between its 2 Hz messages. */
  private now(): number {
    if (this.replay) return this.reviewT;
    const c = this.clock;
    const t = c.running ? c.t_s + ((performance.now() - c.at) / 1000) * c.speed : c.t_s;
    return Math.min(Math.max(t, 0), this.scenario.duration_s);
  }

  /** Review mode: moves the slider (and so the rebuilt state) to `t_s`. */
  private jumpTo(t_s: number): void {
    this.reviewT = Math.min(Math.max(t_s, 0), this.scenario.duration_s);
    if (this.slider) this.slider.value = String(this.reviewT);
    this.dirty = true;
  }

  /** Session bookmarks merged with the `bookmark` records, recomputed only when records arrive. */
  private bookmarkList(): Bookmark[] {
    if (this.bookmarks?.records !== this.records.length)
      this.bookmarks = { records: this.records.length, list: mergeBookmarks(this.sessionBookmarks, this.records) };
    return this.bookmarks.list;
  }

  private tick(): void {
    if (this.replay && this.playing && this.slider) {
      this.reviewT = Math.min(this.reviewT + 0.25 * 10, this.scenario.duration_s);
      this.slider.value = String(this.reviewT);
      if (this.reviewT >= this.scenario.duration_s) this.playing = false;
    }
    this.dirty = true;
  }

  // --- rendering --------------------------------------------------------------------------------------------
  private render(): void {
    this.dirty = false;
    const t = this.now();
    const state = this.timeline ? this.timeline.at(t) : this.state;
    const nation = this.view === TRUTH ? null : this.view;
    const status = this.replay ? "REVIEW" : !this.connected ? "OFFLINE" : state.ended ? "ENDED" : "";
    this.clockPanel.update(t, this.clock.epoch || this.scenario.epoch, this.replay ? 10 : this.clock.speed, this.replay ? this.playing : this.clock.running, status);
    this.alerts.update(nation ? state.alerts.filter((a) => a.nation === nation) : state.alerts, t);
    const proposals = pendingProposals(state).filter((p) => !nation || p.nation === nation);
    const humanDecides = !this.roleControl || roleHolder(state, this.seat.role) === "human";
    this.queue.update(proposals, t, this.replay, humanDecides);
    this.roleControl?.update(roleHolder(state, this.seat.role), this.seat.role ? state.roles[this.seat.role] : undefined);
    this.inject?.update(state);
    this.trackPanel.update(state, nation, this.selectedTrack);
    this.errors.update(state, this.seat.role ?? (this.seat.kind === "white" ? "white" : null));
    this.log.update(this.records, t);
    this.bookmarkPanel?.update(this.bookmarkList(), t);
    this.map.render({ state, t_s: t, nation, showTruth: this.showTruth && !!state.truth, selectedTrack: this.selectedTrack });
  }

  private header(): HTMLElement {
    const seatText = `${this.seat.kind}${this.seat.role ? ` ${this.seat.role}` : this.seat.nation ? ` ${this.seat.nation}` : ""}`;
    const items: (HTMLElement | string)[] = [
      h("div", { className: "title" }, h("b", {}, this.scenario.name), h("span", { className: "seat" }, seatText)),
      this.clockPanel.el,
    ];
    if (this.seat.kind === "white" && !this.replay) items.push(this.controls());
    // The live server takes bookmarks from the white cell only (403 for every other seat).
    if (this.seat.kind === "white" && !this.replay) items.push(this.bookmark());
    if (this.seat.kind === "commander" && this.seat.nation && !this.replay) items.push(this.wcsControl(this.seat.nation));
    if (this.roleControl) items.push(this.roleControl.el);
    if (this.replay || !this.seat.nation) items.push(this.viewSelect());
    return h("header", {}, ...items);
  }

  private controls(): HTMLElement {
    const button = (action: ControlAction, label: string) =>
      h("button", { "data-testid": `control-${action}`, onclick: () => this.client.control(action) }, label);
    const speed = h(
      "select",
      { "data-testid": "control-speed", title: "Exercise speed", onchange: () => this.client.control("speed", Number(speed.value)) },
      ...SPEEDS.map((s) => h("option", { value: s, selected: s === this.clock.speed }, `${s}×`)),
    );
    return h("div", { className: "controls" }, button("start", "Start"), button("pause", "Pause"), button("resume", "Resume"), speed);
  }

  private bookmark(): HTMLElement {
    const note = h("input", { type: "text", placeholder: "Bookmark note", "data-testid": "bookmark-note" });
    const save = () => {
      this.client.bookmark(note.value.trim() || `bookmark at ${Math.round(this.now())} s`);
      note.value = "";
    };
    return h("div", { className: "controls" }, note, h("button", { "data-testid": "bookmark", onclick: save }, "Bookmark"));
  }

  private wcsControl(nation: string): HTMLElement {
    const select = h(
      "select",
      { "data-testid": "wcs-select", title: "Weapons control status of the nation" },
      h("option", { value: "" }, "WCS…"),
      ...["free", "tight", "hold"].map((s) => h("option", { value: s }, s.toUpperCase())),
    );
    select.onchange = () => {
      if (select.value) this.order({ kind: "set_weapons_control", nation, status: select.value }, `WCS ${select.value}`);
      select.value = "";
    };
    return h("div", { className: "controls" }, select);
  }

  private viewSelect(): HTMLElement {
    const canTruth = this.seat.kind === "white" || this.replay;
    const select = h(
      "select",
      { "data-testid": "view-select", title: "Whose picture to show" },
      ...this.scenario.nations.map((n) => h("option", { value: n.id, selected: n.id === this.view }, `${n.name} picture`)),
      canTruth ? h("option", { value: TRUTH }, "Ground truth only") : null,
    );
    select.onchange = () => {
      this.view = select.value;
      this.selectedTrack = null;
      this.dirty = true;
    };
    const parts: HTMLElement[] = [select];
    if (canTruth) {
      const box = h("input", { type: "checkbox", "data-testid": "truth-toggle", checked: this.showTruth });
      box.onchange = () => {
        this.showTruth = box.checked;
        this.dirty = true;
      };
      parts.push(h("label", {}, box, " ground truth"));
    }
    return h("div", { className: "controls" }, ...parts);
  }

  private reviewBar(): HTMLElement {
    const slider = h("input", {
      type: "range",
      min: 0,
      max: this.scenario.duration_s,
      step: 1,
      value: 0,
      "data-testid": "review-slider",
    });
    slider.oninput = () => {
      this.reviewT = Number(slider.value);
      this.dirty = true;
    };
    this.slider = slider;
    const play = h("button", { "data-testid": "review-play" }, "▶ 10×");
    play.onclick = () => {
      this.playing = !this.playing;
      play.textContent = this.playing ? "❚❚" : "▶ 10×";
    };
    return h("footer", { className: "review" }, play, slider);
  }
}

function fail(root: HTMLElement, message: string): void {
  root.replaceChildren(h("div", { className: "fatal" }, h("h1", {}, "amdx console"), h("p", {}, message)));
}

async function main(): Promise<void> {
  const root = document.getElementById("app")!;
  const token = new URLSearchParams(window.location.search).get("token");
  if (!token) return fail(root, "No seat token. Open the URL that `amdx serve` printed for your seat (…/?token=…).");
  let app: Console | null = null;
  const client = new ProtocolClient(token, {
    onRecords: (r) => app?.onRecords(r),
    onClock: (c) => app?.onClock(c),
    onAck: (ref, ok, reason) => app?.onAck(ref, ok, reason),
    onError: (reason) => app?.onError(reason),
    onConnection: (open) => app?.onConnection(open),
  });
  let session: Session;
  try {
    session = await client.session();
  } catch (e) {
    const denied = e instanceof ApiError && e.status === 401;
    return fail(root, denied ? "The server does not know this seat token." : `Cannot reach the server: ${(e as Error).message}`);
  }
  document.title = `${session.scenario.name} — amdx`;
  app = new Console(session, client, root);
  await app.start();
}

void main();
