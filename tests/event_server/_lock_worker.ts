// Runs in a Worker: holds the write lock of an SQLite database for a while
// from its own thread, so a test's thread can block waiting for it.

/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";

self.onmessage = (
  e: MessageEvent<{ path: string; ms: number; wait: number }>,
) => {
  const db = new DatabaseSync(e.data.path, { timeout: e.data.wait });
  db.exec("BEGIN IMMEDIATE");
  self.postMessage("locked");
  setTimeout(() => {
    db.exec("ROLLBACK");
    db.close();
    self.postMessage("released");
  }, e.data.ms);
};
