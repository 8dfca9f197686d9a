// The queue between a client's receive loop and the consumers of
// `client.events()`. A batch is acknowledged (its `ack` runs) once its
// consumer is done with it: when that consumer asks for the next batch or
// stops iterating. The queue is bounded; `push` gives a promise to wait on
// when it is full, so a slow consumer slows the reading of the connection
// (and so the server) instead of growing memory.

import type { Event } from "../event/mod.ts";

interface Batch {
  readonly events: Event[];
  readonly ack: (() => void) | null;
}

type Taker = (batch: Batch | null) => void;

/** A bounded queue of event batches with acknowledgement on consumption. */
export class BatchQueue {
  #batches: Batch[] = [];
  #head = 0;
  #takers: Taker[] = [];
  #spaceWaiters: (() => void)[] = [];
  #limit: number;
  #closed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get #size(): number {
    return this.#batches.length - this.#head;
  }

  /**
   * Adds a batch; gives a promise that resolves once there is room again
   * when the queue is full after adding.
   */
  push(events: Event[], ack: (() => void) | null): Promise<void> | undefined {
    const batch = { events, ack };
    if (this.#closed) return;
    const taker = this.#takers.shift();
    if (taker !== undefined) {
      taker(batch);
      return;
    }
    this.#batches.push(batch);
    if (this.#size < this.#limit) return;
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  /** Takes the next batch, waiting for one; `null` once closed and empty. */
  take(): Promise<Batch | null> | Batch | null {
    if (this.#size > 0) {
      const batch = this.#batches[this.#head];
      this.#head++;
      if (this.#head === this.#batches.length) {
        this.#batches = [];
        this.#head = 0;
      } else if (this.#head > 1024 && this.#head * 2 > this.#batches.length) {
        this.#batches = this.#batches.slice(this.#head);
        this.#head = 0;
      }
      if (this.#size < this.#limit) {
        for (const w of this.#spaceWaiters.splice(0)) w();
      }
      return batch;
    }
    if (this.#closed) return null;
    return new Promise((resolve) => this.#takers.push(resolve));
  }

  #putBack(batch: Batch): void {
    const taker = this.#takers.shift();
    if (taker !== undefined) {
      taker(batch);
    } else if (this.#head > 0) {
      this.#batches[--this.#head] = batch;
    } else {
      this.#batches.unshift(batch);
    }
  }

  /** Ends the queue: queued batches can still be taken, then `null`. */
  close(): void {
    this.#closed = true;
    for (const t of this.#takers.splice(0)) t(null);
    for (const w of this.#spaceWaiters.splice(0)) w();
  }

  /**
   * An async iterator over the batches that acknowledges each batch when
   * the consumer asks for the next one or stops.
   */
  iterate(): AsyncIterableIterator<Event[]> {
    let current: Batch | null = null;
    let finished = false;
    const release = () => {
      const ack = current?.ack;
      current = null;
      if (ack) ack();
    };
    const iterator: AsyncIterableIterator<Event[]> = {
      next: async (): Promise<IteratorResult<Event[]>> => {
        release();
        if (finished) return { done: true, value: undefined };
        const batch = await this.take();
        if (batch === null) return { done: true, value: undefined };
        if (finished) {
          // Stopped while waiting: the batch belongs to the next consumer.
          this.#putBack(batch);
          return { done: true, value: undefined };
        }
        current = batch;
        return { done: false, value: batch.events };
      },
      return: (): Promise<IteratorResult<Event[]>> => {
        finished = true;
        release();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
