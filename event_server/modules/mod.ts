/**
 * Engine modules of the Hat Event Server (Python `hat.event.common.module`
 * and the engine of `hat.event.server`): plugins that see each session's
 * events and register new ones in the same session.
 *
 * A module is a file that exports `info` with a `create` function; it
 * needs no import from this package. The types here are for authors who
 * want the compiler to check a module, {@linkcode startModuleServer} runs
 * modules in a real server for their tests, and the errors are what a
 * server that embeds modules may meet. Two useful modules ship beside
 * this entry: `@hat/eventer/modules/threshold_alarm` and
 * `@hat/eventer/modules/deadband`. docs/modules.md tells how to write,
 * load and test a module.
 *
 * Limits: modules run in the server's thread. A call that returns a
 * promise is given `moduleTimeout` seconds, but a synchronous endless loop
 * cannot be interrupted: it stops the whole server.
 *
 * @example A module, and its test against a running server
 * ```ts
 * import { connect } from "@hat/eventer";
 * import { type ModuleInfo, startModuleServer } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * // alarms.ts: registers `alarm/<type>` for a value above the limit
 * export const info: ModuleInfo = {
 *   create(conf) {
 *     const limit = conf.limit as number;
 *     return {
 *       subscription: [["gateway", "?", "data", "*"]],
 *       process(_source, event) {
 *         const data = event.payload?.kind === "json" ? event.payload.data : null;
 *         if (typeof data !== "number" || data <= limit) return null;
 *         return [{
 *           type: ["alarm", ...event.type],
 *           sourceTimestamp: event.sourceTimestamp,
 *           payload: { kind: "json", data: { value: data, limit } },
 *         }];
 *       },
 *     };
 *   },
 * };
 *
 * await using server = await startModuleServer([{ info, conf: { limit: 80 } }]);
 * await using client = await connect(server.address, "test");
 * const type = ["gateway", "g1", "data", "temperature"];
 * const response = await client.register(
 *   [{ type, sourceTimestamp: null, payload: { kind: "json", data: 85 } }],
 *   { withResponse: true },
 * );
 * assert.equal(response?.length, 1); // the request's events only
 * const { events } = await client.query({ kind: "latest", eventTypes: [["alarm", "*"]] });
 * assert.deepEqual(events[0].type, ["alarm", ...type]);
 * assert.equal(events[0].id.session, response![0].id.session); // same session
 * ```
 *
 * @module
 */

export type {
  Awaitable,
  ClientName,
  Module,
  ModuleConf,
  ModuleEngine,
  ModuleInfo,
  Source,
  SourceType,
} from "./types.ts";
export {
  type ModuleCall,
  ModuleCreateError,
  ModuleError,
  ModuleLoadError,
  ModuleSessionError,
  ModuleTimeoutError,
} from "./errors.ts";
export {
  type ModuleServer,
  type ModuleServerOptions,
  startModuleServer,
  type TestModule,
} from "./testing.ts";
