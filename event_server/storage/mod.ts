/**
 * The storages of the Event Server: the {@linkcode Storage} interface the
 * engine works with, its two implementations ({@linkcode MemoryStorage},
 * {@linkcode SqliteStorage}, both built on the chunk store of `chunk/`),
 * and the checks the engine and the configuration share with them. This
 * entry names what the rest of `event_server/` uses; the folder's `_`
 * files are private to it. See docs/architecture.md.
 *
 * @example
 * ```ts
 * import { checkEvents, MemoryStorage, type Storage } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using storage: Storage = new MemoryStorage();
 * const events = [{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a"],
 *   timestamp: { s: 1, us: 0 },
 *   sourceTimestamp: null,
 *   payload: null,
 * }];
 * checkEvents(events, true);
 * await storage.register(events);
 * assert.deepEqual(storage.lastEventId(1), events[0].id);
 * assert.throws(() => checkEvents([{ type: "a" }] as never, false), TypeError);
 * ```
 *
 * @module
 */

export type {
  ArrivalOptions,
  RetentionRule,
  Storage,
  StorageOptions,
  StorageQueryOptions,
  StorageStats,
  TypeChild,
} from "./storage.ts";
export { MemoryStorage, type MemoryStorageOptions } from "./memory.ts";
export { SqliteStorage, type SqliteStorageOptions } from "./sqlite/sqlite.ts";
export { checkEvents } from "./_check.ts";
export { checkRule } from "./_options.ts";
