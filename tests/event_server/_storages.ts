// The storages every storage test runs against, each opened fresh.

import { DatabaseSync } from "node:sqlite";
import type { Event, EventPayload, Timestamp } from "../../event/types.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import {
  SqliteStorage,
  type SqliteStorageOptions,
} from "../../event_server/storage/sqlite/sqlite.ts";
import type { Storage } from "../../event_server/storage/storage.ts";

/** A storage under test and how to reopen it on the same data. */
export interface Opened {
  storage: Storage;
  /** Closes it and opens the same data again (null: nothing persists). */
  reopen: ((options?: SqliteStorageOptions) => Promise<Opened>) | null;
  /** Closes it and removes its data. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A storage kind. */
export interface Kind {
  name: string;
  open(options?: SqliteStorageOptions): Promise<Opened>;
}

export const MEMORY: Kind = {
  name: "memory",
  // deno-lint-ignore require-await
  async open(options) {
    const storage = new MemoryStorage(options);
    return {
      storage,
      reopen: null,
      [Symbol.asyncDispose]: () => storage.close(),
    };
  },
};

/** Every storage kind. */
export const KINDS: Kind[] = [MEMORY];

/** Shorthand for a timestamp of fractional seconds (exact to µs). */
export function ts(seconds: number): Timestamp {
  const s = Math.floor(seconds);
  return { s, us: Math.round((seconds - s) * 1e6) };
}

/** Shorthand for an event. */
export function ev(
  id: [number, number, number],
  type: string[],
  timestamp: number | Timestamp,
  source: number | Timestamp | null = null,
  payload: EventPayload | null = null,
): Event {
  return {
    id: { server: id[0], session: id[1], instance: id[2] },
    type,
    timestamp: typeof timestamp === "number" ? ts(timestamp) : timestamp,
    sourceTimestamp: typeof source === "number" ? ts(source) : source,
    payload,
  };
}

/** Ids of events as `server/session/instance` strings. */
export function ids(events: readonly Event[]): string[] {
  return events.map((e) => `${e.id.server}/${e.id.session}/${e.id.instance}`);
}

/** SQLite storage in a fresh temporary directory. */
export const SQLITE: Kind = {
  name: "sqlite",
  async open(options) {
    const dir = await Deno.makeTempDir({ prefix: "eventer_sqlite_" });
    const path = `${dir}/events.db`;
    const make = (storage: Storage): Opened => ({
      storage,
      reopen: async (again) => {
        await storage.close();
        return make(
          new SqliteStorage(path, {
            flushPeriod: 1,
            synchronous: "normal",
            ...again,
          }),
        );
      },
      async [Symbol.asyncDispose]() {
        await storage.close();
        await Deno.remove(dir, { recursive: true }).catch((error) => {
          // reopened storages share the directory: the first disposal wins
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
      },
    });
    let storage: SqliteStorage;
    try {
      storage = new SqliteStorage(path, {
        flushPeriod: 1,
        synchronous: "normal",
        ...options,
      });
    } catch (error) {
      await Deno.remove(dir, { recursive: true });
      throw error;
    }
    return make(storage);
  },
};

/** SQLite storage with tiny chunks, so queries cross many chunks. */
export const SQLITE_SMALL_CHUNKS: Kind = {
  name: "sqlite (chunks of 3)",
  open: (options) => SQLITE.open({ chunkSize: 3, ...options }),
};

/** Memory storage with tiny chunks. */
export const MEMORY_SMALL_CHUNKS: Kind = {
  name: "memory (chunks of 3)",
  open: (options) => MEMORY.open({ chunkSize: 3, ...options }),
};

KINDS.push(MEMORY_SMALL_CHUNKS, SQLITE, SQLITE_SMALL_CHUNKS);

/**
 * How long a lock holder waits for a write in progress before it takes the
 * lock. A server commits on its own (the events of its start and of each
 * client's connection, a flush period later), and a holder that met such a
 * commit without waiting failed with `database is locked`; another
 * process's writer waits its turn too.
 */
const OTHER_WRITER_WAIT_MS = 10_000;

/**
 * Holds the write lock of the SQLite database at `path` from a second
 * connection (as another process writing to it would) until disposed, so
 * that the storage's next write waits for it and fails. A write in
 * progress is waited for first.
 */
export function holdWriteLock(path: string): Disposable {
  const db = new DatabaseSync(path, { timeout: OTHER_WRITER_WAIT_MS });
  db.exec("BEGIN IMMEDIATE");
  return {
    [Symbol.dispose]() {
      db.exec("ROLLBACK");
      db.close();
    },
  };
}

/**
 * Holds the write lock of the SQLite database at `path` for `ms` from
 * another thread, as a short write of another process would (a write in
 * progress is waited for first); resolves once it holds it, with a promise
 * of its release.
 */
export async function holdWriteLockFor(
  path: string,
  ms: number,
): Promise<{ released: Promise<void> }> {
  const worker = new Worker(new URL("./_lock_worker.ts", import.meta.url), {
    type: "module",
  });
  const { promise: locked, resolve: onLocked } = Promise.withResolvers<void>();
  const released = new Promise<void>((resolve) => {
    worker.onmessage = (e: MessageEvent<string>) => {
      if (e.data === "locked") onLocked();
      else {
        worker.terminate();
        resolve();
      }
    };
  });
  worker.postMessage({ path, ms, wait: OTHER_WRITER_WAIT_MS });
  await locked;
  return { released };
}
