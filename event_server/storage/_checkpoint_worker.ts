// Runs in a Worker: copies the WAL of the SQLite storage back into the
// database file (a passive checkpoint) every few milliseconds on its own
// connection, so that this work (and its fsync) happens beside the
// event loop of the server rather than inside its commits.

/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";

interface Start {
  readonly kind: "start";
  readonly path: string;
  readonly period: number;
}

interface Stop {
  readonly kind: "stop";
}

let db: DatabaseSync | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

function checkpoint(): void {
  try {
    db?.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (error) {
    self.postMessage({ kind: "error", message: String(error) });
  }
}

self.onmessage = (e: MessageEvent<Start | Stop>) => {
  const msg = e.data;
  if (msg.kind === "start") {
    try {
      db = new DatabaseSync(msg.path);
      db.exec("PRAGMA busy_timeout = 5000");
      timer = setInterval(checkpoint, msg.period);
      self.postMessage({ kind: "started" });
    } catch (error) {
      self.postMessage({ kind: "error", message: String(error) });
    }
  } else {
    clearInterval(timer);
    try {
      db?.close();
    } finally {
      db = null;
      self.postMessage({ kind: "stopped" });
    }
  }
};
