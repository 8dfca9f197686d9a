// Runs a retention cleanup periodically, in small steps: a step that says
// more is left is followed by another as soon as the event loop is free,
// so registrations interleave with a long cleanup.

/** A periodic, step-wise background job. */
export class CleanupLoop {
  #period: number;
  #step: () => boolean;
  #onError: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * @param period Milliseconds between cleanups.
   * @param step Does a bounded amount of work; returns whether more is left.
   * @param onError Told about a step that threw (the loop goes on).
   */
  constructor(
    period: number,
    step: () => boolean,
    onError: (error: unknown) => void,
  ) {
    this.#period = period;
    this.#step = step;
    this.#onError = onError;
    this.#schedule(period);
  }

  /** Stops the loop. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(this.#run, delay);
  }

  #run = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    let more = false;
    try {
      more = this.#step();
    } catch (error) {
      this.#onError(error);
    }
    this.#schedule(more ? 0 : this.#period);
  };
}
