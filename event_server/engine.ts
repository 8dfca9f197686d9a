/**
 * The engine of the standalone Event Server: an eventer server (from
 * `server.ts`) whose registrations and queries go to a {@linkcode Storage},
 * as the Python Event Server does it (`tests/testdata/spec/PROTOCOL.md` §5):
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
import { BatchSession } from "./_batch_session.ts";
import { sessionEvents } from "./_session_events.ts";
import { StorageClosedError } from "./errors.ts";
import { EngineMetrics } from "./_engine_metrics.ts";
import { MODULE_FAILURES } from "./metric_names.ts";
import { MetricsRegistry } from "./metrics.ts";
import {
  type LoadedModule,
  type ModuleEngine,
  type ModuleError,
  type ModuleFailures,
  ModuleRunner,
  ObjectSession,
  type Source,
} from "./modules/internal_mod.ts";
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
  /**
   * Engine modules (imported by `loadModules`), in configuration order;
   * created when the engine becomes operational, closed when it stops
   * being so (docs/modules.md).
   * @default {[]}
   */
  readonly modules?: readonly LoadedModule[];
  /**
   * Seconds each call of a module (`create`, `process`, the session hooks,
   * `close`) may take to settle; a session whose call does not settle in
   * time fails.
   * @default {5}
   */
  readonly moduleTimeout?: number;
  /**
   * Told of each module failure (a failed session, a failed close); the
   * failures are counted by {@linkcode Engine.moduleFailures} either way.
   * @default {the engine's onError, with context "module"}
   */
  readonly onModuleError?: (error: ModuleError) => void;
  /**
   * What a module's `resetMonitorReady()` does: in a monitor group, give
   * the blessing back and ask for it again.
   * @default {nothing}
   */
  readonly resetMonitorReady?: () => Promise<void>;
}

/** Options of {@linkcode Engine.register}. */
export interface RegisterOptions {
  /**
   * Who registers the events, as modules see it.
   * @default {{ type: "server", id: 0 }}
   */
  readonly source?: Source;
}

/** A client's register request as the server's Wasm core scanned it. */
interface BatchRequest {
  readonly batch: EventBatch;
  readonly respond: boolean;
}
/** What the module runner hands back to the engine to open a session. */
type SessionRequest = readonly RegisterEvent[] | BatchRequest;
/** The request's events, or a client's MsgRegisterRes bytes. */
type SessionAnswer = Event[] | Uint8Array;
type ModuleSession = ObjectSession | BatchSession;

const checkShape = (events: readonly RegisterEvent[]) =>
  checkEvents(events, false);

const SERVER_SOURCE: Source = Object.freeze({ type: "server", id: 0 });
const ENGINE_SOURCE: Source = Object.freeze({ type: "engine", id: 0 });
const SOURCE_TYPES = new Set(["eventer", "module", "engine", "server"]);

function checkSource(source: unknown): asserts source is Source {
  const s = source as Source;
  if (
    typeof s !== "object" || s === null || !SOURCE_TYPES.has(s.type) ||
    !Number.isSafeInteger(s.id)
  ) {
    throw new TypeError(
      `Invalid source: expected { type: "eventer" | "module" | "engine" | ` +
        `"server", id: integer }, got ${JSON.stringify(source)}`,
    );
  }
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
 * const x = { type: ["x"], sourceTimestamp: null, payload: null };
 * assert.equal(await engine.register([x]), null);
 * await engine.setStatus("operational");
 * assert.equal((await engine.register([x]))?.length, 1);
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
  /** The module step, `null` without modules. */
  #runner: ModuleRunner<ModuleSession, SessionRequest, SessionAnswer> | null =
    null;
  /** Status changes, one after another (creating modules takes time). */
  #statusChange: Promise<void> = Promise.resolve();
  #stopReason: unknown = null;
  #resetMonitorReady: () => Promise<void>;
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
    this.#resetMonitorReady = options.resetMonitorReady ??
      (() => Promise.resolve());
    this.#onError = options.onError ??
      ((error, context) => console.error(`${context}:`, error));
    this.#clock = options.clock ?? now;
    this.#session = this.#storage.lastSession(this.#serverId);
    this.#reserved = this.#session;
    this.#metrics = options.metrics ?? new MetricsRegistry();
    this.#rec = new EngineMetrics(this.#metrics, this.#serverId);
    const modules = options.modules ?? [];
    // Without modules, operational at once; with them, once created.
    this.#running = modules.length === 0 &&
      (options.status ?? "operational") === "operational";
    if (modules.length > 0) this.#runner = this.#moduleRunner(options);
  }

  #moduleRunner(
    options: EngineOptions,
  ): ModuleRunner<ModuleSession, SessionRequest, SessionAnswer> {
    const timeout = options.moduleTimeout ?? 5;
    if (!(timeout > 0 && timeout <= 2147483)) {
      throw new RangeError(
        `Invalid moduleTimeout: expected seconds in (0, 2147483], got ${timeout}`,
      );
    }
    const onModuleError = options.onModuleError ??
      ((error: ModuleError) => this.#onError(error, "module"));
    // One series per configured module, there (at 0) from the start.
    const failures = options.modules!.map((m) =>
      this.#metrics.counter(MODULE_FAILURES, { module: m.name })
    );
    return new ModuleRunner<ModuleSession, SessionRequest, SessionAnswer>(
      options.modules!,
      {
        open: (_source, request) => this.#openSession(request),
        commit: (session, first, late) =>
          this.#commitSession(session, first, late),
        abort: (session) => this.#abortSession(session),
      },
      {
        timeout,
        maxAdded: options.maxRegisterEvents ?? 100_000,
        onError: (error) => {
          failures[error.index]?.inc();
          onModuleError(error);
        },
      },
    );
  }

  /**
   * Opens a session for the module runner: its id and timestamp, and its
   * first events: a client's batch (codec "wasm"), or objects (the
   * engine's own registrations, and every request with codec "ts"), which
   * with codec "wasm" are scanned into a batch of their own.
   */
  #openSession(request: SessionRequest): ModuleSession | null {
    if (!this.#storage.isOpen) return null;
    const session = this.#nextSession();
    if (session === null) return null;
    const server = this.#serverId;
    const timestamp = this.#clock();
    let batch: EventBatch;
    let objects: readonly RegisterEvent[] | null = null;
    let respond = false;
    if (Array.isArray(request)) {
      objects = request;
      const core = this.#core;
      if (core === null) {
        return new ObjectSession({ server, session, timestamp }, request, {
          check: checkShape,
        });
      }
      batch = core.batch();
      if (typeof batch.scanRegister(encodeRegisterReq(request)) !== "number") {
        // Too large for the core: the TypeScript path takes it.
        batch.clear();
        core.release();
        return new ObjectSession({ server, session, timestamp }, request, {
          check: checkShape,
        });
      }
    } else {
      ({ batch, respond } = request as BatchRequest);
    }
    batch.assign(0, batch.length, server, session, 1, timestamp);
    return new BatchSession({
      batch,
      server,
      session,
      timestamp,
      check: checkShape,
      objects,
      respond,
    });
  }

  /**
   * Stores and notifies all of a session's events and gives the answer:
   * the request's events as objects, or a client's MsgRegisterRes bytes
   * (a copy when given after a wait: a view into the core is only valid
   * until the next call into it).
   */
  #commitSession(
    s: ModuleSession,
    first: number,
    late: boolean,
  ): SessionAnswer | null {
    if (!this.#storage.isOpen) {
      this.#abortSession(s);
      return null;
    }
    try {
      if (s instanceof ObjectSession) {
        const events = s.events;
        this.#commit(events, s.openedAt);
        return first === events.length ? events : events.slice(0, first);
      }
      const batch = s.batch;
      const n = batch.length;
      this.#storeAndNotify(batch, n, s.openedAt, s.id);
      if (s.objects !== null) {
        return sessionEvents(s.objects, this.#serverId, s.id, s.timestamp);
      }
      if (!s.respond) return null;
      // Slot 0 holds the whole session's events; the response holds the
      // request's only.
      const res = first === n
        ? batch.output(0)
        : batch.writeEvents(1, 0, first, 1);
      res[0] = 0x80; // MsgRegisterRes: events
      return late ? res.slice() : res;
    } catch (error) {
      this.#onError(error, "commit");
      return null;
    } finally {
      if (!(s instanceof ObjectSession) && s.objects !== null) {
        s.batch.clear();
        s.core.release();
      }
    }
  }

  /** Lets go of a failed session: its id stays unused (a gap). */
  #abortSession(s: ModuleSession): void {
    // A client's batch is the server's to clear; the engine's own it clears.
    if (!(s instanceof ObjectSession) && s.objects !== null) {
      s.batch.clear();
      s.core.release();
    }
  }

  /**
   * Starts an engine listening on `addr` (port 0 picks a free port); same
   * as {@linkcode startEngine}.
   *
   * @param addr Where to listen.
   * @param options Storage, server id and token, status, modules, eventer
   * server options.
   * @returns The running engine.
   * @throws {ModuleCreateError} When a module cannot be created (the
   * server is closed again; the storage is left open).
   */
  static async start(addr: Address, options: EngineOptions): Promise<Engine> {
    const {
      storage: _storage,
      serverId: _serverId,
      serverToken: _serverToken,
      onError: _onError,
      modules: _modules,
      moduleTimeout: _moduleTimeout,
      onModuleError: _onModuleError,
      resetMonitorReady: _resetMonitorReady,
      metrics: _metrics,
      clock: _clock,
      ...rest
    } = options;
    const engine = new Engine(options);
    const status = options.status ?? "operational";
    const withModules = engine.#runner !== null && status === "operational";
    engine.#server = await listen(addr, {
      ...rest,
      // The reference's engine runner announces starting while it creates
      // the engine and its modules.
      status: withModules ? "starting" : status,
      // Payloads are stored and forwarded, never looked at: kept as text.
      jsonText: true,
      ...engine.#callbacks(),
      [BATCH_HOOKS]: engine.#batchHooks(),
    } as ServerOptions);
    const internals = serverInternals(engine.#server);
    engine.#core = internals.core;
    engine.#fanout = internals.fanout;
    engine.#batch = internals.core?.batch() ?? null;
    if (withModules) {
      try {
        await engine.setStatus("operational");
      } catch (error) {
        await engine.#server.close();
        throw error;
      }
    }
    // A storage that failed closes itself, also when no registration
    // waits for a commit to hear of it (a failed retention cleanup); one
    // closed by someone else leaves the engine nothing to serve either.
    engine.#storage.closed.then((error) => {
      engine.#storageFailed(error ?? new StorageClosedError());
    });
    engine.#uncollect = engine.#rec.collect(engine.#server, engine.#storage);
    if (!withModules) engine.#engineEvent("STARTED");
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
   * Why the engine stopped by itself: the error of its storage, or the
   * {@linkcode ModuleCreateError} of a module that could not be created
   * when it became active; `null` while running or after `close()`.
   */
  get stopReason(): unknown {
    return this.#stopReason;
  }

  /**
   * Failures of each configured module since the engine started (a
   * session it failed, a `close` that failed).
   *
   * @returns One entry per module, in configuration order.
   */
  moduleFailures(): ModuleFailures[] {
    return this.#runner?.failures() ?? [];
  }

  /**
   * Registers events as one session, as if a client had sent them; the
   * modules process it like any other.
   *
   * @param registerEvents The events to register.
   * @param options Who registers them.
   * @returns The registered events (without what modules added), or
   * `null` when the engine is not operational, its storage failed, or a
   * module failed the session.
   * @throws {TypeError} For an event or source of the wrong shape (nothing
   * is registered).
   * @throws {EventPayloadError} For JSON data that has no JSON text.
   */
  async register(
    registerEvents: readonly RegisterEvent[],
    options: RegisterOptions = {},
  ): Promise<Event[] | null> {
    // Checked before a session id is taken: a wrong value fails the call
    // and stores nothing.
    checkEvents(registerEvents, false);
    const source = options.source ?? SERVER_SOURCE;
    checkSource(source);
    if (!this.#running || !this.#storage.isOpen) return null;
    return await this.#submit(source, registerEvents);
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
   * only while it is `operational`. Becoming operational creates the
   * modules (the status stays as it was when one cannot be created);
   * leaving it fails the sessions waiting for modules and closes them.
   * Changes are made one after another.
   *
   * @param status The new status.
   * @returns When announced.
   * @throws {ModuleCreateError} When a module cannot be created.
   */
  setStatus(status: Status): Promise<void> {
    const change = this.#statusChange.then(() => this.#changeStatus(status));
    this.#statusChange = change.catch(() => {});
    return change;
  }

  async #changeStatus(status: Status): Promise<void> {
    const on = status === "operational";
    if (on && !this.#running && this.#closing === null) {
      if (this.#runner !== null) {
        await this.#runner.start(this.#moduleEngine(), {
          source: ENGINE_SOURCE,
          request: [this.#engineRegisterEvent("STARTED")],
        });
        if (this.#closing !== null) {
          await this.#runner.stop();
          return;
        }
        this.#running = true;
      } else {
        this.#running = true;
        this.#engineEvent("STARTED");
      }
    } else if (!on && this.#running) {
      await this.#stopRunning();
    }
    return this.#server.setStatus(status);
  }

  /**
   * Stops taking registrations: sessions waiting for modules fail,
   * `STOPPED` is registered (past the modules, as the reference does),
   * and the modules are closed.
   */
  #stopRunning(): Promise<void> {
    this.#running = false;
    const modulesStopped = this.#runner?.stop();
    this.#engineEvent("STOPPED", true);
    return modulesStopped ?? Promise.resolve();
  }

  /**
   * Becomes the active server of a redundant group, as the reference's
   * engine runner starts its engine: announces `starting`, continues after
   * the highest stored session of this server's id, registers `STARTED`
   * and announces `operational`, creating the engine modules on the way.
   * Nothing when already operational or closing. When a module cannot be
   * created the engine stops (as the reference's engine runner stops its
   * server), so that the group's monitor makes another server active;
   * {@linkcode Engine.stopReason} says why.
   *
   * @returns When `operational` is announced, or the engine is stopping.
   */
  async activate(): Promise<void> {
    if (this.#running || this.#closing !== null) return;
    this.#session = Math.max(
      this.#session,
      this.#storage.lastSession(this.#serverId),
    );
    await this.#server.setStatus("starting");
    if (this.#closing !== null) return;
    try {
      await this.setStatus("operational");
    } catch (error) {
      if (this.#closing !== null) return;
      this.#stopReason = error;
      this.#onError(error, "engine modules could not be created, stopping");
      this.close();
    }
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
   * `stopping`, closes the modules, commits and notifies what is pending,
   * closes the clients and the storage. Within `timeout` ms; then closes
   * regardless.
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
      onRegister: (info, events) =>
        this.#running && this.#storage.isOpen
          ? this.#submit(eventerSource(info), events)
          : null,
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

  /** The engine as modules see it. */
  #moduleEngine(): ModuleEngine {
    return Object.freeze({
      serverId: this.#serverId,
      register: async (source: Source, events: readonly RegisterEvent[]) => {
        checkSource(source);
        checkEvents(events, false);
        if (!this.#storage.isOpen || this.#runner === null) return null;
        if (events.length === 0) return [];
        return await (this.#runner.submit(source, events) as
          | Event[]
          | null
          | Promise<Event[] | null>);
      },
      query: (params: QueryParams) =>
        Promise.resolve().then(() => this.query(params)),
      clientNames: () =>
        this.#server.connInfos().map((info) => ({
          source: eventerSource(info),
          name: info.clientName,
        })),
      resetMonitorReady: () => this.#resetMonitorReady(),
    });
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
    this.#submit(eventerSource(info), [{
      type: ["event", String(this.#serverId), "eventer", info.clientName],
      sourceTimestamp: null,
      payload: { kind: "json", data: what },
    }]);
  }

  #engineRegisterEvent(what: string): RegisterEvent {
    return {
      type: ["event", String(this.#serverId), "engine"],
      sourceTimestamp: null,
      payload: { kind: "json", data: what },
    };
  }

  /** `STARTED` without modules; `STOPPED` always past the modules. */
  #engineEvent(what: string, force = false): void {
    if ((!this.#running && !force) || !this.#storage.isOpen) return;
    this.#register([this.#engineRegisterEvent(what)]);
  }

  /** A session: through the modules when there are any. */
  #submit(
    source: Source,
    registerEvents: readonly RegisterEvent[],
  ): Event[] | null | Promise<Event[] | null> {
    if (this.#runner === null) return this.#register(registerEvents);
    if (registerEvents.length === 0) return [];
    // Requests as objects are answered with objects.
    return this.#runner.submit(source, registerEvents) as
      | Event[]
      | null
      | Promise<Event[] | null>;
  }

  #batchHooks(): BatchHooks {
    return {
      onRegisterBatch: (info, batch, respond) => {
        if (!this.#running || !this.#storage.isOpen) return null;
        const runner = this.#runner;
        if (runner === null || batch.length === 0) {
          return this.#registerBatch(batch, respond);
        }
        return runner.submit(eventerSource(info), { batch, respond }) as
          | Uint8Array
          | null
          | Promise<Uint8Array | null>;
      },
      onQueryBytes: (_info, params, limit) => this.#queryBytes(params, limit),
    };
  }

  /** The next session id, reserved in the storage; null when it failed. */
  #nextSession(): number | null {
    const session = this.#session + 1;
    if (session > this.#reserved) {
      try {
        this.#reserved = this.#storage.reserveSessions(
          this.#serverId,
          session,
        );
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
   * Registers the events of a batch as one session, past the modules, from
   * their bytes (see docs/wasm.md): ids and timestamp assigned in the core,
   * records written by it into the storage, notifications written by it
   * for the subscribers. Gives the MsgRegisterRes bytes (a view into the
   * core) when `respond`.
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

  /** A session past the modules: ids, storage, notification. */
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
      return sessionEvents(registerEvents, this.#serverId, session, timestamp);
    } finally {
      batch.clear();
      core.release();
    }
  }

  // The TypeScript path: the session's events as objects.
  #registerObjects(registerEvents: readonly RegisterEvent[]): Event[] | null {
    const start = performance.now();
    const session = this.#nextSession();
    if (session === null) return null;
    const events = sessionEvents(
      registerEvents,
      this.#serverId,
      session,
      this.#clock(),
    );
    this.#commit(events, start);
    return events;
  }

  /**
   * Stores a session's events and notifies subscribers of them; `start`
   * (`performance.now()`) is when the session began, for the latencies.
   */
  #commit(events: Event[], start: number): void {
    const n = events.length;
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
    this.#stopReason = error;
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
        const modulesStopped = this.#running
          ? this.#stopRunning()
          : this.#runner?.stop();
        this.#running = false;
        await this.#server.setStatus("stopping");
        await modulesStopped;
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

function eventerSource(info: ConnectionInfo): Source {
  return { type: "eventer", id: info.id };
}

/**
 * Starts an engine listening on `addr` (port 0 picks a free port).
 *
 * @param addr Where to listen.
 * @param options Storage, server id and token, status, modules, eventer
 * server options.
 * @returns The running engine.
 * @throws {ModuleCreateError} When a module cannot be created.
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
 * const [event] = (await engine.register([{ type: ["x"], sourceTimestamp: null, payload: null }]))!;
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
