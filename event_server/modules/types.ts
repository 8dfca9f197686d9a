/**
 * The engine module API (Python `hat.event.common.module`): what a module
 * file exports (`info`), what its `create` gets (its configuration entry,
 * the engine, its source) and what it returns (a {@linkcode Module}).
 *
 * A module needs no import from this package: these types describe plain
 * objects and functions, and are here for authors who want them checked.
 * docs/modules.md explains how modules are written, loaded and tested.
 *
 * @module
 */

import type {
  Event,
  JsonValue,
  QueryParams,
  QueryResult,
  QueryType,
  RegisterEvent,
  Subscription,
} from "../../event/mod.ts";

/** A value or a promise of it: every module callback may be async. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * Who registered a session's events (Python `SourceType`): a connected
 * eventer client, an engine module, the engine itself (`STARTED`), or the
 * server (the `Engine.register` API, peer sync's `synced` events).
 */
export type SourceType = "eventer" | "module" | "engine" | "server";

/**
 * Where events come from (Python `Source`): for `eventer`, the id of the
 * client's connection; for `module`, the module's index in the
 * configuration; `0` for `engine` and `server`.
 *
 * @example
 * ```ts
 * import type { Source } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * const source: Source = { type: "module", id: 0 };
 * assert.equal(source.type, "module");
 * ```
 */
export interface Source {
  /** What kind of source. */
  readonly type: SourceType;
  /** Which one of its kind. */
  readonly id: number;
}

/**
 * A module's configuration entry, as written in the server's configuration:
 * `module` names the file (or URL, or package specifier) to import, the
 * other entries are the module's own settings.
 */
export interface ModuleConf {
  /** What to import, as written in the configuration. */
  readonly module: string;
  /** The module's own settings. */
  readonly [setting: string]: JsonValue | undefined;
}

/** A connected eventer client, as {@linkcode ModuleEngine.clientNames} lists it. */
export interface ClientName {
  /** Its source (`eventer`, with the connection id). */
  readonly source: Source;
  /** The name it gave. */
  readonly name: string;
}

/**
 * The engine as a module sees it (Python `hat.event.common.Engine`).
 */
export interface ModuleEngine {
  /** This server's id. */
  readonly serverId: number;
  /**
   * Registers events as a new session of their own, processed by the
   * modules like any other, after the sessions already waiting. Do not
   * await it inside `process`, `onSessionStart` or `onSessionStop`: the
   * new session waits for the current one, which would wait for it until
   * `moduleTimeout` fails it.
   *
   * @param source Who registers them (usually the module's own source).
   * @param events The events.
   * @returns The registered events, or `null` when the session failed or
   * the engine is not active.
   */
  register(
    source: Source,
    events: readonly RegisterEvent[],
  ): Promise<Event[] | null>;
  /**
   * Queries the storage (sessions being processed are not in it yet).
   *
   * @param params The query.
   * @returns The result.
   */
  query(params: QueryParams): Promise<QueryResult>;
  /**
   * The eventer clients connected now (Python `get_client_names`).
   *
   * @returns Their sources and names.
   */
  clientNames(): ClientName[];
  /**
   * In a monitor group: gives this server's blessing back and asks for it
   * again, so that the monitor may make another server active (Python
   * `reset_monitor_ready`). Nothing without a monitor. Optional, so that
   * a stand-in engine of a test need not have it.
   *
   * @returns When this server is ready again.
   */
  resetMonitorReady?(): Promise<void>;
}

/**
 * A running module (Python `hat.event.common.Module`). Every method may
 * return a promise; the engine waits for it, at most `moduleTimeout`.
 */
export interface Module {
  /**
   * The event types the module processes: query types, or a
   * `Subscription`. Read once, when the module is created.
   */
  readonly subscription: Subscription | readonly QueryType[];
  /**
   * Processes one event of the session that the subscription matches.
   * Calls for one session are made one after another, never at once.
   *
   * @param source Who registered the event.
   * @param event The event (frozen).
   * @returns Events to add to the session (`null`/`undefined`/`[]`: none).
   */
  process(
    source: Source,
    event: Event,
  ): Awaitable<Iterable<RegisterEvent> | null | undefined | void>;
  /**
   * Called when a session starts, before any `process` of it.
   *
   * @param sessionId The session's id.
   */
  onSessionStart?(sessionId: number): Awaitable<void>;
  /**
   * Called when a session ends (also one that failed), after every
   * `process` of it.
   *
   * @param sessionId The session's id.
   */
  onSessionStop?(sessionId: number): Awaitable<void>;
  /** Called when the engine stops (or becomes standby). */
  close?(): Awaitable<void>;
}

/**
 * What a module file exports as `info` (Python `ModuleInfo`).
 *
 * @example A module that counts the events of its types into `count/<type>`
 * ```ts
 * import type { ModuleInfo } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * export const info: ModuleInfo = {
 *   create(conf) {
 *     let count = 0;
 *     return {
 *       subscription: conf.types as string[][],
 *       process(_source, event) {
 *         count++;
 *         return [{
 *           type: ["count", ...event.type],
 *           sourceTimestamp: null,
 *           payload: { kind: "json", data: count },
 *         }];
 *       },
 *     };
 *   },
 * };
 *
 * const engine = {
 *   serverId: 1,
 *   register: () => Promise.resolve(null),
 *   query: () => Promise.resolve({ events: [], moreFollows: false }),
 *   clientNames: () => [],
 * };
 * const module = await info.create(
 *   { module: "./count.ts", types: [["a", "*"]] },
 *   engine,
 *   { type: "module", id: 0 },
 * );
 * const out = await module.process({ type: "eventer", id: 1 }, {
 *   id: { server: 1, session: 2, instance: 1 },
 *   type: ["a", "b"],
 *   timestamp: { s: 1, us: 0 },
 *   sourceTimestamp: null,
 *   payload: null,
 * });
 * assert.deepEqual([...out!].map((e) => e.type), [["count", "a", "b"]]);
 * ```
 */
export interface ModuleInfo {
  /**
   * Creates the module when the engine starts (the server becomes active).
   *
   * @param conf The module's configuration entry.
   * @param engine The engine.
   * @param source The module's source (`module`, its index).
   * @returns The module.
   */
  create(
    conf: ModuleConf,
    engine: ModuleEngine,
    source: Source,
  ): Awaitable<Module>;
}
