// Direct SBS decoding of HatEventer.Event and HatEventer.RegisterEvent (and
// arrays of them), the counterpart of _event_write.ts: values checked as the
// reference path (Repository + the event model's conversions) checks them.
// The events of one message are read together: their JSON payloads parsed
// with one JSON.parse (_json_batch.ts), their binary payloads copied into
// one buffer, their equal types shared; a register request read with
// `keepRaw` is remembered for the splice of _event_write.ts.

import { copyBytes } from "../codec/internal_mod.ts";
import type { Reader } from "../codec/mod.ts";
import {
  type Event,
  type EventId,
  type EventPayload,
  EventPayloadError,
  EventSbsError,
  JsonTextPayload,
  type RegisterEvent,
  type Timestamp,
} from "../event/mod.ts";
import { MAX_RAW_BYTES, rememberRequest } from "./_event_write.ts";
import { JsonBatch, parseText } from "./_json_batch.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function readSafeInt(r: Reader, t: string, path: string): number {
  const v = r.integer(path);
  if (typeof v !== "number") {
    throw new EventSbsError(
      t,
      path,
      `integer ${v} is outside the safe integer range`,
    );
  }
  return v;
}

function readEventId(r: Reader): EventId {
  const t = "HatEventer.Event";
  return {
    server: readSafeInt(r, t, "id.server"),
    session: readSafeInt(r, t, "id.session"),
    instance: readSafeInt(r, t, "id.instance"),
  };
}

/** Reads a HatEventer.Timestamp (seconds within signed 64 bits). */
export function readTimestamp(r: Reader, t: string, path: string): Timestamp {
  const s = r.integer(path);
  if (typeof s === "bigint" && (s < INT64_MIN || s > INT64_MAX)) {
    throw new EventSbsError(
      t,
      `${path}.s`,
      `integer ${s} is outside signed 64 bits`,
    );
  }
  const us = r.integer(path);
  if (typeof us !== "number" || us < 0 || us > 999_999) {
    throw new EventSbsError(
      t,
      `${path}.us`,
      `expected an integer in 0..999999, got ${us}`,
    );
  }
  return { s, us };
}

function readOptTimestamp(r: Reader, t: string, path: string) {
  const at = r.pos;
  const c = r.integer(path);
  if (c === 0) return null;
  if (c === 1) return readTimestamp(r, t, `${path}.value`);
  return r.fail("choice", path, `invalid Optional index ${c}`, at);
}

/** Reads a HatEventer.EventType. */
export function readEventType(r: Reader, path: string): string[] {
  const n = r.length(path, 1);
  const type: string[] = new Array(n);
  for (let i = 0; i < n; i++) type[i] = r.string(path);
  return type;
}

/**
 * The event types of one message: a type encoded with the same bytes as
 * the previous event's is that same (frozen) array. Events of a batch
 * mostly share their type; this spares decoding it again, and lets later
 * stages (fan-out, storage) see equal types as one object.
 */
class TypeRun {
  #prev: readonly string[] | null = null;
  #start = 0;
  #end = 0;

  /** Starts a message: nothing to share yet. */
  begin(): void {
    this.#prev = null;
  }

  read(r: Reader, path: string): readonly string[] {
    const prev = this.#prev;
    const start = r.pos;
    if (prev !== null) {
      const from = this.#start;
      const len = this.#end - from;
      if (start + len <= r.end) {
        const b = r.bytes;
        let k = 0;
        while (k < len && b[start + k] === b[from + k]) k++;
        if (k === len) {
          r.pos = start + len;
          return prev;
        }
      }
    }
    const type = Object.freeze(readEventType(r, path));
    this.#prev = type;
    this.#start = start;
    this.#end = r.pos;
    return type;
  }
}

const types = new TypeRun();

/**
 * How payloads are read: binary data copied (events handed to
 * applications), binary data as views of the input, or views and JSON kept
 * as checked text ({@linkcode JsonTextPayload}).
 */
export const PAYLOAD = { COPY: 0, VIEW: 1, TEXT: 2 } as const;
type PayloadMode = typeof PAYLOAD[keyof typeof PAYLOAD];

function readPayload(
  r: Reader,
  t: string,
  path: string,
  mode: PayloadMode,
): EventPayload {
  const at = r.pos;
  const c = r.integer(path);
  if (c === 0) {
    const type = r.string(path);
    // Events handed to applications own their bytes: a view would keep a
    // whole 64 KiB receive buffer alive for as long as the event is kept.
    const data = mode === PAYLOAD.COPY ? r.bytesCopy(path) : r.bytesView(path);
    return { kind: "binary", type, data };
  }
  if (c === 1) {
    if (mode === PAYLOAD.TEXT) return readJsonText(r, t, path);
    return { kind: "json", data: parseText(r.string(path), t, path) };
  }
  return r.fail("choice", path, `invalid EventPayload index ${c}`, at);
}

function readJsonText(r: Reader, t: string, path: string): JsonTextPayload {
  const n = r.length(path);
  const start = r.pos;
  r.pos = start + n;
  try {
    return new JsonTextPayload(r.bytes, start, start + n);
  } catch (err) {
    // Its problem, not its message: that would name the location twice.
    const problem = err instanceof EventSbsError
      ? err.problem
      : (err as Error).message;
    throw new EventPayloadError(t, `${path}.json`, problem, { cause: err });
  }
}

function readOptPayload(
  r: Reader,
  t: string,
  path: string,
  mode: PayloadMode,
) {
  const at = r.pos;
  const c = r.integer(path);
  if (c === 0) return null;
  if (c === 1) return readPayload(r, t, `${path}.value`, mode);
  return r.fail("choice", path, `invalid Optional index ${c}`, at);
}

/** Reads a HatEventer.Event. */
export function readEvent(r: Reader): Event {
  const t = "HatEventer.Event";
  const id = readEventId(r);
  const type = readEventType(r, "HatEventer.Event.type");
  const timestamp = readTimestamp(r, t, "timestamp");
  const sourceTimestamp = readOptTimestamp(r, t, "sourceTimestamp");
  const payload = readOptPayload(r, t, "payload", PAYLOAD.COPY);
  return { id, type, timestamp, sourceTimestamp, payload };
}

/** Reads a HatEventer.RegisterEvent (payloads as views, or JSON text). */
export function readRegisterEvent(
  r: Reader,
  mode: PayloadMode = PAYLOAD.VIEW,
): RegisterEvent {
  const t = "HatEventer.RegisterEvent";
  const type = readEventType(r, "HatEventer.RegisterEvent.type");
  const sourceTimestamp = readOptTimestamp(r, t, "sourceTimestamp");
  const payload = readOptPayload(r, t, "payload", mode);
  return { type, sourceTimestamp, payload };
}

const batch = new JsonBatch();

/**
 * Reads a HatEventer Array(Event); their JSON payloads are parsed together
 * (see `_json_batch.ts`) and their binary payloads' bytes are copied into
 * one buffer of their own: events handed to applications must not keep a
 * 64 KiB receive buffer alive, and one ArrayBuffer per payload costs more
 * than the decoding (an allocation with its own backing store each).
 */
export function readEvents(r: Reader, path: string): Event[] {
  // The batch forgets the message when done, also when it had no JSON
  // payload or was invalid: else it would keep the message's bytes alive
  // until the next one.
  try {
    return readEventsOf(r, path);
  } finally {
    batch.end();
  }
}

function readEventsOf(r: Reader, path: string): Event[] {
  const n = r.length(path, 8);
  const events: Event[] = new Array(n);
  const t = "HatEventer.Event";
  batch.begin(r.bytes);
  types.begin();
  // Which events have JSON payloads, in order.
  const json: number[] = [];
  // Which events have binary payloads, with their type and data bytes.
  const binary: number[] = [];
  const binaryTypes: string[] = [];
  let binaryBytes = 0;
  for (let i = 0; i < n; i++) {
    const id = readEventId(r);
    const type = types.read(r, "HatEventer.Event.type");
    const timestamp = readTimestamp(r, t, "timestamp");
    const sourceTimestamp = readOptTimestamp(r, t, "sourceTimestamp");
    const at = r.pos;
    const c = r.integer("payload");
    if (c === 1) {
      const at2 = r.pos;
      const k = r.integer("payload.value");
      if (k === 1) {
        batch.add(r, "payload.value");
        json.push(i);
      } else if (k === 0) {
        binaryTypes.push(r.string("payload.value"));
        const len = r.length("payload.value");
        binary.push(i, r.pos, len);
        r.pos += len;
        binaryBytes += len;
      } else {
        r.fail(
          "choice",
          "payload.value",
          `invalid EventPayload index ${k}`,
          at2,
        );
      }
    } else if (c !== 0) {
      r.fail("choice", "payload", `invalid Optional index ${c}`, at);
    }
    events[i] = { id, type, timestamp, sourceTimestamp, payload: null };
  }
  if (json.length > 0) {
    const values = batch.parse(t, "payload.value");
    for (let j = 0; j < json.length; j++) {
      const e = events[json[j]] as { payload: EventPayload | null };
      e.payload = { kind: "json", data: values[j] };
    }
  }
  if (binary.length > 0) {
    const own = new Uint8Array(binaryBytes);
    const src = r.bytes;
    let p = 0;
    for (let j = 0; j < binaryTypes.length; j++) {
      const start = binary[3 * j + 1];
      const len = binary[3 * j + 2];
      copyBytes(src, start, start + len, own, p);
      const e = events[binary[3 * j]] as { payload: EventPayload | null };
      e.payload = {
        kind: "binary",
        type: binaryTypes[j],
        data: own.subarray(p, p + len),
      };
      p += len;
    }
  }
  return events;
}

/**
 * Reads a HatEventer Array(RegisterEvent); with `keepRaw` the request is
 * remembered for {@linkcode writeEvents} (so `r.bytes` must never change);
 * with `jsonText` JSON payloads are {@linkcode JsonTextPayload}s.
 */
export function readRegisterEvents(
  r: Reader,
  path: string,
  keepRaw: boolean,
  jsonText = false,
): RegisterEvent[] {
  const n = r.length(path, 3);
  const events: RegisterEvent[] = new Array(n);
  const mode = jsonText ? PAYLOAD.TEXT : PAYLOAD.VIEW;
  const t = "HatEventer.RegisterEvent";
  types.begin();
  // Where each event's type starts and ends, when the request is kept.
  const offsets = keepRaw && r.end - r.pos <= MAX_RAW_BYTES
    ? new Array<number>(2 * n + 1)
    : null;
  for (let i = 0; i < n; i++) {
    if (offsets !== null) offsets[2 * i] = r.pos;
    const type = types.read(r, "HatEventer.RegisterEvent.type");
    if (offsets !== null) offsets[2 * i + 1] = r.pos;
    const sourceTimestamp = readOptTimestamp(r, t, "sourceTimestamp");
    const payload = readOptPayload(r, t, "payload", mode);
    events[i] = { type, sourceTimestamp, payload };
  }
  if (offsets !== null) {
    offsets[2 * n] = r.pos;
    rememberRequest({ events, bytes: r.bytes, offsets });
  }
  return events;
}
