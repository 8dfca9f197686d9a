/**
 * The engine of the standalone Event Server: an eventer server (from
 * `server.ts`) whose registrations and queries go to a {@linkcode Storage},
 * as the Python Event Server does it (PROTOCOL.md §5):
 *
 * - each register request is one session: the session counter increases
 *   by one, its events get instances 1..n and share one timestamp; session
 *   ids continue after a restart from the highest stored id, and after a
 *   crash beyond every session handed out before it (never reused, see
 *   {@linkcode Storage.reserveSessions});
 * - subscribers of new events are notified as soon as events are
 *   registered (before the registering client gets its answer),
 *   subscribers of persisted events after the commit that stored them;
 * - on connect and disconnect of a client, an event
 *   `["event", "<serverId>", "eventer", "<clientName>"]` with JSON payload
 *   `"CONNECTED"` / `"DISCONNECTED"` is registered, and at start and stop
 *   `["event", "<serverId>", "engine"]` with `"STARTED"` / `"STOPPED"`;
 * - a client giving a token other than the server's is refused with
 *   `"invalid client token"` (with no server token, any token is refused);
 * - registrations are taken only while the status is `operational`
 *   (otherwise they fail); queries are always answered;
 * - in a redundant group (docs/redundancy.md), {@linkcode Engine.activate}
 *   and {@linkcode Engine.deactivate} switch between active and standby as
 *   the reference's engine runner does, and {@linkcode Engine.storeSynced}
 *   stores the events of other servers under their own ids, past the
 *   register path (a standby's and an active server's alike).
 *
 * @example
 * ```ts
 * import { startEngine } from "./engine.ts";
 * import { MemoryStorage } from "./storage/memory.ts";
 * import { connect } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
 *   storage: new MemoryStorage(),
 * });
 * await using client = await connect(engine.addrs[0], "example");
 * const events = await client.register(
 *   [{ type: ["a"], sourceTimestamp: null, payload: { kind: "json", data: 1 } }],
 *   { withResponse: true },
 * );
 * assert.deepEqual(events?.[0].type, ["a"]);
 * const result = await client.query({ kind: "latest", eventTypes: [["a"]] });
 * assert.deepEqual(result.events, events);
 * ```
 *
 * @module
 */

import {
  compareEventIds,
  type Event,
  type EventId,
  now,
  type QueryParams,
  type QueryResult,
  type RegisterEvent,
  type Status,
  type Timestamp,
} from "../event/mod.ts";
import {
  type ConnectionInfo,
  listen,
  type Server,
  type ServerOptions,
} from "../server.ts";
import type { EventBatch, EventCore } from "../codec/wasm/internal_mod.ts";
import {
  BATCH_HOOKS,
  type BatchFanout,
  type BatchHooks,
  encodeQueryRes,
  encodeRegisterReq,
  serverInternals,
  type WrittenEvents,
} from "../eventer/internal_mod.ts";
import { StorageClosedError } from "./errors.ts";
import { EngineMetrics } from "./_engine_metrics.ts";
import { MetricsRegistry } from "./metrics.ts";
import {
  checkEvents,
  type Storage,
  type StorageQueryOptions,
} from "./storage/mod.ts";

/** A TCP address: host name or IP, and port (0: any free port). */
export type Address = Parameters<typeof listen>[0];

/** Options of {@linkcode startEngine}; the eventer server options apply too. */
export interface EngineOptions extends
  Omit<
    ServerOptions,
    | "status"
    | "onConnected"
    | "onDisconnected"
    | "onRegister"
    | "onQuery"
    | "onError"
  > {
  /** Where events are kept; the engine closes it when it closes. */
  readonly storage: Storage;
  /**
   * This server's id.
   * @default {1}
   */
  readonly serverId?: number;
  /**
   * The token clients must give (or give none).
   * @default {null}
   */
  readonly serverToken?: string | null;
  /**
   * Status at start.
   * @default {"operational"}
   */
  readonly status?: Status;
  /**
   * Told about failures the engine handles by itself (a commit that
   * failed, a callback of a connection that threw).
   * @default {console.error}
   */
  readonly onError?: (error: unknown, context: string) => void;
  /**
   * Where the engine records its metrics (see `metric_names.ts`); the rest
   * of the server (web view, modules) records into the same registry.
   * @default {new MetricsRegistry()}
   */
  readonly metrics?: MetricsRegistry;
  /**
   * Gives each session's timestamp; for tests and replays that need the
   * same bytes twice.
   * @default {now}
   */
  readonly clock?: () => Timestamp;
}

/** Options of {@linkcode Engine.close}. */
export interface CloseOptions {
  /**
   * Milliseconds the graceful part may take before connections and the
   * storage are closed regardless.
   * @default {5000}
   */
  readonly timeout?: number;
}

/**
 * A running engine, made by {@linkcode startEngine}.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { MemoryStorage } from "./storage/memory.ts";
 * import assert from "node:assert/strict";
 *
 * const engine = await Engine.start({ hostname: "127.0.0.1", port: 0 }, {
 *   storage: new MemoryStorage(),
 *   status: "standby",
 * });
 * assert.equal(engine.register([{ type: ["x"], sourceTimestamp: null, payload: null }]), null);
 * await engine.setStatus("operational");
 * assert.equal(engine.register([{ type: ["x"], sourceTimestamp: null, payload: null }])?.length, 1);
 * await engine.close();
 * assert.equal(engine.storage.isOpen, false);
 * ```
 */
export class Engine implements AsyncDisposable {
  #server!: Server;
  #storage: Storage;
  #serverId: number;
  #token: string | null;
  #session: number;
  /** Sessions up to this one are reserved in the storage. */
  #reserved: number;
  #running: boolean;
  #onError: (error: unknown, context: string) => void;
  #closing: Promise<void> | null = null;
  /** Connected clients with subscriptions: [new events, persisted]. */
  #subscribers = [0, 0];
  #metrics: MetricsRegistry;
  #rec: EngineMetrics;
  #uncollect: () => void = () => {};
  #clock: () => Timestamp;
  /**
   * The server's Wasm core and fan-out (codec "wasm"): sessions are then
   * stored and notified from their bytes; null for the TypeScript path.
   */
  #core: EventCore | null = null;
  #fanout: BatchFanout | null = null;
  /** For the engine's own registrations and for query answers. */
  #batch: EventBatch | null = null;

  private constructor(options: EngineOptions) {
    this.#storage = options.storage;
    this.#serverId = options.serverId ?? 1;
    if (!Number.isSafeInteger(this.#serverId)) {
      throw new TypeError(
        `Invalid serverId: expected a safe integer, got ${this.#serverId}`,
      );
    }
    this.#token = options.serverToken ?? null;
    this.#running = (options.status ?? "operational") === "operational";
    this.#onError = options.onError ??
      ((error, context) => console.error(`${context}:`, error));
    this.#session = this.#storage.lastSession(this.#serverId);
    this.#reserved = this.#session;
    this.#clock = options.clock ?? now;
    this.#metrics = options.metrics ?? new MetricsRegistry();
    this.#rec = new EngineMetrics(this.#metrics, this.#serverId);
  }

  /**
   * Starts an engine listening on `addr` (port 0 picks a free port); same
   * as {@linkcode startEngine}.
   *
   * @param addr Where to listen.
   * @param options Storage, server id and token, status, eventer server
   * options.
   * @returns The running engine.
   */
  static async start(addr: Address, options: EngineOptions): Promise<Engine> {
    const {
      storage: _storage,
      serverId: _serverId,
      serverToken: _serverToken,
      onError: _onError,
      metrics: _metrics,
      clock: _clock,
      ...rest
    } = options;
    const engine = new Engine(options);
    engine.#server = await listen(addr, {
      ...rest,
      status: options.status ?? "operational",
      // Payloads are stored and forwarded, never looked at: kept as text.
      jsonText: true,
      ...engine.#callbacks(),
      [BATCH_HOOKS]: engine.#batchHooks(),
    } as ServerOptions);
    const internals = serverInternals(engine.#server);
    engine.#core = internals.core;
    engine.#fanout = internals.fanout;
    engine.#batch = internals.core?.batch() ?? null;
    // A storage that failed closes itself, also when no registration
    // waits for a commit to hear of it (a failed retention cleanup); one
    // closed by someone else leaves the engine nothing to serve either.
    engine.#storage.closed.then((error) => {
      engine.#storageFailed(error ?? new StorageClosedError());
    });
    engine.#uncollect = engine.#rec.collect(engine.#server, engine.#storage);
    engine.#engineEvent("STARTED");
    return engine;
  }

  /** Addresses the server listens on. */
  get addrs(): Address[] {
    return this.#server.addrs;
  }

  /** The status announced to clients. */
  get status(): Status {
    return this.#server.status;
  }

  /** This server's id. */
  get serverId(): number {
    return this.#serverId;
  }

  /**
   * The codec of its eventer server: "wasm" (sessions stored and notified
   * from their bytes) or "ts" (the TypeScript reference).
   */
  get codec(): "wasm" | "ts" {
    return this.#core !== null ? "wasm" : "ts";
  }

  /** The storage. */
  get storage(): Storage {
    return this.#storage;
  }

  /** The eventer server (connection infos, notifications). */
  get server(): Server {
    return this.#server;
  }

  /** The registry of the engine's metrics (see `metric_names.ts`). */
  get metrics(): MetricsRegistry {
    return this.#metrics;
  }

  /** Resolves once the engine is closed (by `close()` or a failure). */
  get closed(): Promise<void> {
    return this.#server.closed;
  }

  /**
   * Registers events as one session, as if a client had sent them.
   *
   * @param registerEvents The events to register.
   * @returns The registered events, or `null` when the engine is not
   * operational or its storage failed.
   * @throws {TypeError} For an event of the wrong shape (nothing is
   * registered).
   * @throws {EventPayloadError} For JSON data that has no JSON text.
   */
  register(registerEvents: readonly RegisterEvent[]): Event[] | null {
    // Checked before a session id is taken: a wrong value fails the call
    // and stores nothing.
    checkEvents(registerEvents, false);
    if (!this.#running || !this.#storage.isOpen) return null;
    return this.#register(registerEvents);
  }

  /**
   * Answers a query from the storage (counted in the query metrics).
   *
   * @param params The query.
   * @param options How the storage gives the events (JSON as text).
   * @returns The result.
   */
  query(params: QueryParams, options?: StorageQueryOptions): QueryResult {
    const result = this.#storage.query(params, options);
    this.#rec.queries[params.kind]?.inc();
    return result;
  }

  /**
   * Changes the status, announcing it to clients; registrations are taken
   * only while it is `operational`.
   *
   * @param status The new status.
   * @returns When announced.
   */
  setStatus(status: Status): Promise<void> {
    const was = this.#running;
    this.#running = status === "operational";
    if (this.#running && !was) this.#engineEvent("STARTED");
    if (!this.#running && was) this.#engineEvent("STOPPED", true);
    return this.#server.setStatus(status);
  }

  /**
   * Becomes the active server of a redundant group, as the reference's
   * engine runner starts its engine: announces `starting`, continues after
   * the highest stored session of this server's id, registers `STARTED`
   * and announces `operational`. Nothing when already operational or
   * closing. (Engine modules, once there are any, start here.)
   *
   * @returns When `operational` is announced.
   */
  async activate(): Promise<void> {
    if (this.#running || this.#closing !== null) return;
    this.#session = Math.max(
      this.#session,
      this.#storage.lastSession(this.#serverId),
    );
    await this.#server.setStatus("starting");
    if (this.#closing !== null) return;
    await this.setStatus("operational");
  }

  /**
   * Stops being the active server, as the reference's engine runner stops
   * its engine: registers `STOPPED`, announces `stopping` (registrations
   * fail from now on), commits what is pending and announces `standby`.
   * Nothing when closing (`close()` stops by itself).
   *
   * @returns When `standby` is announced.
   */
  async deactivate(): Promise<void> {
    if (this.#closing !== null || this.#server.status === "standby") return;
    await this.setStatus("stopping");
    if (this.#storage.isOpen) {
      await this.#storage.flush().catch((error) => this.#storageFailed(error));
    }
    if (this.#closing !== null) return;
    await this.setStatus("standby");
  }

  /**
   * Stores events another server registered (synced from a peer) under
   * their own ids, and notifies subscribers of them as of any stored
   * event: at once, and persisted subscribers after the commit. They take
   * no session and pass no engine module (the reference's eventer client
   * writes them straight to its backend). An event whose id is not after
   * the last stored of its server is already here: it is skipped, and
   * nobody is notified of it again.
   *
   * @param events Events of other servers, ids increasing per server.
   * @returns How many were stored (the others were already stored).
   * @throws {RangeError} For an event of this server's id (nothing is
   * stored).
   * @throws {StorageClosedError} When the storage is closed.
   */
  storeSynced(events: readonly Event[]): number {
    if (!this.#storage.isOpen) throw new StorageClosedError();
    let fresh: Event[] | null = null;
    const last = new Map<number, EventId>();
    for (let i = 0; i < events.length; i++) {
      const id = events[i].id;
      if (id.server === this.#serverId) {
        throw new RangeError(
          `storeSynced() takes events of other servers: event ` +
            `${id.server}/${id.session}/${id.instance} has this server's id`,
        );
      }
      let before = last.get(id.server);
      if (before === undefined) {
        before = this.#storage.lastEventId(id.server);
      }
      if (compareEventIds(id, before) > 0) {
        last.set(id.server, id);
        fresh?.push(events[i]);
      } else {
        last.set(id.server, before);
        fresh ??= events.slice(0, i);
      }
    }
    const stored = fresh ?? events;
    if (stored.length === 0) return 0;
    const durable = this.#storage.register(stored);
    this.#notify(stored as Event[], false);
    const rec = this.#rec;
    const n = stored.length;
    rec.synced.inc(n);
    durable.then(
      () => {
        rec.stored.inc(n);
        this.#notify(stored as Event[], true);
      },
      (error) => this.#storageFailed(error),
    );
    return n;
  }

  /**
   * Shuts down gracefully: stops taking registrations, announces status
   * `stopping`, commits and notifies what is pending, closes the clients
   * and the storage. Within `timeout` ms; then closes regardless.
   *
   * @param options Timeout.
   * @returns When everything is closed.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeout ?? 5000);
    return this.#closing;
  }

  /** Same as {@linkcode Engine.close} with the default timeout. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #callbacks(): Pick<
    ServerOptions,
    "onConnected" | "onDisconnected" | "onRegister" | "onQuery" | "onError"
  > {
    return {
      onConnected: (info) => this.#connected(info),
      onDisconnected: (info) => {
        if (subscribes(info)) this.#subscribers[info.persisted ? 1 : 0]--;
        if (this.#running) this.#clientEvent(info, "DISCONNECTED");
      },
      // A storage that failed (and closed itself) fails registrations.
      onRegister: (_info, events) =>
        this.#running && this.#storage.isOpen ? this.#register(events) : null,
      onQuery: (_info, params) => this.query(params, { jsonText: true }),
      onError: (error, info) => {
        this.#rec.countFailure(error);
        this.#onError(
          error,
          info === null ? "eventer server" : `client ${info.clientName}`,
        );
      },
    };
  }

  #connected(info: ConnectionInfo): void {
    if (info.clientToken !== null && info.clientToken !== this.#token) {
      throw new Error("invalid client token");
    }
    if (subscribes(info)) this.#subscribers[info.persisted ? 1 : 0]++;
    if (this.#running) this.#clientEvent(info, "CONNECTED");
  }

  #clientEvent(info: ConnectionInfo, what: string): void {
    if (!this.#storage.isOpen) return;
    this.#register([{
      type: ["event", String(this.#serverId), "eventer", info.clientName],
      sourceTimestamp: null,
      payload: { kind: "json", data: what },
    }]);
  }

  #engineEvent(what: string, force = false): void {
    if ((!this.#running && !force) || !this.#storage.isOpen) return;
    this.#register([{
      type: ["event", String(this.#serverId), "engine"],
      sourceTimestamp: null,
      payload: { kind: "json", data: what },
    }]);
  }

  #batchHooks(): BatchHooks {
    return {
      onRegisterBatch: (_info, batch, respond) =>
        this.#running && this.#storage.isOpen
          ? this.#registerBatch(batch, respond)
          : null,
      onQueryBytes: (_info, params, limit) => this.#queryBytes(params, limit),
    };
  }

  /** The next session id, reserved in the storage; null when it failed. */
  #nextSession(): number | null {
    const session = this.#session + 1;
    if (session > this.#reserved) {
      try {
        this.#reserved = this.#storage.reserveSessions(this.#serverId, session);
      } catch (error) {
        // No id may be handed out any more, not even for STOPPED.
        this.#running = false;
        this.#storageFailed(error);
        return null;
      }
    }
    this.#session = session;
    return session;
  }

  /**
   * Registers the events of a batch as one session, from their bytes (see
   * docs/wasm.md): ids and timestamp assigned in the core, records written
   * by it into the storage, notifications written by it for the
   * subscribers. Gives the MsgRegisterRes bytes (a view into the core)
   * when `respond`.
   */
  #registerBatch(batch: EventBatch, respond: boolean): Uint8Array | null {
    const n = batch.length;
    if (n > 0) {
      const start = performance.now();
      const session = this.#nextSession();
      if (session === null) return null;
      batch.assign(0, n, this.#serverId, session, 1, this.#clock());
      this.#storeAndNotify(batch, n, start, session);
    }
    if (!respond) return null;
    if (n === 0) batch.writeEvents(0, 0, 0, 1);
    const res = batch.output(0);
    res[0] = 0x80; // MsgRegisterRes: events
    return res;
  }

  // Stores the n events of a batch (one session) and notifies them;
  // leaves their Array(Event) in output slot 0, after one byte of room.
  #storeAndNotify(
    batch: EventBatch,
    n: number,
    start: number,
    session: number,
  ): void {
    const durable = this.#storage.registerBatch(batch, 0, n, true);
    const fanout = this.#fanout!;
    batch.writeEvents(0, 0, n, 1);
    // Persisted subscribers are told after the commit, when the batch is
    // gone: the events' notification is copied out for those there now
    // (one who comes before the commit has the session read back).
    let written = this.#subscribers[1] > 0 ? fanout.writeOut(batch, 1) : null;
    if (this.#subscribers[0] > 0) fanout.notifyBatch(batch, 0, n, false, 1);
    const rec = this.#rec;
    rec.registered.inc(n);
    rec.registerLatency.observe((performance.now() - start) / 1000);
    durable.then(
      () => {
        rec.stored.inc(n);
        rec.commitLatency.observe((performance.now() - start) / 1000);
        if (this.#subscribers[1] === 0) return;
        written ??= this.#readBack(session, n);
        if (written !== null) fanout.notifyWritten(written, true);
      },
      (error) => this.#storageFailed(error),
    );
  }

  /**
   * The notification of a committed session of this server, read back
   * from the storage (the events of its `n` instances follow the session
   * before it); null when the core could not get memory.
   */
  #readBack(session: number, n: number): WrittenEvents | null {
    const batch = this.#batch!;
    const server = this.#serverId;
    try {
      const answer = this.#storage.queryBytes(
        {
          kind: "server",
          serverId: server,
          persisted: true,
          maxResults: n,
          lastEventId: {
            server,
            session: session - 1,
            instance: Number.MAX_SAFE_INTEGER,
          },
        },
        batch,
        n,
        encodeQueryRes,
      );
      // A MsgQueryRes is the MsgEventsNotify and a Boolean after it.
      return answer === null
        ? null
        : { bytes: answer.slice(0, answer.length - 1) };
    } finally {
      batch.clear();
    }
  }

  #queryBytes(params: QueryParams, limit: number): Uint8Array {
    const batch = this.#batch!;
    this.#rec.queries[params.kind]?.inc();
    try {
      const out = this.#storage.queryBytes(
        params,
        batch,
        limit,
        encodeQueryRes,
      );
      if (out !== null) return out;
    } finally {
      // The chunks held for the answer go; the answer stays readable.
      batch.clear();
    }
    // The core could not get memory: the TypeScript path answers.
    const result = this.#storage.query(params, { jsonText: true });
    return encodeQueryRes(
      result.events.length > limit
        ? { events: result.events.slice(0, limit), moreFollows: true }
        : result,
    );
  }

  #register(registerEvents: readonly RegisterEvent[]): Event[] | null {
    if (registerEvents.length === 0) return [];
    if (this.#core !== null) return this.#registerThroughBatch(registerEvents);
    return this.#registerObjects(registerEvents);
  }

  /**
   * Registers events made as objects with codec "wasm": written as a
   * MsgRegisterReq and scanned into the engine's batch, so that they are
   * stored and notified as a client's are; the events given back are made
   * from the objects.
   */
  #registerThroughBatch(
    registerEvents: readonly RegisterEvent[],
  ): Event[] | null {
    const batch = this.#batch!;
    const core = this.#core!;
    batch.clear();
    const n = batch.scanRegister(encodeRegisterReq(registerEvents));
    if (typeof n !== "number") {
      // Too large for the core: the TypeScript path takes it.
      batch.clear();
      return this.#registerObjects(registerEvents);
    }
    try {
      const start = performance.now();
      const session = this.#nextSession();
      if (session === null) return null;
      const timestamp = this.#clock();
      batch.assign(0, n, this.#serverId, session, 1, timestamp);
      this.#storeAndNotify(batch, n, start, session);
      const server = this.#serverId;
      return registerEvents.map((e, i) => ({
        id: { server, session, instance: i + 1 },
        type: e.type,
        timestamp,
        sourceTimestamp: e.sourceTimestamp,
        payload: e.payload,
      }));
    } finally {
      batch.clear();
      core.release();
    }
  }

  // The TypeScript path: the session's events as objects.
  #registerObjects(registerEvents: readonly RegisterEvent[]): Event[] | null {
    const n = registerEvents.length;
    const start = performance.now();
    const server = this.#serverId;
    const session = this.#nextSession();
    if (session === null) return null;
    const timestamp = this.#clock();
    const events = new Array<Event>(n);
    for (let i = 0; i < n; i++) {
      const e = registerEvents[i];
      events[i] = {
        id: { server, session, instance: i + 1 },
        type: e.type,
        timestamp,
        sourceTimestamp: e.sourceTimestamp,
        payload: e.payload,
      };
    }
    const durable = this.#storage.register(events);
    this.#notify(events, false);
    const rec = this.#rec;
    rec.registered.inc(n);
    rec.registerLatency.observe((performance.now() - start) / 1000);
    durable.then(
      () => {
        rec.stored.inc(n);
        rec.commitLatency.observe((performance.now() - start) / 1000);
        this.#notify(events, true);
      },
      (error) => this.#storageFailed(error),
    );
    return events;
  }

  #notify(events: Event[], persisted: boolean): void {
    // Matching every event against the subscriptions costs; skip it when
    // no client could be told.
    if (this.#subscribers[persisted ? 1 : 0] === 0) return;
    this.#server.notifyEvents(events, { persisted }).catch((error) =>
      this.#onError(error, "notify")
    );
  }

  /**
   * The storage failed (a commit, or background work after which it closed
   * itself), so the engine stops too (as the Python server stops when its
   * backend closes).
   */
  #storageFailed(error: unknown): void {
    if (this.#closing !== null) return;
    this.#onError(error, "storage failed, stopping");
    this.close();
  }

  async #close(timeout: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeout);
    });
    try {
      // Reported, never passed on: close() finishes closing regardless.
      const graceful = (async () => {
        if (this.#running) this.#engineEvent("STOPPED");
        this.#running = false;
        await this.#server.setStatus("stopping");
        // A storage that failed closed itself (and was reported): nothing
        // of it is left to commit.
        if (this.#storage.isOpen) await this.#storage.flush();
      })().catch((error) => this.#onError(error, "shutdown"));
      await Promise.race([graceful, expired]);
    } finally {
      clearTimeout(timer);
      this.#running = false;
      await Promise.allSettled([this.#server.close()]);
      await this.#storage.close().catch((error) =>
        this.#onError(error, "storage")
      );
      // A registry shared beyond the engine's life must not read a closed
      // storage (or keep the engine) when scraped.
      this.#uncollect();
    }
  }
}

function subscribes(info: ConnectionInfo): boolean {
  return info.subscription.queryTypes().length > 0;
}

/**
 * Starts an engine listening on `addr` (port 0 picks a free port).
 *
 * @param addr Where to listen.
 * @param options Storage, server id and token, status, eventer server
 * options.
 * @returns The running engine.
 *
 * @example
 * ```ts
 * import { startEngine } from "./engine.ts";
 * import { MemoryStorage } from "./storage/memory.ts";
 * import assert from "node:assert/strict";
 *
 * await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
 *   storage: new MemoryStorage(),
 *   serverId: 2,
 * });
 * const [event] = engine.register([{ type: ["x"], sourceTimestamp: null, payload: null }])!;
 * assert.deepEqual(event.id.server, 2);
 * assert.equal(engine.status, "operational");
 * ```
 */
export function startEngine(
  addr: Address,
  options: EngineOptions,
): Promise<Engine> {
  return Engine.start(addr, options);
}
