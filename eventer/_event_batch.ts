// Event objects built from the entries of an EventBatch (the Wasm core's
// scan of a message, codec/wasm/event_core.ts), with the values the
// TypeScript decoders of _event_read.ts make: received events own their
// binary bytes (one buffer per message) and have their JSON payloads parsed
// (one JSON.parse per message); register events handed to a server's
// callback keep views of the received message and, with `jsonText`, their
// JSON as checked text. Types come from the core's cache: one frozen array
// per type, built once.

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
  E_TAIL_END,
  E_TS_S,
  E_TS_US,
  E_TYPE,
  E_TYPE_END,
  E_TYPE_START,
  type EventBatch,
  F_BIG_SRC,
  F_BIG_TS,
  F_BINARY,
  F_JSON,
  F_PYTHON,
  F_SRC,
} from "../codec/wasm/internal_mod.ts";
import { EventCore, EVENTS_KIND } from "../codec/wasm/internal_mod.ts";
import type {
  Event,
  EventPayload,
  JsonValue,
  QueryResult,
  RegisterEvent,
  Timestamp,
} from "../event/mod.ts";
import { checkedJsonText } from "../event/internal_mod.ts";
import { MAX_RAW_BYTES, rememberRequest } from "./_event_write.ts";
import { parseText } from "./_json_batch.ts";
import {
  decodeEvents,
  decodeQueryRes,
  decodeRegisterRes,
} from "./_messages.ts";

const utf8 = new TextDecoder();
const TWO_32 = 4294967296;

// Seconds at i32 slot `at` (low half first): a number, or a bigint beyond
// 2^53 (`big`).
function seconds(i32: Int32Array, at: number, big: boolean): number | bigint {
  const lo = i32[at] >>> 0;
  const hi = i32[at + 1];
  if (!big) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) + BigInt(lo);
}

function sourceTimestamp(
  i32: Int32Array,
  e: number,
  flags: number,
): Timestamp | null {
  if ((flags & F_SRC) === 0) return null;
  return {
    s: seconds(i32, (e + E_SRC_S) >> 2, (flags & F_BIG_SRC) !== 0),
    us: i32[(e + E_SRC_US) >> 2],
  };
}

/**
 * The JSON values of the batch's JSON payloads, in order: those JSON.parse
 * reads as they are with one parse of their joined text, the others (with
 * Python's tokens) one by one.
 */
function jsonValues(batch: EventBatch, t: string): JsonValue[] {
  const core = batch.core;
  const joined = batch.jsonJoin(3);
  const plain: JsonValue[] = joined.count > 0
    ? JSON.parse(utf8.decode(joined.text))
    : [];
  if ((batch.flags & F_PYTHON) === 0) return plain;
  const values: JsonValue[] = [];
  const i32 = core.i32;
  const u8 = core.u8;
  let k = 0;
  for (let i = 0; i < batch.length; i++) {
    const e = batch.entry(i);
    const flags = i32[(e + E_FLAGS) >> 2];
    if ((flags & F_JSON) === 0) continue;
    if ((flags & F_PYTHON) === 0) {
      values.push(plain[k++]);
      continue;
    }
    const start = i32[(e + E_PAY_START) >> 2];
    const text = utf8.decode(
      u8.subarray(start, start + i32[(e + E_PAY_LEN) >> 2]),
    );
    values.push(parseText(text, t, "payload.value"));
  }
  return values;
}

/**
 * The events of a scanned MsgEventsNotify, MsgRegisterRes or MsgQueryRes
 * as the client hands them out: binary data copied out of the core into one
 * buffer, JSON payloads parsed.
 */
export function eventsOfBatch(batch: EventBatch): Event[] {
  const core = batch.core;
  const n = batch.length;
  const all = batch.flags;
  const json = (all & F_JSON) !== 0
    ? jsonValues(batch, "HatEventer.Event")
    : null;
  const binary = (all & F_BINARY) !== 0 ? batch.packBinary(3) : null;
  const i32 = core.i32;
  const f64 = core.f64;
  const events: Event[] = new Array(n);
  let j = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const e = batch.entry(i);
    const flags = i32[(e + E_FLAGS) >> 2];
    let payload: EventPayload | null = null;
    if ((flags & F_JSON) !== 0) {
      payload = { kind: "json", data: json![j++] };
    } else if ((flags & F_BINARY) !== 0) {
      const len = i32[(e + E_PAY_LEN) >> 2];
      payload = {
        kind: "binary",
        type: core.typeName(i32[(e + E_NAME) >> 2]),
        data: binary!.subarray(b, b + len),
      };
      b += len;
    }
    events[i] = {
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
      sourceTimestamp: sourceTimestamp(i32, e, flags),
      payload,
    };
  }
  return events;
}

/**
 * The register events of a scanned MsgRegisterReq as a server's callback
 * gets them: binary data and (with `jsonText`) JSON text as views of the
 * received message `data` (never rewritten), or JSON parsed. With `keepRaw`
 * the request is remembered for the splice of _event_write.ts.
 */
export function registerEventsOfBatch(
  batch: EventBatch,
  data: Uint8Array,
  jsonText: boolean,
  keepRaw: boolean,
): RegisterEvent[] {
  const core = batch.core;
  const n = batch.length;
  const json = !jsonText && (batch.flags & F_JSON) !== 0
    ? jsonValues(batch, "HatEventer.RegisterEvent")
    : null;
  const i32 = core.i32;
  const base = batch.input;
  const events: RegisterEvent[] = new Array(n);
  const offsets = keepRaw && data.length <= MAX_RAW_BYTES
    ? new Array<number>(2 * n + 1)
    : null;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const e = batch.entry(i);
    const flags = i32[(e + E_FLAGS) >> 2];
    let payload: EventPayload | null = null;
    if ((flags & F_JSON) !== 0) {
      if (json !== null) payload = { kind: "json", data: json[j++] };
      else {
        const start = i32[(e + E_PAY_START) >> 2] - base;
        payload = checkedJsonText(
          data,
          start,
          start + i32[(e + E_PAY_LEN) >> 2],
        );
      }
    } else if ((flags & F_BINARY) !== 0) {
      const start = i32[(e + E_PAY_START) >> 2] - base;
      payload = {
        kind: "binary",
        type: core.typeName(i32[(e + E_NAME) >> 2]),
        data: data.subarray(start, start + i32[(e + E_PAY_LEN) >> 2]),
      };
    }
    events[i] = {
      type: core.typeStrings(i32[(e + E_TYPE) >> 2]),
      sourceTimestamp: sourceTimestamp(i32, e, flags),
      payload,
    };
    if (offsets !== null) {
      offsets[2 * i] = i32[(e + E_TYPE_START) >> 2] - base;
      offsets[2 * i + 1] = i32[(e + E_TYPE_END) >> 2] - base;
      if (i === n - 1) offsets[2 * n] = i32[(e + E_TAIL_END) >> 2] - base;
    }
  }
  if (offsets !== null && n > 0) {
    rememberRequest({ events, bytes: data, offsets });
  }
  return events;
}

// The client's decoders (and its writer of register requests,
// _register_wasm.ts) share one core: each call is synchronous and holds
// nothing between messages, and one type table serves every client.
let sharedCore: EventCore | undefined;
let clientBatch: ReturnType<EventCore["batch"]> | undefined;

/** The process-wide core of the clients. */
export function clientCore(): EventCore {
  return sharedCore ??= new EventCore();
}

function decodeWith<T>(
  data: Uint8Array,
  kind: typeof EVENTS_KIND[keyof typeof EVENTS_KIND],
  build: (batch: EventBatch) => T,
  reference: (data: Uint8Array) => T,
): T {
  const core = clientCore();
  const batch = clientBatch ??= core.batch();
  try {
    const n = batch.scanEvents(data, kind);
    // Refused (or too large for the core): the TypeScript decoder decides,
    // and throws its error.
    if (typeof n !== "number") return reference(data);
    return build(batch);
  } finally {
    batch.clear();
    core.release();
  }
}

/**
 * Decodes `HatEventer.MsgEventsNotify` through the Wasm core: the values
 * and errors of `decodeEvents` of _messages.ts.
 */
export function decodeEventsWasm(data: Uint8Array): Event[] {
  return decodeWith(data, EVENTS_KIND.notify, eventsOfBatch, decodeEvents);
}

/** Decodes `HatEventer.MsgRegisterRes` (`null`: `failure`) through the Wasm core. */
export function decodeRegisterResWasm(data: Uint8Array): Event[] | null {
  return decodeWith(
    data,
    EVENTS_KIND.registerRes,
    (batch) => batch.more ? null : eventsOfBatch(batch),
    decodeRegisterRes,
  );
}

/** Decodes `HatEventer.MsgQueryRes` through the Wasm core. */
export function decodeQueryResWasm(data: Uint8Array): QueryResult {
  return decodeWith(
    data,
    EVENTS_KIND.queryRes,
    (batch) => ({ events: eventsOfBatch(batch), moreFollows: batch.more }),
    decodeQueryRes,
  );
}
