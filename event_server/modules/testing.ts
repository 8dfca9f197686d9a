/**
 * Engine modules in a real Event Server, for their tests: an in-memory
 * server on a free loopback port with the given modules, which eventer
 * clients (`connect` of `@hat/eventer`) talk to as to any server.
 *
 * @example
 * ```ts
 * import { startModuleServer } from "./testing.ts";
 * import { connect } from "../../client.ts";
 * import assert from "node:assert/strict";
 *
 * const double = {
 *   create: () => ({
 *     subscription: [["in"]],
 *     process: (_source: unknown, event: { payload: { kind: string; data?: unknown } | null }) => [{
 *       type: ["out"],
 *       sourceTimestamp: null,
 *       payload: { kind: "json" as const, data: 2 * (event.payload?.data as number) },
 *     }],
 *   }),
 * };
 * await using server = await startModuleServer([double]);
 * await using client = await connect(server.address, "test");
 * await client.register(
 *   [{ type: ["in"], sourceTimestamp: null, payload: { kind: "json", data: 21 } }],
 *   { withResponse: true },
 * );
 * const { events } = await client.query({ kind: "latest", eventTypes: [["out"]] });
 * assert.deepEqual(events[0].payload, { kind: "json", data: 42 });
 * assert.deepEqual(server.failures, []);
 * ```
 *
 * @module
 */

import type {
  Event,
  QueryParams,
  QueryResult,
  RegisterEvent,
} from "../../event/mod.ts";
import { type Engine, startEngine } from "../engine.ts";
import { MemoryStorage } from "../storage/mod.ts";
import type { ModuleError } from "./errors.ts";
import type { ModuleConf, ModuleInfo, Source } from "./types.ts";

/** A module given to {@linkcode startModuleServer} with its settings. */
export interface TestModule {
  /** What the module file exports as `info`. */
  readonly info: ModuleInfo;
  /**
   * Its configuration entry without `module` (its settings).
   * @default {{}}
   */
  readonly conf?: Omit<ModuleConf, "module">;
  /**
   * Its name in failures (the entry's `module`).
   * @default {"module<index>"}
   */
  readonly name?: string;
}

/** Options of {@linkcode startModuleServer}. */
export interface ModuleServerOptions {
  /**
   * The server's id.
   * @default {1}
   */
  readonly serverId?: number;
  /**
   * Seconds a module's call may take before its session fails.
   * @default {5}
   */
  readonly moduleTimeout?: number;
}

/** A running test server with modules. */
export interface ModuleServer extends AsyncDisposable {
  /** Where it listens (for `connect`). */
  readonly address: { readonly hostname: string; readonly port: number };
  /** Its id. */
  readonly serverId: number;
  /** The module failures it reported so far, in order. */
  readonly failures: readonly ModuleError[];
  /**
   * Registers events as one session (source `server` unless given).
   *
   * @param events The events.
   * @param source Who registers them.
   * @returns The registered events (without what modules added), or
   * `null` when a module failed the session.
   */
  register(
    events: readonly RegisterEvent[],
    source?: Source,
  ): Promise<Event[] | null>;
  /**
   * Queries its storage.
   *
   * @param params The query.
   * @returns The result.
   */
  query(params: QueryParams): QueryResult;
  /** Stops it (closing the modules). */
  close(): Promise<void>;
}

/**
 * Starts an in-memory Event Server on a free loopback port with modules
 * created in the given order, as a configuration file would list them.
 *
 * @param modules The modules: `info` objects, or with their settings.
 * @param options Server id, module timeout.
 * @returns The running server.
 * @throws {ModuleCreateError} When a module cannot be created.
 */
export async function startModuleServer(
  modules: readonly (ModuleInfo | TestModule)[],
  options: ModuleServerOptions = {},
): Promise<ModuleServer> {
  const failures: ModuleError[] = [];
  const engine: Engine = await startEngine(
    { hostname: "127.0.0.1", port: 0 },
    {
      storage: new MemoryStorage(),
      serverId: options.serverId,
      moduleTimeout: options.moduleTimeout,
      onError: () => {},
      onModuleError: (error) => void failures.push(error),
      modules: modules.map((m, index) => {
        const spec: TestModule = "info" in m ? m : { info: m };
        const name = spec.name ?? `module${index}`;
        return {
          index,
          name,
          conf: { ...spec.conf, module: name },
          info: spec.info,
        };
      }),
    },
  );
  return {
    address: engine.addrs[0],
    serverId: engine.serverId,
    failures,
    register: (events, source) => engine.register(events, { source }),
    query: (params) => engine.query(params),
    close: () => engine.close(),
    [Symbol.asyncDispose]: () => engine.close(),
  };
}
