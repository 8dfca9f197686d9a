// A session of the engine held as the Wasm core's batch (codec "wasm"), as
// the module runner sees it (modules/session.ts, SessionEvents): types by
// interned id (matched against the modules' subscriptions once per id), an
// event object built only for an event a module processes, what modules
// return written as a MsgRegisterReq, scanned into the same batch and given
// the session's next instances. docs/wasm.md, "What engine modules build
// on"; docs/modules.md.

import {
  E_FLAGS,
  E_INSTANCE,
  E_NAME,
  E_PAY_LEN,
  E_PAY_START,
  E_SERVER,
  E_SESSION,
  E_SRC_S,
  E_SRC_US,
  E_TS_S,
  E_TS_US,
  E_TYPE,
  EVENT_SIZE,
  type EventBatch,
  type EventCore,
  F_BIG_SRC,
  F_BIG_TS,
  F_BINARY,
  F_JSON,
  F_SRC,
} from "../codec/wasm/internal_mod.ts";
import type {
  Event,
  EventPayload,
  EventType,
  RegisterEvent,
  Timestamp,
} from "../event/mod.ts";
import { checkedJsonText } from "../event/internal_mod.ts";
import { encodeRegisterReq } from "../eventer/internal_mod.ts";
import type { SessionEvents } from "./modules/internal_mod.ts";

const TWO_32 = 4294967296;

// The type ids of a round, read at once; shared by every session (one is
// read at a time, and only until the round's matching is done).
let keyBuffer = new Int32Array(256);

function seconds(i32: Int32Array, at: number, big: boolean): number | bigint {
  const lo = i32[at] >>> 0;
  const hi = i32[at + 1];
  if (!big) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/**
 * The event at entry `i` of a batch whose ids are assigned, as an object
 * that owns its bytes (the batch's memory is reused once it is cleared).
 */
export function eventOfEntry(batch: EventBatch, i: number): Event {
  const core = batch.core;
  const i32 = core.i32;
  const f64 = core.f64;
  const e = batch.entry(i);
  const flags = i32[(e + E_FLAGS) >> 2];
  let payload: EventPayload | null = null;
  if ((flags & (F_JSON | F_BINARY)) !== 0) {
    const start = i32[(e + E_PAY_START) >> 2];
    const bytes = core.u8.slice(start, start + i32[(e + E_PAY_LEN) >> 2]);
    payload = (flags & F_JSON) !== 0
      ? checkedJsonText(bytes, 0, bytes.length)
      : {
        kind: "binary",
        type: core.typeName(i32[(e + E_NAME) >> 2]),
        data: bytes,
      };
  }
  return {
    id: {
      server: f64[(e + E_SERVER) >> 3],
      session: f64[(e + E_SESSION) >> 3],
      instance: f64[(e + E_INSTANCE) >> 3],
    },
    type: core.typeStrings(i32[(e + E_TYPE) >> 2]),
    timestamp: {
      s: seconds(i32, (e + E_TS_S) >> 2, (flags & F_BIG_TS) !== 0),
      us: i32[(e + E_TS_US) >> 2],
    },
    sourceTimestamp: (flags & F_SRC) === 0 ? null : {
      s: seconds(i32, (e + E_SRC_S) >> 2, (flags & F_BIG_SRC) !== 0),
      us: i32[(e + E_SRC_US) >> 2],
    },
    payload,
  };
}

/** What a {@linkcode BatchSession} is made of. */
export interface BatchSessionInit {
  /** The batch, its first events scanned and assigned. */
  readonly batch: EventBatch;
  /** This server's id. */
  readonly server: number;
  /** The session's id. */
  readonly session: number;
  /** The session's timestamp. */
  readonly timestamp: Timestamp;
  /** Checks the shape of events modules add (throws a TypeError). */
  readonly check: (events: readonly RegisterEvent[]) => void;
  /**
   * The request's events as objects, when the engine made them (its own
   * registrations): the answer is built from them.
   */
  readonly objects: readonly RegisterEvent[] | null;
  /** Whether the client asked for a response (a client's batch). */
  readonly respond: boolean;
}

/** A session held as the Wasm core's batch. */
export class BatchSession implements SessionEvents {
  readonly batch: EventBatch;
  readonly core: EventCore;
  readonly objects: readonly RegisterEvent[] | null;
  readonly respond: boolean;
  /** When the session was opened (`performance.now()`), for latencies. */
  readonly openedAt: number = performance.now();
  readonly #init: BatchSessionInit;
  /** Events built for modules, by position. */
  #built: (Event | undefined)[] = [];

  constructor(init: BatchSessionInit) {
    this.#init = init;
    this.batch = init.batch;
    this.core = init.batch.core;
    this.objects = init.objects;
    this.respond = init.respond;
  }

  get id(): number {
    return this.#init.session;
  }

  /** The session's timestamp. */
  get timestamp(): Timestamp {
    return this.#init.timestamp;
  }

  get length(): number {
    return this.batch.length;
  }

  get typeKeyGeneration(): number {
    return this.core.generation;
  }

  typeKey(i: number): number {
    return this.batch.typeId(i);
  }

  typeKeys(from: number, to: number): Int32Array {
    if (keyBuffer.length < to - from) keyBuffer = new Int32Array(to - from);
    const keys = keyBuffer;
    if (to > from) {
      // Entries are EVENT_SIZE bytes apart in one table: read the type ids
      // straight from it rather than through one call per event.
      const i32 = this.core.i32;
      let at = (this.batch.entry(from) + E_TYPE) >> 2;
      for (let k = 0; k < to - from; k++, at += EVENT_SIZE >> 2) {
        keys[k] = i32[at];
      }
    }
    return keys;
  }

  type(i: number): EventType {
    return this.core.typeStrings(this.batch.typeId(i));
  }

  event(i: number): Event {
    let e = this.#built[i];
    if (e === undefined) {
      e = eventOfEntry(this.batch, i);
      Object.freeze(e.id);
      Object.freeze(e.timestamp);
      Object.freeze(e);
      this.#built[i] = e;
    }
    return e;
  }

  add(events: readonly RegisterEvent[]): void {
    const { check, server, session, timestamp } = this.#init;
    check(events);
    const from = this.batch.length;
    const added = this.batch.scanRegister(encodeRegisterReq(events));
    if (typeof added !== "number") {
      throw new Error(
        `its events could not be added to the session (${
          added === "memory" ? "no memory for them" : "not register events"
        })`,
      );
    }
    this.batch.assign(from, from + added, server, session, from + 1, timestamp);
  }
}
