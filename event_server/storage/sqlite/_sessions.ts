// Session reservations of the SQLite storage: blocks of session ids written
// and synced ahead of use, so that an id handed out before a crash is never
// handed out again; a graceful close gives the unused part back. Why and
// how: docs/storage.md, "Crash safety".

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { ServerId } from "../../../event/mod.ts";

/** Sessions reserved at a time: one synced write per this many sessions. */
export const SESSION_BLOCK = 2 ** 16;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  server INTEGER PRIMARY KEY,
  reserved INTEGER NOT NULL
)`;

/** The `sessions` table of one open database. */
export class SessionReservations {
  #db: DatabaseSync;
  #set: StatementSync;
  #raise: StatementSync;
  /** Whether the connection syncs every commit by itself. */
  #full: boolean;
  /** Per server, the highest session that may have been handed out before
   * this open (the reservation found in the table). */
  #floor = new Map<ServerId, number>();
  /** Servers whose row this open wrote. */
  #written = new Set<ServerId>();

  /**
   * Reads the table (creating it when needed).
   *
   * @param db The open database.
   * @param synchronous Its `synchronous` setting.
   */
  constructor(db: DatabaseSync, synchronous: "normal" | "full") {
    this.#db = db;
    this.#full = synchronous === "full";
    db.exec(SCHEMA);
    const rows = db.prepare("SELECT server, reserved FROM sessions").all() as {
      server: number;
      reserved: number;
    }[];
    for (const r of rows) this.#floor.set(r.server, r.reserved);
    this.#set = db.prepare(
      "INSERT OR REPLACE INTO sessions (server, reserved) VALUES (?, ?)",
    );
    // A reservation only grows (release() alone lowers it, at a close).
    this.#raise = db.prepare(
      "INSERT INTO sessions (server, reserved) VALUES (?, ?) " +
        "ON CONFLICT (server) DO UPDATE SET " +
        "reserved = max(reserved, excluded.reserved)",
    );
  }

  /**
   * The highest session of `server` that may have been handed out before
   * this open; 0 when none was reserved.
   */
  floor(server: ServerId): number {
    return this.#floor.get(server) ?? 0;
  }

  /**
   * Reserves the sessions of `server` from `session` on, a block of them,
   * synced to disk before it returns (also with `synchronous: "normal"`,
   * which would otherwise not sync: the write is rare, and a machine crash
   * then loses committed events but still never reuses an id).
   *
   * @returns The highest session this call reserved (what is stored may
   *   be higher: a reservation never goes down).
   * @throws When it cannot be written.
   */
  reserve(server: ServerId, session: number): number {
    const reserved = Math.min(
      session + SESSION_BLOCK - 1,
      Number.MAX_SAFE_INTEGER,
    );
    if (this.#full) {
      this.#raise.run(server, reserved);
    } else {
      this.#db.exec("PRAGMA synchronous = FULL");
      try {
        this.#raise.run(server, reserved);
      } finally {
        this.#db.exec("PRAGMA synchronous = NORMAL");
      }
    }
    this.#written.add(server);
    return reserved;
  }

  /**
   * At a graceful close, once everything registered is committed: each
   * reservation goes down to the highest session that may have been handed
   * out, `last(server)` (the highest stored) or the floor found at open.
   */
  release(last: (server: ServerId) => number): void {
    for (const server of this.#written) {
      this.#set.run(server, Math.max(this.floor(server), last(server)));
    }
    this.#written.clear();
  }
}
