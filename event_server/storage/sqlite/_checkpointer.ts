// Owns the checkpoint Worker of an SQLite storage (see
// _checkpoint_worker.ts), and gives up on it when it can no longer
// checkpoint, so that the storage checkpoints by itself instead: with
// automatic checkpoints off on the storage's connection, nothing else
// keeps the WAL from growing for as long as the server runs.

/**
 * Checkpoints that fail in a row before the worker is given up. A failing
 * checkpoint is an I/O error (a busy database is not a failure), which may
 * pass (a full disk being cleared), and the WAL only grows by about this
 * many periods of commits meanwhile (a second at the default 100 ms); more
 * failures than that in a row are unlikely to pass, and checkpoints in
 * commits work whenever the commits themselves do.
 */
export const FAILURES_BEFORE_FALLBACK = 10;

/** How a {@linkcode Checkpointer} runs and reports. */
export interface CheckpointerOptions {
  /** Milliseconds between checkpoints. */
  readonly period: number;
  /**
   * Told about the first checkpoint that failed after one that succeeded;
   * the failures in a row after it are not reported each period.
   */
  readonly onError: (error: unknown) => void;
  /**
   * Called once, after the worker is stopped or while it stops, when it
   * can no longer checkpoint: it crashed, could not start, or
   * {@linkcode FAILURES_BEFORE_FALLBACK} checkpoints failed in a row.
   * Not called once {@linkcode Checkpointer.stop} was.
   */
  readonly onFallback: (cause: Error) => void;
  /**
   * The worker's script; tests give one that fails.
   * @default {the URL of _checkpoint_worker.ts}
   */
  readonly worker?: URL;
}

const WORKER = new URL("./_checkpoint_worker.ts", import.meta.url);

/** What the worker posts. */
interface WorkerMessage {
  readonly kind: "started" | "startFailed" | "error" | "recovered" | "stopped";
  readonly message?: string;
}

/** A running checkpoint worker. */
export class Checkpointer {
  #worker: Worker;
  #options: CheckpointerOptions;
  #stopped: Promise<void>;
  #resolveStopped!: () => void;
  #stopping = false;
  #failures = 0;

  /**
   * Starts checkpointing the database at `path` every `period` ms.
   *
   * @param path The database file.
   * @param options Period, handlers and worker script.
   */
  constructor(path: string, options: CheckpointerOptions) {
    this.#options = options;
    this.#worker = new Worker(options.worker ?? WORKER, { type: "module" });
    this.#stopped = new Promise((resolve) => this.#resolveStopped = resolve);
    this.#worker.onmessage = (e: MessageEvent<WorkerMessage>) =>
      this.#receive(e.data);
    this.#worker.onerror = (e) => {
      e.preventDefault();
      const error = new Error(`WAL checkpoint worker failed: ${e.message}`);
      if (this.#stopping) options.onError(error);
      else this.#fallBack(error);
      this.#finish();
    };
    this.#worker.postMessage({ kind: "start", path, period: options.period });
  }

  /** Stops the worker after its database connection is closed. */
  stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#worker.postMessage({ kind: "stop" });
    }
    return this.#stopped;
  }

  #receive(msg: WorkerMessage): void {
    // Once stopping, only the end matters: a failure posted before the
    // worker read "stop" is not news to an owner that is closing.
    if (this.#stopping && msg.kind !== "stopped") return;
    switch (msg.kind) {
      case "stopped":
        this.#finish();
        break;
      case "startFailed":
        this.#fallBack(
          new Error(`WAL checkpoint worker could not start: ${msg.message}`),
        );
        break;
      case "recovered":
        this.#failures = 0;
        break;
      case "error":
        this.#failures++;
        if (this.#failures === 1) {
          this.#options.onError(
            new Error(`WAL checkpoint failed: ${msg.message}`),
          );
        } else if (this.#failures >= FAILURES_BEFORE_FALLBACK) {
          this.#fallBack(
            new Error(
              `${this.#failures} WAL checkpoints failed in a row, the last: ` +
                msg.message,
            ),
          );
        }
        break;
    }
  }

  #fallBack(cause: Error): void {
    if (this.#stopping) return;
    this.stop();
    this.#options.onFallback(cause);
  }

  #finish(): void {
    this.#worker.terminate();
    this.#resolveStopped();
  }
}
