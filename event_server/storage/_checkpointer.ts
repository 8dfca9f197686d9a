// Owns the checkpoint Worker of an SQLite storage (see
// _checkpoint_worker.ts).

/** A running checkpoint worker. */
export class Checkpointer {
  #worker: Worker;
  #stopped: Promise<void>;
  #resolveStopped!: () => void;
  #stopping = false;

  /**
   * Starts checkpointing the database at `path` every `period` ms.
   *
   * @param onError Told about checkpoints that failed.
   */
  constructor(path: string, period: number, onError: (e: unknown) => void) {
    this.#worker = new Worker(
      new URL("./_checkpoint_worker.ts", import.meta.url),
      { type: "module" },
    );
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
