// How the Event Server's engine reaches into an eventer server for events
// held as bytes (codec "wasm"): register requests handed over as the
// EventBatch the server scanned them into, query answers handed back as
// MsgQueryRes bytes, the server's core and its fan-out of batches. Given
// to listen() under a symbol key, so they are no part of its public
// options; named for event_server/ by internal_mod.ts. See docs/wasm.md.

import type { EventBatch, EventCore } from "../codec/wasm/internal_mod.ts";
import type { QueryParams } from "../event/mod.ts";
import type { BatchFanout } from "./_batch_fanout.ts";
import type { ConnectionInfo } from "./connection_info.ts";

/** The key of {@linkcode BatchHooks} in the options of `listen`. */
export const BATCH_HOOKS: unique symbol = Symbol("hat eventer batch hooks");

/**
 * Callbacks that take requests as bytes, used instead of `onRegister` and
 * `onQuery` when the server's codec is "wasm".
 */
export interface BatchHooks {
  /**
   * A register request, scanned into `batch` (which stays valid until the
   * result settles; the server clears it then). Gives the MsgRegisterRes
   * bytes to answer with when `respond` (a view into the server's core is
   * fine when given synchronously), or `null` for `failure`.
   */
  onRegisterBatch(
    info: ConnectionInfo,
    batch: EventBatch,
    respond: boolean,
  ): Uint8Array | null | Promise<Uint8Array | null>;
  /**
   * A query: gives the MsgQueryRes bytes (at most `limit` events for
   * timeseries and server queries; a view into the server's core is fine
   * when given synchronously).
   */
  onQueryBytes(
    info: ConnectionInfo,
    params: QueryParams,
    limit: number,
  ): Uint8Array | Promise<Uint8Array>;
}

/** What the engine uses of a server that has a Wasm core. */
export interface ServerInternals {
  /** The server's core, or null when its codec is "ts". */
  readonly core: EventCore | null;
  /** Its fan-out of batches, or null when its codec is "ts". */
  readonly fanout: BatchFanout | null;
}

const registry = new WeakMap<object, ServerInternals>();

/** Records the internals of a server (by the server itself). */
export function setServerInternals(
  server: object,
  internals: ServerInternals,
): void {
  registry.set(server, internals);
}

/**
 * The internals of a server made by `listen`.
 *
 * @throws {TypeError} For anything else.
 */
export function serverInternals(server: object): ServerInternals {
  const internals = registry.get(server);
  if (internals === undefined) {
    throw new TypeError("Not a server made by listen()");
  }
  return internals;
}
