// The SQLite side of the SQLite storage: schema, pragmas and prepared
// statements, on `node:sqlite` (built into Deno).

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { StorageError } from "../errors.ts";

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

/**
 * Opens (creating when needed) the database at `path`; `autoCheckpoint`
 * false leaves WAL checkpoints to another connection.
 *
 * @throws {StorageError} When it cannot be opened or has another format.
 */
export function openDb(
  path: string,
  synchronous: "normal" | "full",
  autoCheckpoint: boolean,
): Db {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (cause) {
    throw new StorageError(`Cannot open SQLite database ${path}`, { cause });
  }
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    db.exec("PRAGMA busy_timeout = 5000");
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

/** Runs `fn` in a transaction (rolled back when it throws). */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
