// A development stand-in for `amdx serve` (not shipped): plays a journal export (JSON Lines) over the live
// exercise protocol of docs/server-protocol.md, and serves the built console from dist/.
//
//   node dev/mock-server.mjs [--fixture FILE.jsonl] [--port 8765] [--human north.ncc] [--replay] [--autostart]
//                            [--bookmark SECONDS:NOTE ...]
//
// Seats (token → seat): white, ccc, north (commander north.ncc), south (commander south.ncc), north-bty1.
// --human ROLE withholds the recorded decisions of ROLE so that the console's Approve / Deny make them, and starts
// with ROLE held by a human (a `role_assigned` record); the seats' Take over / Hand back toggle it.
// --bookmark SECONDS:NOTE (repeatable) adds a white-cell `bookmark` record to the fixture (to try review mode's
// bookmarks; with --replay the session lists them too, as `amdx replay` does). Only the white cell bookmarks.
// White-cell injects are acknowledged and logged (`order_accepted`) but change nothing: the fixture is fixed.
// Records are renumbered in the order they are released, as a live journal would number them.
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const flag = (name) => args.includes(`--${name}`);
const here = fileURLToPath(new URL(".", import.meta.url));
const fixture = opt("fixture", join(here, "../test/fixtures/default_seed7_all.jsonl"));
const port = Number(opt("port", "8765"));
const humans = new Set(args.flatMap((a, i) => (args[i - 1] === "--human" ? [a] : [])));
const replay = flag("replay");
const extraBookmarks = args.flatMap((a, i) => {
  if (args[i - 1] !== "--bookmark") return [];
  const [t, ...note] = a.split(":");
  return [{ kind: "bookmark", t_s: Number(t), visible_to: ["controller"], data: { seat: "white", note: note.join(":") || `bookmark at ${t} s` } }];
});
const dist = join(here, "../dist");

const source = readFileSync(fixture, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l))
  .filter((r) => !(r.kind === "engagement_decided" && humans.has(r.data.decider)))
  .concat(extraBookmarks)
  .sort((a, b) => a.t_s - b.t_s); // stable: the fixture keeps its journal order

const SEATS = {
  white: { seat_id: "white", kind: "white", nation: null, role: "white" },
  ccc: { seat_id: "ccc", kind: "ccc", nation: null, role: "ccc" },
  north: { seat_id: "north-cmd", kind: "commander", nation: "north", role: "north.ncc" },
  south: { seat_id: "south-cmd", kind: "commander", nation: "south", role: "south.ncc" },
  "north-bty1": { seat_id: "north-bty1", kind: "battery", nation: "north", role: "north.bty1" },
};

// The default scenario's laydown (src/amdx/scenario/library/default.yaml and the bundled catalog).
const SCENARIO = {
  name: "Exercise Southern Shield",
  epoch: "2026-05-04T06:00:00Z",
  duration_s: 1800,
  nations: [
    { id: "north", name: "Republic of Norland", colour: "#2b6cb0" },
    { id: "south", name: "Commonwealth of Sudmark", colour: "#2f855a" },
  ],
  assets: [
    { id: "north.capital", name: "Wellington", owner: "north", lat_deg: -41.2865, lon_deg: 174.7762, radius_m: 8000, value: 100, priority: 1 },
    { id: "north.port", name: "Port of Auckland", owner: "north", lat_deg: -36.842, lon_deg: 174.78, radius_m: 5000, value: 60, priority: 2 },
    { id: "north.air", name: "Ohakea air base", owner: "north", lat_deg: -40.206, lon_deg: 175.388, radius_m: 3000, value: 50, priority: 2 },
    { id: "south.capital", name: "Christchurch", owner: "south", lat_deg: -43.5321, lon_deg: 172.6362, radius_m: 8000, value: 100, priority: 1 },
    { id: "south.port", name: "Dunedin and Port Chalmers", owner: "south", lat_deg: -45.8788, lon_deg: 170.5028, radius_m: 5000, value: 60, priority: 2 },
    { id: "south.air", name: "Woodbourne air base", owner: "south", lat_deg: -41.5183, lon_deg: 173.87, radius_m: 3000, value: 50, priority: 2 },
  ],
  sensors: [
    { id: "north.ewr1", owner: "north", type: "ewr-l", lat_deg: -39.65, lon_deg: 176.55 },
    { id: "north.fcr1", owner: "north", type: "fcr-x", lat_deg: -41.2, lon_deg: 174.9 },
    { id: "north.sbw1", owner: "north", type: "sbw-a", lat_deg: -41.1, lon_deg: 175.3 },
    { id: "south.ewr1", owner: "south", type: "ewr-l", lat_deg: -43.75, lon_deg: 173.0 },
    { id: "south.fcr1", owner: "south", type: "fcr-x", lat_deg: -43.55, lon_deg: 172.7 },
  ],
  batteries: [
    { id: "north.bty1", owner: "north", type: "sam-upper", tier: "upper", lat_deg: -41.2, lon_deg: 174.9, max_range_m: 200000, launchers: 4, rounds: 16 },
    { id: "north.bty2", owner: "north", type: "sam-lower", tier: "lower", lat_deg: -41.3, lon_deg: 174.8, max_range_m: 60000, launchers: 4, rounds: 16 },
    { id: "north.bty3", owner: "north", type: "sam-lower", tier: "lower", lat_deg: -40.21, lon_deg: 175.4, max_range_m: 60000, launchers: 2, rounds: 8 },
    { id: "south.bty1", owner: "south", type: "sam-upper", tier: "upper", lat_deg: -43.55, lon_deg: 172.7, max_range_m: 200000, launchers: 4, rounds: 16 },
    { id: "south.bty2", owner: "south", type: "sam-lower", tier: "lower", lat_deg: -43.5, lon_deg: 172.6, max_range_m: 60000, launchers: 4, rounds: 16 },
  ],
};

function scenarioFor(seat) {
  if (!seat.nation) return SCENARIO;
  const own = (x) => x.owner === seat.nation;
  return { ...SCENARIO, sensors: SCENARIO.sensors.filter(own), batteries: SCENARIO.batteries.filter(own) };
}

function sees(seat, rec) {
  if (seat.kind === "white") return true;
  if (seat.kind === "ccc") return rec.visible_to.some((v) => v !== "controller");
  return rec.visible_to.includes(seat.nation);
}

// --- the exercise: a clock, the released journal, pending injected records ---------------------------------
const clock = { t_s: 0, speed: 1, running: flag("autostart"), epoch: SCENARIO.epoch };
let lastTick = Date.now();
let next = 0; // index of the next fixture record to release
const journal = []; // released records, renumbered
const clients = new Set();

function append(rec) {
  const r = { ...rec, seq: journal.length + 1 };
  journal.push(r);
  return r;
}

function publish(records) {
  for (const c of clients) {
    const mine = records.filter((r) => sees(c.seat, r));
    if (mine.length) c.ws.send(JSON.stringify({ type: "events", events: mine }));
  }
}

function tick() {
  const now = Date.now();
  if (clock.running) clock.t_s = Math.min(clock.t_s + ((now - lastTick) / 1000) * clock.speed, SCENARIO.duration_s);
  lastTick = now;
  const out = [];
  while (next < source.length && source[next].t_s <= clock.t_s) out.push(append(source[next++]));
  if (out.length) publish(out);
}

if (replay) {
  while (next < source.length) append(source[next++]);
  clock.t_s = SCENARIO.duration_s;
}

setInterval(tick, 100);
setInterval(() => {
  const msg = JSON.stringify({ type: "clock", ...clock });
  for (const c of clients) c.ws.send(msg);
}, 500);

const nationOf = (role) => String(role).split(".")[0];
const WHITE_ORDERS = new Set(["launch_ballistic", "launch_route", "sensor_outage", "comms_cut", "set_weapons_control", "inject"]);

function roleAssigned(role, human, source) {
  return append({
    kind: "role_assigned",
    t_s: clock.t_s,
    visible_to: ["controller", nationOf(role)],
    data: { role, holder: human ? "human" : "automated", source },
  });
}

if (!replay) for (const role of humans) roleAssigned(role, true, "white");

function control(seat, body) {
  if (seat.kind !== "white") return "only the white cell controls the clock";
  tick();
  if (body.action === "start" || body.action === "resume") clock.running = true;
  else if (body.action === "pause") clock.running = false;
  else if (body.action === "speed") {
    const s = Number(body.speed);
    if (!(s >= 0.5 && s <= 20)) return "speed must be 0.5 to 20";
    clock.speed = s;
  } else return `unknown action ${body.action}`;
  return null;
}

/** Checks an order as the server would (coarsely) and, for a human decider, makes the engine's decision. */
function order(seat, o) {
  if (!o || typeof o.kind !== "string") return "malformed order";
  if (seat.kind === "ccc" || seat.kind === "observer") return "this seat may not give orders";
  if (seat.kind === "white") {
    if (!WHITE_ORDERS.has(o.kind)) return `the white cell controls the exercise; '${o.kind}' is a national command decision`;
    const { kind, ...fields } = o;
    publish([
      append({
        kind: "order_accepted",
        t_s: clock.t_s,
        visible_to: ["controller"],
        data: { order: kind, source: "white", summary: `(mock, no effect) ${JSON.stringify(fields)}` },
      }),
    ]);
    return null;
  }
  if (o.kind === "assign_role") {
    if (o.role !== seat.role) return `${seat.seat_id} may take over ${seat.role} only, not '${o.role}'`;
    publish([roleAssigned(o.role, !!o.human, seat.role)]);
    return null;
  }
  if (seat.nation && o.nation !== seat.nation) return `this seat acts for ${seat.nation}, not ${o.nation}`;
  if ((o.kind === "engage" || o.kind === "deny_engagement") && o.proposal_id) {
    const proposal = journal.find((r) => r.kind === "engagement_proposed" && r.data.proposal_id === o.proposal_id);
    if (!proposal) return `unknown proposal ${o.proposal_id}`;
    if (proposal.data.decider !== seat.role) return `${seat.role} is not the decider of ${o.proposal_id}`;
    if (journal.some((r) => r.kind === "engagement_decided" && r.data.proposal_id === o.proposal_id))
      return `${o.proposal_id} is already decided`;
    const approve = o.kind === "engage";
    const decided = append({
      kind: "engagement_decided",
      t_s: clock.t_s,
      visible_to: proposal.visible_to,
      data: {
        proposal_id: o.proposal_id,
        nation: proposal.data.nation,
        decider: seat.role,
        decision: approve ? "approve" : "deny",
        reason: approve ? "" : o.reason ?? "",
        decision_time_s: clock.t_s - proposal.t_s,
      },
    });
    publish([decided]);
  } else if (o.kind === "identify" && seat.nation) {
    publish([
      append({
        kind: "track_identified",
        t_s: clock.t_s,
        visible_to: ["controller", seat.nation],
        data: { nation: seat.nation, track_id: o.track_id, identity: o.identity, previous: "?", source: seat.role, basis: "operator" },
      }),
    ]);
  }
  return null;
}

function bookmark(seat, note) {
  if (seat.kind !== "white") return "only the white cell bookmarks the exercise";
  publish([append({ kind: "bookmark", t_s: clock.t_s, visible_to: ["controller"], data: { note, seat: seat.seat_id } })]);
  return null;
}

// --- HTTP ---------------------------------------------------------------------------------------------------
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml" };

function send(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      try {
        resolve(JSON.parse(data || "null"));
      } catch {
        resolve(undefined);
      }
    });
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname.startsWith("/api/")) {
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const seat = SEATS[token];
    if (!seat) return send(res, 401, { reason: "unknown token" });
    tick();
    if (req.method === "GET" && url.pathname === "/api/session")
      return send(res, 200, {
        seat,
        scenario: scenarioFor(seat),
        clock,
        mode: replay ? "replay" : "live",
        ...(replay && {
          views: ["controller", ...SCENARIO.nations.map((n) => n.id)],
          bookmarks: journal.filter((r) => r.kind === "bookmark").map((r) => ({ t_s: r.t_s, ...r.data })),
        }),
      });
    if (req.method === "GET" && url.pathname === "/api/events") {
      const since = Number(url.searchParams.get("since") ?? 0);
      const events = journal.filter((r) => r.seq > since && sees(seat, r)).slice(0, 500);
      return send(res, 200, { events, next: events.length ? events[events.length - 1].seq : since });
    }
    const body = await readBody(req);
    if (body === undefined) return send(res, 422, { reason: "body is not JSON" });
    if (req.method === "POST" && url.pathname === "/api/orders") {
      const reason = order(seat, body);
      return reason ? send(res, 403, { accepted: false, reason }) : send(res, 200, { accepted: true, seq: journal.length });
    }
    if (req.method === "POST" && url.pathname === "/api/control") {
      const reason = control(seat, body);
      return reason ? send(res, 403, { reason }) : send(res, 200, clock);
    }
    if (req.method === "POST" && url.pathname === "/api/bookmarks") {
      const reason = bookmark(seat, String(body?.note ?? ""));
      return reason ? send(res, 403, { reason }) : send(res, 200, { t_s: clock.t_s });
    }
    return send(res, 404, { reason: "not found" });
  }
  // Static files of the built console.
  const rel = normalize(url.pathname === "/" ? "/index.html" : url.pathname).replace(/^(\.\.[/\\])+/, "");
  const file = join(dist, rel);
  if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404);
    return res.end(existsSync(dist) ? "not found" : "run `npm run build` first, or use `npm run dev`");
  }
  res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
  createReadStream(file).pipe(res);
});

const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname !== "/ws") return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    const seat = SEATS[url.searchParams.get("token") ?? ""];
    if (!seat) return ws.close(4401, "unknown token");
    const client = { ws, seat };
    clients.add(client);
    ws.on("close", () => clients.delete(client));
    ws.send(JSON.stringify({ type: "hello", seat, clock }));
    ws.on("message", (data) => {
      let msg;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return ws.send(JSON.stringify({ type: "error", reason: "message is not JSON" }));
      }
      if (msg.type === "order") {
        const reason = order(seat, msg.order);
        ws.send(JSON.stringify({ type: "ack", ref: msg.ref, accepted: !reason, reason: reason ?? "" }));
      } else if (msg.type === "control") {
        const reason = control(seat, msg);
        if (reason) ws.send(JSON.stringify({ type: "error", reason }));
      } else if (msg.type === "bookmark") {
        const reason = bookmark(seat, String(msg.note ?? ""));
        if (reason) ws.send(JSON.stringify({ type: "error", reason }));
      } else ws.send(JSON.stringify({ type: "error", reason: `unknown message type ${msg.type}` }));
    });
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`mock amdx server on http://127.0.0.1:${port}/  (${source.length} records from ${fixture})`);
  for (const token of Object.keys(SEATS)) console.log(`  http://127.0.0.1:${port}/?token=${token}`);
});
