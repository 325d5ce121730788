/**
 * The white cell's inject forms: ad hoc ballistic launch, sensor outage, comms cut and weapons control. Each form
 * builds its order with the pure builders of `orders.ts` and hands it to the console, which sends it over the
 * socket (refusals, by the server or later by the engine, show in the refused-orders panel).
 */
import { h } from "./dom";
import {
  commandNodeSuggestions,
  commsCut,
  DEFAULT_THREAT_TYPE,
  defaultActor,
  launchBallistic,
  nextThreatId,
  sensorOutage,
  setWeaponsControl,
  WEAPONS_CONTROL,
  type Built,
} from "./orders";
import { nodeIdsSeen, type ExerciseState } from "./state";
import type { Order, Scenario } from "./types";

export interface InjectActions {
  /** Sends a well-formed order; `what` names it in the refused-orders panel. */
  send(order: Order, what: string): void;
  /** A form could not build its order. */
  invalid(what: string, reason: string): void;
}

type PickWhat = "origin" | "aim";

const DEFAULT_DURATION_S = "300";

function field(label: string, input: HTMLElement): HTMLElement {
  return h("label", { className: "field" }, h("span", {}, label), input);
}

function text(testid: string, value = "", placeholder = "", size = 8): HTMLInputElement {
  return h("input", { type: "text", "data-testid": testid, value, placeholder, size });
}

export class InjectPanel {
  readonly el = h("section", { className: "panel inject", "data-testid": "inject-panel" });
  private readonly status = h("div", { className: "inject-status muted", "data-testid": "inject-status" });

  // launch
  private readonly threatId = text("inject-launch-id", "adhoc1", "adhoc1");
  private autoId = "adhoc1";
  private readonly threatType = text("inject-launch-type", DEFAULT_THREAT_TYPE, "mrbm-a");
  private readonly actor: HTMLInputElement;
  private readonly originLat = text("inject-launch-origin-lat", "", "lat °", 7);
  private readonly originLon = text("inject-launch-origin-lon", "", "lon °", 7);
  private readonly target: HTMLSelectElement;
  private readonly aimLat = text("inject-launch-aim-lat", "", "lat °", 7);
  private readonly aimLon = text("inject-launch-aim-lon", "", "lon °", 7);
  private readonly count = h("input", { type: "number", min: 1, step: 1, value: "1", "data-testid": "inject-launch-count" });
  private readonly pickButtons: Record<PickWhat, HTMLButtonElement>;
  private picking: PickWhat | null = null;
  private readonly sentIds = new Set<string>();

  // outage
  private readonly sensor: HTMLSelectElement;
  private readonly outageDuration = text("inject-outage-duration", DEFAULT_DURATION_S, "s", 5);

  // comms
  private readonly commsA: HTMLInputElement;
  private readonly commsB: HTMLInputElement;
  private readonly commsDuration = text("inject-comms-duration", DEFAULT_DURATION_S, "s", 5);
  private readonly nodes = h("datalist", { id: "inject-nodes" });
  private nodesKey = "";

  // weapons control
  private readonly wcsNation: HTMLSelectElement;
  private readonly wcsStatus: HTMLSelectElement;
  private readonly wcsBattery = h("select", { "data-testid": "inject-wcs-battery", title: "Battery (or the whole nation)" });
  private readonly wcsNow = h("span", { className: "muted wcs-now", "data-testid": "inject-wcs-now" });

  constructor(
    private readonly scenario: Scenario,
    private readonly actions: InjectActions,
  ) {
    this.actor = text("inject-launch-actor", defaultActor(scenario), "red", 6);
    this.target = h(
      "select",
      { "data-testid": "inject-launch-target", title: "Target asset, or an aim point" },
      ...scenario.assets.map((a, i) => h("option", { value: a.id, selected: i === 0 }, `${a.name} (${a.id})`)),
      h("option", { value: "" }, "aim point…"),
    );
    this.target.onchange = () => this.syncAim();
    this.pickButtons = {
      origin: this.pickButton("origin"),
      aim: this.pickButton("aim"),
    };
    this.sensor = h(
      "select",
      { "data-testid": "inject-outage-sensor" },
      ...scenario.sensors.map((s) => h("option", { value: s.id }, `${s.id} (${s.type})`)),
    );
    const suggested = commandNodeSuggestions(scenario);
    const firstNation = scenario.nations[0]?.id;
    const cell = scenario.coordination_cell?.id ?? "";
    const top = scenario.command_nodes?.find((n) => n.id !== cell && (!firstNation || n.nation === firstNation))?.id ?? "";
    this.commsA = h("input", {
      type: "text",
      list: "inject-nodes",
      "data-testid": "inject-comms-a",
      value: top,
      placeholder: firstNation ? `${firstNation}.ncc` : "node id",
      size: 10,
    });
    this.commsB = h("input", {
      type: "text",
      list: "inject-nodes",
      "data-testid": "inject-comms-b",
      value: cell,
      placeholder: cell || "ccc",
      size: 10,
    });
    this.setNodes(suggested);
    this.wcsNation = h(
      "select",
      { "data-testid": "inject-wcs-nation" },
      ...scenario.nations.map((n) => h("option", { value: n.id }, n.name)),
    );
    this.wcsNation.onchange = () => this.syncBatteries();
    this.wcsStatus = h(
      "select",
      { "data-testid": "inject-wcs-status" },
      ...WEAPONS_CONTROL.map((s) => h("option", { value: s, selected: s === "tight" }, s.toUpperCase())),
    );
    this.syncBatteries();
    this.syncAim();

    const button = (testid: string, label: string, onclick: () => void) => h("button", { "data-testid": testid, onclick }, label);
    this.el.append(
      h("h2", {}, "White cell injects"),
      h(
        "form",
        { className: "inject-form", onsubmit: (ev: Event) => ev.preventDefault() },
        h("h3", {}, "Ballistic launch"),
        h("div", { className: "row" }, field("id", this.threatId), field("type", this.threatType), field("actor", this.actor), field("count", this.count)),
        h("div", { className: "row" }, field("origin", this.originLat), this.originLon, this.pickButtons.origin),
        h("div", { className: "row" }, field("target", this.target)),
        h("div", { className: "row" }, field("aim", this.aimLat), this.aimLon, this.pickButtons.aim),
        h("div", { className: "row end" }, button("inject-launch", "Launch", () => this.launch())),
      ),
      h(
        "form",
        { className: "inject-form", onsubmit: (ev: Event) => ev.preventDefault() },
        h("h3", {}, "Sensor outage"),
        h(
          "div",
          { className: "row" },
          field("sensor", this.sensor),
          field("for (s)", this.outageDuration),
          button("inject-outage", "Cut sensor", () => this.outage()),
        ),
      ),
      h(
        "form",
        { className: "inject-form", onsubmit: (ev: Event) => ev.preventDefault() },
        h("h3", {}, "Comms cut"),
        h(
          "div",
          { className: "row" },
          field("between", this.commsA),
          field("and", this.commsB),
          field("for (s)", this.commsDuration),
          button("inject-comms", "Cut comms", () => this.comms()),
        ),
        this.nodes,
      ),
      h(
        "form",
        { className: "inject-form", onsubmit: (ev: Event) => ev.preventDefault() },
        h("h3", {}, "Weapons control"),
        h(
          "div",
          { className: "row" },
          field("nation", this.wcsNation),
          field("battery", this.wcsBattery),
          field("status", this.wcsStatus),
          button("inject-wcs", "Set", () => this.wcs()),
        ),
        h("div", { className: "row" }, this.wcsNow),
      ),
      this.status,
    );
  }

  /** Keeps the suggestions and the current states in step with the exercise. */
  update(state: ExerciseState): void {
    const used = [...Object.keys(state.threatClass), ...this.sentIds];
    if (this.threatId.value === this.autoId) {
      const next = nextThreatId(used);
      if (next !== this.autoId) this.threatId.value = this.autoId = next;
    }
    this.setNodes(commandNodeSuggestions(this.scenario, nodeIdsSeen(state)));
    const nation = this.wcsNation.value;
    const battery = this.wcsBattery.value;
    const now = battery ? (state.wcs[battery] ?? state.wcs[nation]) : state.wcs[nation];
    const text = now ? `now ${battery || nation}: ${now.toUpperCase()}` : "";
    if (this.wcsNow.textContent !== text) this.wcsNow.textContent = text;
    for (const opt of Array.from(this.sensor.options)) {
      const out = state.sensors[opt.value] === "out";
      opt.textContent = `${opt.value}${out ? " — OUT" : ""}`;
    }
  }

  /** A map click while a pick button is armed fills that point; true when the click was used. */
  mapClick(lat_deg: number, lon_deg: number): boolean {
    if (!this.picking) return false;
    const [lat, lon] = this.picking === "origin" ? [this.originLat, this.originLon] : [this.aimLat, this.aimLon];
    lat.value = lat_deg.toFixed(4);
    lon.value = lon_deg.toFixed(4);
    if (this.picking === "aim") {
      this.target.value = "";
      this.syncAim();
    }
    this.setPicking(null);
    return true;
  }

  private pickButton(what: PickWhat): HTMLButtonElement {
    return h(
      "button",
      {
        type: "button",
        className: "pick",
        title: `Click the map to set the ${what}`,
        "data-testid": `inject-launch-pick-${what}`,
        onclick: () => this.setPicking(this.picking === what ? null : what),
      },
      "Pick",
    );
  }

  private setPicking(what: PickWhat | null): void {
    this.picking = what;
    for (const [k, b] of Object.entries(this.pickButtons)) b.classList.toggle("armed", k === what);
    document.body.classList.toggle("map-picking", what !== null);
  }

  private syncAim(): void {
    const aimed = this.target.value === "";
    // The aim pick stays enabled: a picked aim point replaces the target asset.
    this.aimLat.disabled = this.aimLon.disabled = !aimed;
  }

  private syncBatteries(): void {
    const nation = this.wcsNation.value;
    this.wcsBattery.replaceChildren(
      h("option", { value: "" }, "whole nation"),
      ...this.scenario.batteries.filter((b) => b.owner === nation).map((b) => h("option", { value: b.id }, b.id)),
    );
  }

  private setNodes(ids: string[]): void {
    const key = ids.join(",");
    if (key === this.nodesKey) return;
    this.nodesKey = key;
    this.nodes.replaceChildren(...ids.map((id) => h("option", { value: id })));
  }

  private submit<T extends Order>(built: Built<T>, what: string): T | null {
    if (!built.ok) {
      this.actions.invalid(what, built.error);
      this.status.textContent = `${what}: ${built.error}`;
      return null;
    }
    this.actions.send(built.order, what);
    this.status.textContent = `sent ${what}`;
    return built.order;
  }

  private launch(): void {
    const order = this.submit(
      launchBallistic({
        threat_id: this.threatId.value,
        threat_type: this.threatType.value,
        actor: this.actor.value,
        origin_lat: this.originLat.value,
        origin_lon: this.originLon.value,
        target: this.target.value,
        aim_lat: this.aimLat.value,
        aim_lon: this.aimLon.value,
        count: this.count.value,
      }),
      `launch ${this.threatId.value.trim() || "?"}`,
    );
    if (!order) return;
    this.sentIds.add(order.threat_id);
    this.threatId.value = this.autoId = nextThreatId([...this.sentIds]);
  }

  private outage(): void {
    this.submit(sensorOutage(this.sensor.value, this.outageDuration.value), `outage ${this.sensor.value}`);
  }

  private comms(): void {
    this.submit(commsCut(this.commsA.value, this.commsB.value, this.commsDuration.value), `comms cut ${this.commsA.value} ⇄ ${this.commsB.value}`);
  }

  private wcs(): void {
    const target = this.wcsBattery.value || this.wcsNation.value;
    this.submit(setWeaponsControl(this.wcsNation.value, this.wcsStatus.value, this.wcsBattery.value), `WCS ${target} ${this.wcsStatus.value}`);
  }
}
