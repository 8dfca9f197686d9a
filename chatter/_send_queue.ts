// The outgoing side of a connection: a bounded queue of encoded frames that
// are coalesced into as few socket writes as possible. Frames are encoded
// straight into the fill buffer; one flush writes the whole buffer while new
// frames go to a second one, then the two swap.

import { Writer } from "../codec/internal_mod.ts";
import { Fifo } from "./_fifo.ts";

/** A buffer grown beyond this is dropped after its write, not kept. */
const KEEP_BUFFER_SIZE = 1024 * 1024;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export interface SendQueueOptions {
  maxMessages: number;
  maxBytes: number;
  onError(error: unknown): void;
}

export class SendQueue {
  #conn: Deno.Conn;
  #maxMessages: number;
  #maxBytes: number;
  #onError: (error: unknown) => void;
  #fill = new Writer(16 * 1024);
  #spare = new Writer(16 * 1024);
  #fillFrames = 0;
  /** Reserved slots plus frames not yet written. */
  #count = 0;
  #flushBytes = 0;
  #flushing: Promise<void> | undefined;
  #waiters = new Fifo<Waiter>();
  #drainers: Waiter[] = [];
  #error: Error | undefined;

  constructor(conn: Deno.Conn, options: SendQueueOptions) {
    this.#conn = conn;
    this.#maxMessages = options.maxMessages;
    this.#maxBytes = options.maxBytes;
    this.#onError = options.onError;
  }

  /** The buffer the next frame is encoded into (after a reservation). */
  get writer(): Writer {
    return this.#fill;
  }

  /** Bytes encoded and not yet written. */
  get bytes(): number {
    return this.#fill.pos + this.#flushBytes;
  }

  #room(): boolean {
    return this.#count < this.#maxMessages && this.bytes < this.#maxBytes;
  }

  /** Takes a slot if one is free and nobody waits for one. */
  tryReserve(): boolean {
    if (this.#waiters.length > 0 || !this.#room()) return false;
    this.#count += 1;
    return true;
  }

  /** Waits for a slot, in order of asking; rejects when the queue closes. */
  reserve(): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** Takes a slot regardless of the bounds (keep-alive frames). */
  forceReserve(): void {
    this.#count += 1;
  }

  /** Gives back a reserved slot that was not used. */
  release(): void {
    this.#count -= 1;
    this.#grantNext();
  }

  /** Records that one frame was encoded into `writer` with its slot. */
  commit(): void {
    this.#fillFrames += 1;
    if (this.#flushing === undefined) this.#flushing = this.#flush();
    this.#grantNext();
  }

  /** Resolves when everything committed so far has been written. */
  drain(): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#flushing === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#drainers.push({ resolve, reject });
    });
  }

  /** Resolves when no write is in progress any more. */
  done(): Promise<void> {
    return this.#flushing ?? Promise.resolve();
  }

  /** Fails every waiter with `error` and drops what is queued. */
  close(error: Error): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    for (const w of this.#waiters.takeAll()) w.reject(error);
    for (const w of this.#drainers.splice(0)) w.reject(error);
    this.#fill.reset();
    this.#fillFrames = 0;
  }

  #grantNext(): void {
    // One at a time: the granted sender commits (and so calls this again)
    // before the next one is let in, which keeps the byte bound exact.
    if (this.#waiters.length > 0 && this.#room() && this.#error === undefined) {
      this.#count += 1;
      this.#waiters.shift()!.resolve();
    }
  }

  async #flush(): Promise<void> {
    // Let the frames queued by the rest of this turn's microtasks join the
    // first write.
    await null;
    try {
      while (this.#fill.pos > 0 && this.#error === undefined) {
        const w = this.#fill;
        const frames = this.#fillFrames;
        this.#fill = this.#spare;
        this.#fillFrames = 0;
        this.#flushBytes = w.pos;
        const buf = w.buf;
        const end = w.pos;
        let off = 0;
        while (off < end) off += await this.#conn.write(buf.subarray(off, end));
        this.#flushBytes = 0;
        this.#count -= frames;
        w.reset();
        this.#spare = w.buf.length > KEEP_BUFFER_SIZE
          ? new Writer(16 * 1024)
          : w;
        this.#grantNext();
      }
    } catch (e) {
      this.#flushBytes = 0;
      if (this.#error === undefined) this.#onError(e);
    } finally {
      this.#flushing = undefined;
      if (this.#error === undefined) {
        for (const d of this.#drainers.splice(0)) d.resolve();
      }
    }
  }
}
