// The options of the SQLite storage (sqlite.ts), each with its default.

import type { StorageOptions } from "../storage.ts";

/** Options of `SqliteStorage`. */
export interface SqliteStorageOptions extends StorageOptions {
  /**
   * Longest time in ms a registered event waits before it is committed.
   * @default {20}
   */
  readonly flushPeriod?: number;
  /**
   * Commit at once when this many events wait.
   * @default {100000}
   */
  readonly maxPending?: number;
  /**
   * SQLite `synchronous` setting: `"full"` syncs every commit to disk,
   * `"normal"` (in WAL mode) survives a crash of the process but may lose
   * the last commits when the machine loses power.
   * @default {"full"}
   */
  readonly synchronous?: "normal" | "full";
  /**
   * Most events in one chunk (one database row).
   * @default {4096}
   */
  readonly chunkSize?: number;
  /**
   * Milliseconds between WAL checkpoints, which a Worker runs on its own
   * connection so they do not hold up the server; 0 leaves checkpoints to
   * SQLite (inside commits). A worker that crashes, cannot start, or
   * fails 10 checkpoints in a row is given up (reported once through
   * `onError`): checkpoints then run inside commits, so the WAL file stays
   * bounded.
   * @default {100}
   */
  readonly checkpointPeriod?: number;
  /**
   * Milliseconds a commit (or retention cleanup) waits for a write lock
   * held by another process before it fails and the storage closes. The
   * wait blocks the event loop (`node:sqlite` is synchronous), so the
   * server answers no one meanwhile; a shorter wait fails sooner, a longer
   * one rides out a longer lock. The storage's own checkpoint worker never
   * makes it wait.
   * @default {5000}
   */
  readonly busyTimeout?: number;
  /**
   * For tests only: the checkpoint worker's script, speaking the protocol
   * of `_checkpoint_worker.ts`, so that a test can give one that fails.
   * SqliteStorage is not among the package's exports.
   * @default {the URL of _checkpoint_worker.ts}
   */
  readonly checkpointWorker?: URL;
}
