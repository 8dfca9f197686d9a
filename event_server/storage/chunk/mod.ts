/**
 * The chunk store: events encoded into compact binary chunks as they are
 * registered, chunk summaries kept in memory so that queries read only the
 * chunks they need, retention by rewriting chunks, and a backend that
 * keeps the chunks (a Map in the memory storage, SQLite rows in the SQLite
 * storage). This entry names what the storages beside this folder use;
 * the rest of the folder is private to it. See docs/architecture.md.
 *
 * @example
 * ```ts
 * import { type ChunkMeta, ChunkStore, encodeMeta } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const chunks = new Map<number, Uint8Array>();
 * const store = new ChunkStore({
 *   transaction: (fn) => fn(),
 *   insertType: () => {},
 *   setCount: () => {},
 *   setServer: () => {},
 *   setLatest: () => {},
 *   insertChunk: (meta: ChunkMeta, data) => void chunks.set(meta.id, data),
 *   updateChunk: (meta: ChunkMeta, data) => void chunks.set(meta.id, data),
 *   deleteChunk: (id) => void chunks.delete(id),
 *   readChunk: (id) => chunks.get(id)!,
 * }, {
 *   chunkSize: 4096,
 *   maxResults: 100,
 *   retention: [],
 *   cleanupPeriod: 1000,
 *   cleanupBatch: 1024,
 *   onError: () => {},
 * });
 * store.register([{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a"],
 *   timestamp: { s: 1, us: 0 },
 *   sourceTimestamp: null,
 *   payload: null,
 * }]);
 * store.commit();
 * assert.equal(store.chunkCount, 1);
 * assert.equal(store.query({ kind: "timeseries" }).events.length, 1);
 * assert.ok(encodeMeta({
 *   id: 1,
 *   count: 1,
 *   tsMin: { s: 1, us: 0 },
 *   tsMax: { s: 1, us: 0 },
 *   srcMin: null,
 *   srcMax: null,
 *   types: new Uint32Array([0]),
 *   servers: [],
 * }).length > 0);
 * ```
 *
 * @module
 */

export {
  type ChunkBackend,
  ChunkStore,
  type ChunkStoreOptions,
  type LoadedState,
} from "./_store.ts";
export { type ChunkMeta, encodeMeta } from "./_meta.ts";
