// Owns the checkpoint Worker of an SQLite storage (see
// _checkpoint_worker.ts).

/** How a {@linkcode Checkpointer} runs and reports. */
export interface CheckpointerOptions {
  /** Milliseconds between checkpoints. */
  readonly period: number;
  /** Told about checkpoints that failed. */
  readonly onError: (error: unknown) => void;
  /**
   * The worker's script; tests give one that fails.
   * @default {the URL of _checkpoint_worker.ts}
   */
  readonly worker?: URL;
}

const WORKER = new URL("./_checkpoint_worker.ts", import.meta.url);

/** A running checkpoint worker. */
export class Checkpointer {
  #worker: Worker;
  #stopped: Promise<void>;
  #resolveStopped!: () => void;
  #stopping = false;

  /**
   * Starts checkpointing the database at `path` every `period` ms.
   *
   * @param path The database file.
   * @param options Period, error handler and worker script.
   */
  constructor(path: string, options: CheckpointerOptions) {
    const { period, onError } = options;
    this.#worker = new Worker(options.worker ?? WORKER, { type: "module" });
    this.#stopped = new Promise((resolve) => this.#resolveStopped = resolve);
    this.#worker.onmessage = (
      e: MessageEvent<{ kind: string; message?: string }>,
    ) => {
      if (e.data.kind === "stopped") this.#finish();
      else if (e.data.kind === "error") {
        onError(new Error(`WAL checkpoint failed: ${e.data.message}`));
      }
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      onError(new Error(`WAL checkpoint worker failed: ${e.message}`));
      this.#finish();
    };
    this.#worker.postMessage({ kind: "start", path, period });
  }

  /** Stops the worker after its database connection is closed. */
  stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#worker.postMessage({ kind: "stop" });
    }
    return this.#stopped;
  }

  #finish(): void {
    this.#worker.terminate();
    this.#resolveStopped();
  }
}
