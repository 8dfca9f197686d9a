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
let failing = false;

// Posts every failure (the owner counts them in a row) but a success only
// after a failure, so a healthy worker stays quiet.
function checkpoint(): void {
  try {
    db?.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (error) {
    failing = true;
    self.postMessage({ kind: "error", message: String(error) });
    return;
  }
  if (failing) {
    failing = false;
    self.postMessage({ kind: "recovered" });
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
      self.postMessage({ kind: "startFailed", message: String(error) });
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
