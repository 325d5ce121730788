/**
 * The map: offline country boundaries (world-atlas TopoJSON bundled into the build) drawn with d3-geo on SVG,
 * pan and zoom with d3-zoom, overlays in geographic coordinates and MIL-STD-2525 symbols at constant screen size.
 *
 * The projection is Mercator rotated to 175° E so that the scenario area, which crosses the antimeridian
 * (New Zealand to the Chatham Islands), is drawn in one piece.
 */
import { geoArea, geoCircle, geoGraticule10, geoMercator, geoPath, type GeoPermissibleObjects } from "d3-geo";
import { pointer, select, type Selection } from "d3-selection";
import { zoom, zoomIdentity, type ZoomTransform } from "d3-zoom";
import type { FeatureCollection, Polygon } from "geojson";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import { EARTH_RADIUS_M, ellipsePolygon, headingFromEcefVelocity } from "./geo";
import { interceptorsInFlight, identityOf, type ExerciseState } from "./state";
import { batterySidc, sensorSidc, symbolGraphic, trackSidc, truthSidc } from "./symbols";
import type { Scenario, Seat } from "./types";

/** What to draw: the state at the display time, whose air picture, and whether to overlay ground truth. */
export interface MapView {
  state: ExerciseState;
  t_s: number;
  nation: string | null;
  showTruth: boolean;
  selectedTrack: string | null;
}

interface Mark {
  key: string;
  testid?: string;
  cls: string;
  lon: number;
  lat: number;
  svg: string;
  anchor: { x: number; y: number };
  title: string;
  onClick?: () => void;
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** Always in view: the scenario area around New Zealand and east to the Chatham Islands ([lon, lat]). */
const REGION: [number, number][] = [
  [165, -34],
  [-175, -34],
  [165, -48],
  [-175, -48],
];

function radiusDeg(m: number): number {
  return ((m / EARTH_RADIUS_M) * 180) / Math.PI;
}

function circle(lon: number, lat: number, radius_m: number): Polygon {
  return geoCircle()
    .center([lon, lat])
    .radius(radiusDeg(radius_m))
    .precision(2)() as Polygon;
}

/** d3-geo fills the complement of a ring wound the wrong way; turn such a polygon around. */
function outward(p: Polygon): Polygon {
  return geoArea(p) > 2 * Math.PI ? { type: "Polygon", coordinates: p.coordinates.map((r) => [...r].reverse()) } : p;
}

export class MapRenderer {
  readonly svg: SVGSVGElement;
  private readonly geoLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly marksLayer: SVGGElement;
  private readonly projection = geoMercator().rotate([-175, 0]);
  private readonly path = geoPath(this.projection);
  private transform: ZoomTransform = zoomIdentity;
  private readonly marks = new Map<string, { el: SVGGElement; svg: string; x: number; y: number; ax: number; ay: number }>();
  private countries: FeatureCollection | null = null;
  private lastView: MapView | null = null;
  private width = 0;
  private height = 0;
  /** Called with the position of any click on the map; returns true when it used the click (a point pick). */
  onPoint: ((lat_deg: number, lon_deg: number) => boolean) | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly scenario: Scenario,
    private readonly seat: Seat,
    private readonly onSelectTrack: (trackId: string | null) => void,
  ) {
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("data-testid", "map");
    this.svg.classList.add("map");
    container.appendChild(this.svg);
    const root = select(this.svg);
    this.geoLayer = root.append("g").attr("class", "geo");
    for (const name of ["sea", "graticule", "land", "coverage", "assets", "ellipses", "lines", "warnings"]) {
      this.geoLayer.append("g").attr("class", name);
    }
    this.marksLayer = root.append("g").attr("class", "marks").node()!;
    root.on("click", (ev: MouseEvent) => {
      if (ev.target === this.svg || (ev.target as Element).closest(".geo")) this.onSelectTrack(null);
    });
    // Capture phase: while a point is being picked, a click anywhere on the map (symbols included) is the point.
    this.svg.addEventListener(
      "click",
      (ev: MouseEvent) => {
        const at = this.onPoint ? this.lonLatAt(ev) : null;
        if (at && this.onPoint?.(at[1], at[0])) {
          ev.stopPropagation();
          ev.preventDefault();
        }
      },
      true,
    );
    const z = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.3, 60])
      .on("zoom", (ev: { transform: ZoomTransform }) => {
        this.transform = ev.transform;
        this.geoLayer.attr("transform", ev.transform.toString());
        this.placeMarks();
      });
    root.call(z).on("dblclick.zoom", null);
    this.resize();
    new ResizeObserver(() => this.resize()).observe(container);
    void this.loadCountries();
  }

  /** Geographic position [lon, lat] under a mouse event, or null off the projection. */
  private lonLatAt(ev: MouseEvent): [number, number] | null {
    const p = this.transform.invert(pointer(ev, this.svg));
    const ll = this.projection.invert?.(p);
    return ll && Number.isFinite(ll[0]) && Number.isFinite(ll[1]) ? [ll[0], ll[1]] : null;
  }

  private async loadCountries(): Promise<void> {
    // A separate chunk of the build: the UI comes up while the boundaries load, from the server, never a CDN.
    const topo = (await import("world-atlas/countries-50m.json")).default as unknown as Topology;
    this.countries = feature(topo, topo.objects.countries) as unknown as FeatureCollection;
    this.drawBase();
  }

  private resize(): void {
    const w = this.container.clientWidth || 800;
    const h = this.container.clientHeight || 600;
    if (w === this.width && h === this.height) return;
    this.width = w;
    this.height = h;
    this.svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const pts: [number, number][] = [
      ...REGION,
      ...this.scenario.assets.map((a): [number, number] => [a.lon_deg, a.lat_deg]),
      ...this.scenario.batteries.map((b): [number, number] => [b.lon_deg, b.lat_deg]),
    ];
    this.projection.fitExtent(
      [
        [24, 24],
        [w - 24, h - 24],
      ],
      { type: "MultiPoint", coordinates: pts },
    );
    this.drawBase();
    if (this.lastView) this.render(this.lastView);
  }

  /** Sea, graticule, land and the static laydown overlays: redrawn only when the projection changes. */
  private drawBase(): void {
    const g = this.geoLayer;
    g.select("g.sea").selectAll("path").data([0]).join("path").attr("d", this.path({ type: "Sphere" }) ?? "");
    g.select("g.graticule").selectAll("path").data([0]).join("path").attr("d", this.path(geoGraticule10()) ?? "");
    if (this.countries) {
      // Only countries near the scenario area: the rest of the world costs rendering time while panning.
      const [w, h] = [this.width, this.height];
      const near = this.countries.features.filter((f) => {
        const [[x0, y0], [x1, y1]] = this.path.bounds(f);
        return x1 > -2 * w && x0 < 3 * w && y1 > -2 * h && y0 < 3 * h;
      });
      g.select("g.land")
        .selectAll("path")
        .data(near)
        .join("path")
        .attr("d", (f) => this.path(f) ?? "")
        .append("title")
        .text((f) => String(f.properties?.name ?? ""));
    }
    g.select("g.assets")
      .selectAll("path")
      .data(this.scenario.assets)
      .join("path")
      .attr("class", (a) => `asset owner-${a.owner}`)
      .attr("data-testid", (a) => `asset-${a.id}`)
      .attr("d", (a) => this.path(circle(a.lon_deg, a.lat_deg, a.radius_m)) ?? "");
  }

  private geo(obj: GeoPermissibleObjects): string {
    return this.path(obj) ?? "";
  }

  /** Draws the dynamic overlays and symbols of a view. */
  render(view: MapView): void {
    this.lastView = view;
    const { state, nation } = view;
    const picture = nation ? state.pictures[nation] : undefined;
    const tracks = picture?.tracks ?? [];
    const g = this.geoLayer;
    const batteries = this.scenario.batteries.filter((b) => !nation || b.owner === nation || this.seat.kind === "white");

    g.select("g.coverage")
      .selectAll("path")
      .data(batteries, (b: any) => b.id)
      .join("path")
      .attr("class", (b) => `coverage tier-${b.tier}`)
      .attr("d", (b) => this.geo(circle(b.lon_deg, b.lat_deg, b.max_range_m)));

    const ellipses = tracks.filter((t) => t.impact);
    g.select("g.ellipses")
      .selectAll("path")
      .data(ellipses, (t: any) => t.track_id)
      .join("path")
      .attr("class", "impact")
      .attr("data-testid", (t) => `impact-${t.track_id}`)
      .attr("d", (t) => {
        const i = t.impact!;
        return this.geo(outward(ellipsePolygon(i.lat_deg, i.lon_deg, i.semi_major_m, i.semi_minor_m, i.orientation_deg)));
      });

    const byId = new Map(this.scenario.batteries.map((b) => [b.id, b]));
    const flying = interceptorsInFlight(state, view.t_s).filter((i) => byId.has(i.battery_id) && (!nation || i.nation === nation));
    g.select("g.lines")
      .selectAll("path")
      .data(flying, (i: any) => `${i.engagement_id}/${i.shot}`)
      .join("path")
      .attr("class", "engagement")
      .attr("data-testid", (i) => `engagement-${i.engagement_id}`)
      .attr("d", (i) => {
        const b = byId.get(i.battery_id)!;
        return this.geo({
          type: "LineString",
          coordinates: [
            [b.lon_deg, b.lat_deg],
            [i.pip_lon_deg, i.pip_lat_deg],
          ],
        });
      });

    const warnings = state.alerts.filter((a) => a.kind === "launch" && view.t_s - a.t_s < 600);
    g.select("g.warnings")
      .selectAll("path")
      .data(warnings, (a: any) => a.id)
      .join("path")
      .attr("class", "launch-warning")
      .attr("d", (a) => this.geo(circle(a.lon_deg, a.lat_deg, 15_000)));

    const marks: Mark[] = [];
    for (const a of this.scenario.assets) {
      marks.push({
        key: `asset:${a.id}`,
        cls: "asset-label",
        lon: a.lon_deg,
        lat: a.lat_deg,
        svg: `<text x="0" y="0" dy="-0.4em">${escapeXml(a.name)}</text>`,
        anchor: { x: 0, y: 0 },
        title: `${a.name} (${a.id}), value ${a.value}, priority ${a.priority}`,
      });
    }
    for (const s of this.scenario.sensors.filter((s) => !nation || s.owner === nation || this.seat.kind === "white")) {
      const gr = symbolGraphic(sensorSidc(s.type), "", 16);
      const out = view.state.sensors[s.id] === "out";
      marks.push({
        key: `sensor:${s.id}`,
        testid: `sensor-${s.id}`,
        cls: out ? "sensor out" : "sensor",
        lon: s.lon_deg,
        lat: s.lat_deg,
        svg: gr.svg,
        anchor: gr.anchor,
        title: `${s.id} (${s.type})${out ? " — OUT OF ACTION" : ""}`,
      });
    }
    for (const b of batteries) {
      const gr = symbolGraphic(batterySidc(), b.id.split(".").pop() ?? b.id, 18);
      const wcs = state.wcs[b.id] ?? state.wcs[b.owner];
      marks.push({
        key: `battery:${b.id}`,
        testid: `battery-${b.id}`,
        cls: "battery",
        lon: b.lon_deg,
        lat: b.lat_deg,
        svg: gr.svg,
        anchor: gr.anchor,
        title: `${b.id} (${b.type}, ${b.tier} tier), range ${Math.round(b.max_range_m / 1000)} km${wcs ? `, WCS ${wcs}` : ""}`,
      });
    }
    if (view.showTruth && state.truth) {
      for (const th of state.truth.threats) {
        const gr = symbolGraphic(truthSidc(state.threatClass[th.id]), th.id, 16);
        marks.push({
          key: `truth:${th.id}`,
          testid: `truth-${th.id}`,
          cls: "truth",
          lon: th.lon_deg,
          lat: th.lat_deg,
          svg: gr.svg,
          anchor: gr.anchor,
          title: `TRUTH ${th.id}: alt ${Math.round(th.alt_m / 1000)} km`,
        });
      }
    }
    for (const t of tracks) {
      const vel = (t as any).vel_ecef_mps as [number, number, number] | undefined;
      const heading = vel ? Math.round(headingFromEcefVelocity(t.lat_deg, t.lon_deg, vel) / 10) * 10 : undefined;
      const identity = identityOf(state, t.track_id);
      const code = trackSidc(identity, t.classification);
      const label = t.track_id.split(".").pop() ?? t.track_id;
      const gr = symbolGraphic(code, label, 22, heading);
      marks.push({
        key: `track:${t.track_id}`,
        testid: `track-${t.track_id}`,
        cls: `track identity-${identity}${view.selectedTrack === t.track_id ? " selected" : ""}`,
        lon: t.lon_deg,
        lat: t.lat_deg,
        svg: gr.svg,
        anchor: gr.anchor,
        title: `${t.track_id} ${t.classification}, ${identity}, alt ${Math.round(t.alt_m / 1000)} km, ${Math.round(
          t.speed_mps,
        )} m/s (${t.source})`,
        onClick: () => this.onSelectTrack(t.track_id),
      });
    }
    this.syncMarks(marks);
  }

  /** Keeps one DOM group per mark: symbols are re-created only when their graphic changes. */
  private syncMarks(marks: Mark[]): void {
    const seen = new Set<string>();
    for (const m of marks) {
      seen.add(m.key);
      const p = this.projection([m.lon, m.lat]);
      if (!p) continue;
      let entry = this.marks.get(m.key);
      if (!entry) {
        const el = document.createElementNS(SVG_NS, "g");
        this.marksLayer.appendChild(el);
        entry = { el, svg: "", x: 0, y: 0, ax: 0, ay: 0 };
        this.marks.set(m.key, entry);
      }
      const el = entry.el;
      if (entry.svg !== m.svg) {
        el.innerHTML = `<title>${escapeXml(m.title)}</title>${m.svg}`;
        entry.svg = m.svg;
      } else {
        const title = el.querySelector("title");
        if (title && title.textContent !== m.title) title.textContent = m.title;
      }
      el.setAttribute("class", `mark ${m.cls}`);
      if (m.testid) el.setAttribute("data-testid", m.testid);
      el.onclick = m.onClick
        ? (ev) => {
            ev.stopPropagation();
            m.onClick!();
          }
        : null;
      Object.assign(entry, { x: p[0], y: p[1], ax: m.anchor.x, ay: m.anchor.y });
    }
    for (const [key, entry] of this.marks) {
      if (!seen.has(key)) {
        entry.el.remove();
        this.marks.delete(key);
      }
    }
    // Tracks above everything else, in a stable order.
    for (const m of marks) if (m.cls.startsWith("track")) this.marksLayer.appendChild(this.marks.get(m.key)!.el);
    this.placeMarks();
  }

  private placeMarks(): void {
    const t = this.transform;
    for (const { el, x, y, ax, ay } of this.marks.values()) {
      el.setAttribute("transform", `translate(${(t.applyX(x) - ax).toFixed(1)},${(t.applyY(y) - ay).toFixed(1)})`);
    }
  }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}
