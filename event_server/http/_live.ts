// The live WebSocket of the page (`/api/live`). A page says what it
// watches (latest events of the types it shows, a stream of arriving
// events, a plot); every `period` ms the hub asks the storage what changed
// for each page and sends it in one message: the latest event per watched
// type (coalesced), the newest events of the stream since the last update
// (sampled: at most STREAM_SAMPLE), new points of the plot. The cost is a
// few storage queries per page and update, whatever the event rate, and
// nothing at all while no page is open: the server's hot paths do not know
// the web view exists.
//
// A page is a subscriber like any other: it gets bounded messages at a
// bounded rate, and one that stops reading is dropped. An update is sent
// only once the socket has handed the previous ones to the network (its
// bufferedAmount is 0); until then updates coalesce (the next one carries
// the latest values and the newest events), so the server holds at most
// one update per page. A page that has not taken its updates for
// `slowTimeout` ms is disconnected as a slow consumer (logged, counted in
// hat_eventer_slow_consumer_drops_total{transport="web"}).

import {
  type Event,
  type EventId,
  now,
  type QueryType,
  type Timestamp,
} from "../../event/mod.ts";
import type { Engine } from "../engine.ts";
import type { Logger } from "../log.ts";
import type { Counter } from "../metrics.ts";
import { EVENTS_REGISTERED, SLOW_CONSUMER_DROPS } from "../metric_names.ts";
import {
  BadRequestError,
  plotValue,
  seconds,
  timestampOf,
  typeOf,
  webEvent,
} from "./_json.ts";
import type {
  LivePlot,
  LiveUpdate,
  LiveWatch,
  WebEvent,
  WebStatus,
} from "./web_protocol.ts";

/** Most watched types whose latest events a page gets. */
export const MAX_WATCHED = 2000;
/** Most events of the stream in one update (the newest). */
export const STREAM_SAMPLE = 100;
/** Most new points of the plot in one update (the newest). */
const PLOT_SAMPLE = 2000;
/** Most points of a plot's history (the newest of its range). */
const PLOT_HISTORY = 20_000;
/** JSON payload text longer than this is cut in live updates. */
const PREVIEW = 512;
/** Largest message a page may send. */
const MAX_WATCH_BYTES = 1 << 20;

/** Options of the hub. */
export interface LiveOptions {
  /** Milliseconds between updates. */
  readonly period: number;
  /** Milliseconds a page may go without taking its updates. */
  readonly slowTimeout: number;
  /** Most pages at once. */
  readonly maxSessions: number;
  readonly log: Logger;
  /** The server's state, for the update each second. */
  status(): WebStatus;
}

/** Events after a point of the arrival order: timestamp and ids there. */
interface Cursor {
  ts: Timestamp;
  /** Ids of the events at exactly `ts` already sent. */
  ids: Set<string>;
}

function idKey(id: EventId): string {
  return `${id.server}/${id.session}/${id.instance}`;
}

function sameTs(a: Timestamp, b: Timestamp): boolean {
  return a.s === b.s && a.us === b.us;
}

/**
 * The events of a descending answer that are past the cursor, newest
 * first, and the cursor after them.
 */
function pastCursor(
  events: readonly Event[],
  cursor: Cursor | null,
): { fresh: Event[]; next: Cursor | null } {
  const fresh = cursor === null
    ? [...events]
    : events.filter((e) =>
      !(sameTs(e.timestamp, cursor.ts) && cursor.ids.has(idKey(e.id)))
    );
  if (fresh.length === 0) return { fresh, next: cursor };
  const ts = fresh[0].timestamp;
  const ids = cursor !== null && sameTs(cursor.ts, ts)
    ? cursor.ids
    : new Set<string>();
  for (const e of fresh) {
    if (sameTs(e.timestamp, ts)) ids.add(idKey(e.id));
  }
  return { fresh, next: { ts, ids } };
}

interface StreamWatch {
  types: QueryType[];
  paused: boolean;
  cursor: Cursor | null;
}

interface PlotWatch {
  spec: LivePlot;
  type: string[];
  from: Timestamp;
  to: Timestamp | null;
  /** Null until the history was sent. */
  cursor: Cursor | null;
}

/** One page's live connection. */
class LiveSession {
  readonly id: number;
  readonly socket: WebSocket;
  readonly remote: string;
  /** Latest events sent, by type key: the id sent. */
  #latest = new Map<string, string>();
  #watched: string[][] = [];
  #stream: StreamWatch | null = null;
  #plot: PlotWatch | null = null;
  /** The watch changed: query even if nothing was registered. */
  #dirty = true;
  #pendingError: string | null = null;
  /** When the socket was first seen still holding an update (ms), or 0. */
  behindSince = 0;
  /** Largest bufferedAmount seen at an update (for tests and stats). */
  maxBuffered = 0;

  constructor(id: number, socket: WebSocket, remote: string) {
    this.id = id;
    this.socket = socket;
    this.remote = remote;
  }

  /** Takes a watch message; a bad one is answered with an error. */
  watch(text: unknown): void {
    try {
      if (typeof text !== "string" || text.length > MAX_WATCH_BYTES) {
        throw new BadRequestError(
          `Invalid watch: expected JSON text of at most ${MAX_WATCH_BYTES} bytes`,
        );
      }
      let w: LiveWatch;
      try {
        w = JSON.parse(text);
      } catch (cause) {
        throw new BadRequestError(`Invalid watch: ${(cause as Error).message}`);
      }
      if (typeof w !== "object" || w === null || Array.isArray(w)) {
        throw new BadRequestError("Invalid watch: expected a JSON object");
      }
      this.#apply(w);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      this.#pendingError = error.message;
    }
    this.#dirty = true;
  }

  #apply(w: LiveWatch): void {
    let latest = this.#watched;
    if (w.latest !== undefined) {
      if (!Array.isArray(w.latest)) {
        throw new BadRequestError("Invalid latest: expected an array of types");
      }
      latest = w.latest.slice(0, MAX_WATCHED).map((t, i) =>
        typeOf(t, `latest[${i}]`, false)
      );
    }
    let stream = this.#stream;
    if (w.stream !== undefined) {
      if (w.stream === null) {
        stream = null;
      } else {
        if (!Array.isArray(w.stream?.types)) {
          throw new BadRequestError(
            "Invalid stream: expected { types: [...] }",
          );
        }
        const types = w.stream.types.map((t, i) =>
          typeOf(t, `stream.types[${i}]`, true)
        );
        const same = stream !== null &&
          JSON.stringify(stream.types) === JSON.stringify(types);
        stream = {
          types,
          paused: w.stream.paused === true,
          cursor: same ? stream!.cursor : null,
        };
      }
    }
    let plot = this.#plot;
    if (w.plot !== undefined) {
      plot = w.plot === null ? null : plotWatch(w.plot);
    }
    const known = new Set(latest.map((t) => JSON.stringify(t)));
    for (const key of this.#latest.keys()) {
      if (!known.has(key)) this.#latest.delete(key);
    }
    this.#watched = latest;
    this.#stream = stream;
    this.#plot = plot;
  }

  /** What changed since the last update; empty when nothing did. */
  update(engine: Engine, registered: boolean): LiveUpdate {
    const out: {
      -readonly [K in keyof LiveUpdate]: LiveUpdate[K];
    } = {};
    if (this.#pendingError !== null) {
      out.error = this.#pendingError;
      this.#pendingError = null;
    }
    if (!registered && !this.#dirty) return out;
    this.#dirty = false;
    const storage = engine.storage;
    if (!storage.isOpen) return out;
    const latest = this.#latestUpdate(engine);
    if (latest.length > 0) out.latest = latest;
    const stream = this.#streamUpdate(engine);
    if (stream !== null) out.stream = stream;
    const plot = this.#plotUpdate(engine);
    if (plot !== null) out.plot = plot;
    return out;
  }

  #latestUpdate(engine: Engine): WebEvent[] {
    if (this.#watched.length === 0) return [];
    const result = engine.storage.query(
      { kind: "latest", eventTypes: this.#watched },
      { jsonText: true },
    );
    const changed: WebEvent[] = [];
    for (const e of result.events) {
      const key = JSON.stringify(e.type);
      const id = idKey(e.id);
      if (this.#latest.get(key) === id) continue;
      this.#latest.set(key, id);
      changed.push(webEvent(e, PREVIEW));
    }
    return changed;
  }

  #streamUpdate(engine: Engine): LiveUpdate["stream"] | null {
    const s = this.#stream;
    if (s === null || s.paused) return null;
    const cursor = s.cursor;
    const result = engine.storage.query({
      kind: "timeseries",
      eventTypes: s.types,
      tFrom: cursor?.ts ?? null,
      order: "descending",
      orderBy: "timestamp",
      maxResults: STREAM_SAMPLE + (cursor?.ids.size ?? 0),
    }, { jsonText: true });
    const { fresh, next } = pastCursor(result.events, cursor);
    s.cursor = next;
    if (fresh.length === 0) return null;
    const shown = fresh.slice(0, STREAM_SAMPLE).reverse();
    return {
      events: shown.map((e) => webEvent(e, PREVIEW)),
      // The first update shows the newest events there are, not a sample.
      sampled: cursor !== null &&
        (fresh.length > STREAM_SAMPLE || result.moreFollows),
    };
  }

  #plotUpdate(engine: Engine): LiveUpdate["plot"] | null {
    const p = this.#plot;
    if (p === null) return null;
    if (p.cursor === null) return plotHistory(engine, p);
    if (p.to !== null) return null;
    const cursor = p.cursor;
    const result = engine.storage.query({
      kind: "timeseries",
      eventTypes: [p.type],
      tFrom: cursor.ts,
      order: "descending",
      orderBy: "timestamp",
      maxResults: PLOT_SAMPLE + cursor.ids.size,
    }, { jsonText: true });
    const { fresh, next } = pastCursor(result.events, cursor);
    p.cursor = next;
    if (fresh.length === 0) return null;
    const points = plotPoints(fresh.slice(0, PLOT_SAMPLE).reverse(), p.spec);
    return {
      reset: false,
      points,
      sampled: fresh.length > PLOT_SAMPLE || result.moreFollows,
    };
  }
}

function plotWatch(spec: LivePlot): PlotWatch {
  if (typeof spec !== "object" || spec === null) {
    throw new BadRequestError("Invalid plot: expected an object or null");
  }
  if (typeof spec.field !== "string") {
    throw new BadRequestError("Invalid plot.field: expected a string");
  }
  if (spec.by !== "timestamp" && spec.by !== "sourceTimestamp") {
    throw new BadRequestError(
      "Invalid plot.by: expected timestamp or sourceTimestamp",
    );
  }
  return {
    spec,
    type: typeOf(spec.type, "plot.type", false),
    from: timestampOf(spec.from, "plot.from"),
    to: spec.to === null ? null : timestampOf(spec.to, "plot.to"),
    cursor: null,
  };
}

/**
 * Points of events in arrival order, ascending by the plot's x (events of
 * equal x stay in arrival order).
 */
function plotPoints(
  events: readonly Event[],
  spec: LivePlot,
): [number, number][] {
  const points: [number, number][] = [];
  for (const e of events) {
    const t = spec.by === "timestamp" ? e.timestamp : e.sourceTimestamp;
    if (t === null) continue;
    const y = plotValue(e, spec.field);
    if (y !== null) points.push([seconds(t), y]);
  }
  return points.sort((a, b) => a[0] - b[0]);
}

/**
 * The newest points of the plot's range (at most PLOT_HISTORY), and from
 * then on a cursor for the events that arrive.
 */
function plotHistory(engine: Engine, p: PlotWatch): LiveUpdate["plot"] {
  const bySource = p.spec.by === "sourceTimestamp";
  const arrival = now();
  const events: Event[] = [];
  let last: EventId | null = null;
  let more = true;
  while (more && events.length < PLOT_HISTORY) {
    const result = engine.storage.query({
      kind: "timeseries",
      eventTypes: [p.type],
      tFrom: bySource ? null : p.from,
      tTo: bySource ? null : p.to,
      sourceTFrom: bySource ? p.from : null,
      sourceTTo: bySource ? p.to : null,
      order: "descending",
      orderBy: p.spec.by,
      maxResults: Math.min(4096, PLOT_HISTORY - events.length),
      lastEventId: last,
    }, { jsonText: true });
    for (const e of result.events) events.push(e);
    more = result.moreFollows && result.events.length > 0;
    last = result.events.at(-1)?.id ?? null;
  }
  const ids = new Set<string>();
  for (const e of events) {
    if (sameTs(e.timestamp, arrival)) ids.add(idKey(e.id));
  }
  p.cursor = { ts: arrival, ids };
  return {
    reset: true,
    points: plotPoints(events.reverse(), p.spec),
    sampled: more,
  };
}

/** The pages connected for live updates, and their update timer. */
export class LiveHub {
  #engine: Engine;
  #options: LiveOptions;
  #sessions = new Set<LiveSession>();
  #nextId = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticks = 0;
  #registered: Counter;
  #lastRegistered = -1;
  #drops: Counter;
  #closing = false;

  constructor(engine: Engine, options: LiveOptions) {
    this.#engine = engine;
    this.#options = options;
    this.#registered = engine.metrics.counter(EVENTS_REGISTERED);
    this.#drops = engine.metrics.counter(SLOW_CONSUMER_DROPS, {
      transport: "web",
    });
  }

  /** Pages connected. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Each page's id and the most bytes it had waiting at an update. */
  sessions(): { id: number; maxBuffered: number; buffered: number }[] {
    return [...this.#sessions].map((s) => ({
      id: s.id,
      maxBuffered: s.maxBuffered,
      buffered: s.socket.bufferedAmount,
    }));
  }

  /** Upgrades a request to a live connection. */
  accept(req: Request, remote: string): Response {
    if (this.#closing) {
      return new Response("The server is stopping\n", { status: 503 });
    }
    if (this.#sessions.size >= this.#options.maxSessions) {
      return new Response(
        `Too many pages connected (at most ${this.#options.maxSessions})\n`,
        { status: 503 },
      );
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const session = new LiveSession(this.#nextId++, socket, remote);
    socket.onopen = () => {
      this.#sessions.add(session);
      this.#start();
    };
    socket.onmessage = (e) => session.watch(e.data);
    socket.onclose = () => this.#remove(session);
    socket.onerror = () => this.#remove(session);
    return response;
  }

  /** Closes every page's connection and stops the timer. */
  close(): void {
    this.#closing = true;
    for (const s of this.#sessions) this.#drop(s, 1001, "server stopping");
    this.#stop();
  }

  #start(): void {
    if (this.#timer !== undefined) return;
    this.#ticks = 0;
    this.#timer = setInterval(() => this.#tick(), this.#options.period);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #remove(session: LiveSession): void {
    this.#sessions.delete(session);
    if (this.#sessions.size === 0) this.#stop();
  }

  #drop(session: LiveSession, code: number, reason: string): void {
    this.#remove(session);
    try {
      session.socket.close(code, reason);
    } catch {
      // already closing
    }
  }

  #tick(): void {
    const perSecond = Math.max(1, Math.round(1000 / this.#options.period));
    const everySecond = this.#ticks++ % perSecond === 0;
    const count = this.#registered.value;
    const registered = count !== this.#lastRegistered;
    this.#lastRegistered = count;
    let status: WebStatus | undefined;
    let types: number | undefined;
    if (everySecond) {
      try {
        status = this.#options.status();
        types = status.stored?.types;
      } catch (error) {
        this.#options.log.warn(`web view status: ${describe(error)}`);
      }
    }
    const t = performance.now();
    for (const session of this.#sessions) {
      const socket = session.socket;
      if (socket.readyState !== WebSocket.OPEN) continue;
      const buffered = socket.bufferedAmount;
      if (buffered > session.maxBuffered) session.maxBuffered = buffered;
      if (buffered > 0) {
        if (session.behindSince === 0) session.behindSince = t;
        else if (t - session.behindSince >= this.#options.slowTimeout) {
          this.#slow(session, buffered);
        }
        continue;
      }
      session.behindSince = 0;
      let update: LiveUpdate;
      try {
        update = session.update(this.#engine, registered);
      } catch (error) {
        this.#options.log.warn(
          `web view session ${session.id}: ${describe(error)}`,
        );
        update = { error: describe(error) };
      }
      if (status !== undefined) update = { ...update, status, types };
      if (Object.keys(update).length > 0) socket.send(JSON.stringify(update));
    }
  }

  #slow(session: LiveSession, buffered: number): void {
    this.#drops.inc();
    this.#options.log.warn(
      `disconnecting slow web page (session ${session.id} from ` +
        `${session.remote}): it took no update for ` +
        `${this.#options.slowTimeout} ms, ${buffered} bytes waiting`,
    );
    this.#drop(session, 1008, "slow consumer");
  }
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
