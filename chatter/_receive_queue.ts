// The receive side of a chatter connection (chatter/connection.ts): the
// messages received and not yet taken, the receivers waiting for one, and
// the pause of reading while too many messages wait.

import type { ConnectionError } from "./errors.ts";
import type { Msg } from "./types.ts";
import { Fifo } from "./_fifo.ts";

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Received messages on their way to `receive()`. */
export class ReceiveQueue {
  #queue: Msg[] = [];
  #head = 0;
  #receivers = new Fifo<Waiter<Msg>>();
  #resumeReading: (() => void) | undefined;

  /** Messages received and not yet taken. */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether reading waits for a message to be taken. */
  get paused(): boolean {
    return this.#resumeReading !== undefined;
  }

  /**
   * The next message; once none is left, rejects with `reason` if the
   * connection has ended, else waits for one.
   */
  receive(reason: ConnectionError | undefined): Promise<Msg> {
    if (this.#head < this.#queue.length) return Promise.resolve(this.#shift());
    if (reason !== undefined) return Promise.reject(reason);
    return new Promise((resolve, reject) => {
      this.#receivers.push({ resolve, reject });
    });
  }

  /** Gives a message to the first waiting receiver, or queues it. */
  push(msg: Msg): void {
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(msg);
    } else {
      this.#queue.push(msg);
    }
  }

  /** Resolves once a message is taken (or on `resume()`). */
  pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resumeReading = resolve;
    });
  }

  /** Ends a pause. */
  resume(): void {
    this.#resumeReading?.();
    this.#resumeReading = undefined;
  }

  /** Rejects every waiting receiver with `reason`. */
  rejectAll(reason: ConnectionError): void {
    for (const r of this.#receivers.takeAll()) r.reject(reason);
  }

  #shift(): Msg {
    const msg = this.#queue[this.#head];
    this.#head += 1;
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#resumeReading !== undefined) {
      const resume = this.#resumeReading;
      this.#resumeReading = undefined;
      resume();
    }
    return msg;
  }
}
