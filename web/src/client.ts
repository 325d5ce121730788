/**
 * The protocol client: HTTP calls with the seat's bearer token, and the WebSocket feed with reconnection.
 *
 * On every (re)connection the client first catches up with `GET /api/events?since=<last seq>` while it holds back
 * the records the socket pushes meanwhile, then delivers both in sequence order: no record is lost or applied twice.
 */
import type { Clock, ControlAction, JournalRecord, Order, Session } from "./types";

export interface ClientHandlers {
  onRecords(records: JournalRecord[]): void;
  onClock(clock: Clock): void;
  onAck(ref: string, accepted: boolean, reason: string): void;
  onError(reason: string): void;
  onConnection(open: boolean): void;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Base URL of the API: the page's own folder, so the console works from any mount point. */
function baseUrl(): URL {
  return new URL(".", window.location.href);
}

export class ProtocolClient {
  private ws: WebSocket | null = null;
  private lastSeq = 0;
  private syncing = false;
  private held: JournalRecord[] = [];
  private refCounter = 0;
  private retryMs = 500;
  private closed = false;

  constructor(
    readonly token: string,
    private readonly handlers: ClientHandlers,
  ) {}

  private async http<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, baseUrl()), {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload: any = null;
    try {
      payload = await res.json();
    } catch {
      payload = null;
    }
    if (!res.ok) {
      const reason = payload?.reason ?? payload?.detail ?? `HTTP ${res.status}`;
      throw new ApiError(res.status, typeof reason === "string" ? reason : JSON.stringify(reason));
    }
    return payload as T;
  }

  session(): Promise<Session> {
    return this.http<Session>("GET", "api/session");
  }

  /** Every visible record after `since`, following `next` until the server has no more. */
  async eventsSince(since: number): Promise<JournalRecord[]> {
    const out: JournalRecord[] = [];
    let cursor = since;
    for (;;) {
      const page = await this.http<{ events: JournalRecord[]; next: number }>("GET", `api/events?since=${cursor}`);
      out.push(...page.events);
      if (!page.events.length || page.next <= cursor) break;
      cursor = page.next;
    }
    return out;
  }

  /** Opens the live feed. `since` is the last sequence number the caller already holds. */
  connect(since = 0): void {
    this.lastSeq = since;
    this.closed = false;
    this.open();
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  private open(): void {
    const url = new URL(`ws?token=${encodeURIComponent(this.token)}`, baseUrl());
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      this.handlers.onConnection(true);
      void this.catchUp();
    };
    ws.onmessage = (ev) => this.onMessage(String(ev.data));
    ws.onclose = (ev) => {
      this.handlers.onConnection(false);
      if (ev.code === 4401) {
        this.handlers.onError("The server refused this seat's token (4401).");
        return;
      }
      if (!this.closed) {
        setTimeout(() => this.open(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
      }
    };
  }

  private async catchUp(): Promise<void> {
    this.syncing = true;
    try {
      this.deliver(await this.eventsSince(this.lastSeq));
    } catch (e) {
      this.handlers.onError(`Could not fetch missed events: ${(e as Error).message}`);
    } finally {
      this.syncing = false;
      const held = this.held;
      this.held = [];
      this.deliver(held);
    }
  }

  private deliver(records: JournalRecord[]): void {
    const fresh = records.filter((r) => r.seq > this.lastSeq).sort((a, b) => a.seq - b.seq);
    if (!fresh.length) return;
    this.lastSeq = fresh[fresh.length - 1].seq;
    this.handlers.onRecords(fresh);
  }

  private onMessage(text: string): void {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    switch (msg.type) {
      case "hello":
        if (msg.clock) this.handlers.onClock(msg.clock);
        break;
      case "events":
        if (this.syncing) this.held.push(...msg.events);
        else this.deliver(msg.events);
        break;
      case "clock":
        this.handlers.onClock({ t_s: msg.t_s, speed: msg.speed, running: msg.running, epoch: msg.epoch });
        break;
      case "ack":
        this.handlers.onAck(msg.ref, !!msg.accepted, msg.reason ?? "");
        break;
      case "error":
        this.handlers.onError(msg.reason ?? "error");
        break;
    }
  }

  private send(msg: unknown): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Sends an order over the socket (the answer arrives as an ack with the returned ref), or over HTTP when the
   * socket is down (the answer is reported through the same onAck handler).
   */
  order(order: Order): string {
    const ref = `c${++this.refCounter}`;
    if (!this.send({ type: "order", ref, order })) {
      this.http<{ accepted: boolean; reason?: string }>("POST", "api/orders", order)
        .then((r) => this.handlers.onAck(ref, r.accepted, r.reason ?? ""))
        .catch((e: Error) => this.handlers.onAck(ref, false, e.message));
    }
    return ref;
  }

  control(action: ControlAction, speed?: number): void {
    const body = action === "speed" ? { action, speed } : { action };
    if (!this.send({ type: "control", ...body })) {
      this.http("POST", "api/control", body).catch((e: Error) => this.handlers.onError(e.message));
    }
  }

  bookmark(note: string): void {
    if (!this.send({ type: "bookmark", note })) {
      this.http("POST", "api/bookmarks", { note }).catch((e: Error) => this.handlers.onError(e.message));
    }
  }
}
