// The SQLite side of the SQLite storage: schema, pragmas and prepared
// statements, on `node:sqlite` (built into Deno).

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { EventId, EventType } from "../../../event/mod.ts";
import { StorageError } from "../../errors.ts";
import {
  type ChunkBackend,
  type ChunkMeta,
  encodeMeta,
  type LoadedState,
} from "../chunk/mod.ts";

/** Identifies the layout of the database; checked at open. */
export const FORMAT = "hat-eventer-chunks-1";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS types (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS servers (
  server INTEGER PRIMARY KEY,
  session INTEGER NOT NULL,
  instance INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  meta BLOB NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS latest (
  type INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
`;

/** The prepared statements. */
export interface Statements {
  insertType: StatementSync;
  setTypeCount: StatementSync;
  setServer: StatementSync;
  insertChunk: StatementSync;
  updateChunk: StatementSync;
  deleteChunk: StatementSync;
  chunkData: StatementSync;
  setLatest: StatementSync;
}

/** An open database and its statements. */
export interface Db {
  readonly db: DatabaseSync;
  readonly st: Statements;
}

/** How {@linkcode openDb} sets up the connection. */
export interface OpenOptions {
  readonly synchronous: "normal" | "full";
  /** False leaves WAL checkpoints to another connection. */
  readonly autoCheckpoint: boolean;
  /** Milliseconds a statement waits for another connection's lock. */
  readonly busyTimeout: number;
}

/**
 * Opens (creating when needed) the database at `path`.
 *
 * @throws {StorageError} When it cannot be opened or has another format.
 */
export function openDb(path: string, options: OpenOptions): Db {
  const { synchronous, autoCheckpoint, busyTimeout } = options;
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (cause) {
    throw new StorageError(`Cannot open SQLite database ${path}`, { cause });
  }
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    db.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
    if (!autoCheckpoint) db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec(SCHEMA);
    const row = db.prepare("SELECT value FROM meta WHERE key = 'format'")
      .get() as { value: string } | undefined;
    if (row === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('format', ?)")
        .run(FORMAT);
    } else if (row.value !== FORMAT) {
      throw new StorageError(
        `SQLite database ${path} has format ${row.value}, expected ${FORMAT}`,
      );
    }
    const st: Statements = {
      insertType: db.prepare(
        "INSERT INTO types (id, type, count) VALUES (?, ?, 0)",
      ),
      setTypeCount: db.prepare("UPDATE types SET count = ? WHERE id = ?"),
      setServer: db.prepare(
        "INSERT OR REPLACE INTO servers (server, session, instance) " +
          "VALUES (?, ?, ?)",
      ),
      insertChunk: db.prepare(
        "INSERT INTO chunks (id, meta, data) VALUES (?, ?, ?)",
      ),
      updateChunk: db.prepare(
        "UPDATE chunks SET meta = ?, data = ? WHERE id = ?",
      ),
      deleteChunk: db.prepare("DELETE FROM chunks WHERE id = ?"),
      chunkData: db.prepare("SELECT data FROM chunks WHERE id = ?"),
      setLatest: db.prepare(
        "INSERT OR REPLACE INTO latest (type, data) VALUES (?, ?)",
      ),
    };
    return { db, st };
  } catch (cause) {
    db.close();
    if (cause instanceof StorageError) throw cause;
    throw new StorageError(`Cannot open SQLite database ${path}`, { cause });
  }
}

/** Runs `fn` in a write transaction (rolled back when it throws). */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  // Every transaction here writes. Taking the write lock at BEGIN lets the
  // busy timeout apply: a deferred one that reads first (a cleanup loads
  // chunks) fails at once with SQLITE_BUSY when another connection holds
  // the lock, as SQLite will not wait while holding a read snapshot.
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** The state a {@linkcode ChunkStore} starts from. */
export function loadState({ db }: Db): LoadedState {
  const types = db.prepare("SELECT id, type, count FROM types ORDER BY id")
    .all() as { id: number; type: string; count: number }[];
  const servers = db.prepare("SELECT server, session, instance FROM servers")
    .all() as { server: number; session: number; instance: number }[];
  const chunks = db.prepare("SELECT id, meta FROM chunks ORDER BY id")
    .all() as { id: number; meta: Uint8Array }[];
  const latest = db.prepare("SELECT type, data FROM latest").all() as {
    type: number;
    data: Uint8Array;
  }[];
  return {
    types: types.map((r) => [r.id, JSON.parse(r.type), r.count] as const),
    servers: servers.map((r) => ({ ...r })),
    chunks: chunks.map((r) => [r.id, r.meta] as const),
    latest: latest.map((r) => [r.type, r.data] as const),
  };
}

/** The database's size: its pages (the write-ahead log apart). */
export function databaseBytes(db: Db): number {
  const pages = db.db.prepare("PRAGMA page_count").get() as {
    page_count: number;
  };
  const size = db.db.prepare("PRAGMA page_size").get() as {
    page_size: number;
  };
  return Number(pages.page_count) * Number(size.page_size);
}

/** Keeps a chunk store's state in the database. */
export class SqliteBackend implements ChunkBackend {
  #db: Db;
  #path: string;

  constructor(db: Db, path: string) {
    this.#db = db;
    this.#path = path;
  }

  transaction<T>(fn: () => T): T {
    return transaction(this.#db.db, fn);
  }
  insertType(id: number, type: EventType): void {
    this.#db.st.insertType.run(id, JSON.stringify(type));
  }
  setCount(id: number, count: number): void {
    this.#db.st.setTypeCount.run(count, id);
  }
  setServer(last: EventId): void {
    this.#db.st.setServer.run(last.server, last.session, last.instance);
  }
  setLatest(typeId: number, data: Uint8Array): void {
    this.#db.st.setLatest.run(typeId, data);
  }
  insertChunk(meta: ChunkMeta, data: Uint8Array): void {
    this.#db.st.insertChunk.run(meta.id, encodeMeta(meta), data);
  }
  updateChunk(meta: ChunkMeta, data: Uint8Array): void {
    this.#db.st.updateChunk.run(encodeMeta(meta), data, meta.id);
  }
  deleteChunk(id: number): void {
    this.#db.st.deleteChunk.run(id);
  }
  readChunk(id: number): Uint8Array {
    const row = this.#db.st.chunkData.get(id) as
      | { data: Uint8Array }
      | undefined;
    if (row === undefined) {
      throw new StorageError(`Chunk ${id} is missing from ${this.#path}`);
    }
    return row.data;
  }
}
