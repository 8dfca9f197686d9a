// Direct SBS encoding and decoding of HatEventer.Event and
// HatEventer.RegisterEvent (and arrays of them): the hot path of the eventer
// protocol. The reference path is Repository(EVENTER_SBS) with the event
// model's ...ToSbs/...FromSbs conversions; tests hold this file to it byte
// for byte. Values are checked as the reference checks them.
//
// A MsgRegisterReq decoded with `keepRaw` is remembered (a few recent ones,
// with where each event's bytes are), so the events built from its register
// events (`{ id, timestamp, ...registerEvent }`, in the same order) are
// encoded by splicing the encoded id and timestamp around the register
// events' bytes instead of encoding type, source timestamp and payload again:
// Event = id, type, timestamp, sourceTimestamp, payload, and RegisterEvent =
// type, sourceTimestamp, payload. An event is spliced only when its type,
// source timestamp and payload are the very objects decoded (the model's
// values are readonly), so the bytes are those of its parts.

import type { Reader, Writer } from "../codec/mod.ts";
import { JsonTextPayload } from "../event/json_text_payload.ts";
import { JsonBatch, parseText } from "./_json_batch.ts";
import { jsonPayloadText } from "../event/payload_json.ts";
import {
  type Event,
  type EventId,
  type EventPayload,
  EventPayloadError,
  EventSbsError,
  type EventType,
  type RegisterEvent,
  type Timestamp,
  validateTimestamp,
} from "../event/mod.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A received MsgRegisterReq: its events and where their bytes are. */
export interface RawRequest {
  readonly events: readonly RegisterEvent[];
  readonly bytes: Uint8Array;
  /** Per event: start, end of its type; then the end of the last event. */
  readonly offsets: number[];
}

// The few most recent requests (the echo of a request follows it closely;
// keeping more makes their events live longer, which costs the garbage
// collector more than the splice saves); small ones only.
const RING_SIZE = 8;
const MAX_RAW_BYTES = 256 * 1024;
const ring: (RawRequest | undefined)[] = new Array(RING_SIZE);
let ringNext = 0;

/**
 * The remembered request whose first register event gave `events[0]` its
 * parts, if any (events of one request are echoed together, in order).
 */
export function findRawRequest(
  events: readonly Event[],
): RawRequest | undefined {
  const first = events[0];
  if (typeof first !== "object" || first === null) return undefined;
  const type = first.type;
  for (let k = 1; k <= RING_SIZE; k++) {
    const raw = ring[(ringNext - k + RING_SIZE) % RING_SIZE];
    if (raw === undefined) return undefined;
    if (raw.events.length > 0 && raw.events[0].type === type) return raw;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v;
}

// Bad values from the application are TypeErrors, as in the event model's
// conversions.
function encodeFail(path: string, problem: string): never {
  throw new TypeError(`Invalid ${path}: ${problem}`);
}

// --- writing ---------------------------------------------------------------

function writeInteger(w: Writer, v: unknown, path: string): void {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) {
      encodeFail(path, `expected Integer, got number ${v}`);
    }
  } else if (typeof v !== "bigint") {
    encodeFail(path, `expected Integer, got ${describe(v)}`);
  }
  w.integer(v);
}

function writeEventId(w: Writer, id: EventId, path: string): void {
  if (typeof id !== "object" || id === null) {
    encodeFail(path, `expected Record, got ${describe(id)}`);
  }
  writeInteger(w, id.server, `${path}.server`);
  writeInteger(w, id.session, `${path}.session`);
  writeInteger(w, id.instance, `${path}.instance`);
}

/** Writes a HatEventer.Timestamp, checked by `validateTimestamp`. */
export function writeTimestamp(w: Writer, t: Timestamp): void {
  const s = t?.s;
  const us = t?.us;
  if (
    typeof us !== "number" || !(us >= 0 && us <= 999_999) ||
    !Number.isInteger(us) ||
    !(typeof s === "number"
      ? Number.isSafeInteger(s)
      : typeof s === "bigint" && s >= INT64_MIN && s <= INT64_MAX)
  ) {
    // Not the common form: the model's check throws its error, or gives
    // the canonical form (an unsafe integer number as a bigint).
    const v = validateTimestamp(t);
    w.integer(v.s);
    w.uint(v.us);
    return;
  }
  w.integer(s);
  w.uint(us);
}

function writeOptTimestamp(w: Writer, t: Timestamp | null | undefined): void {
  if (t == null) {
    w.byte(0x80);
  } else {
    w.byte(0x81);
    writeTimestamp(w, t);
  }
}

/** Writes a HatEventer.EventType (also used for query types). */
export function writeEventType(
  w: Writer,
  type: EventType,
  path: string,
): void {
  if (!Array.isArray(type)) {
    encodeFail(path, `expected Array, got ${describe(type)}`);
  }
  const n = type.length;
  w.uint(n);
  for (let i = 0; i < n; i++) {
    const seg = type[i];
    if (typeof seg !== "string") {
      encodeFail(`${path}.${i}`, `expected String, got ${describe(seg)}`);
    }
    if (!w.string(seg)) {
      encodeFail(`${path}.${i}`, "String holds a lone surrogate");
    }
  }
}

function writePayload(w: Writer, p: EventPayload, path: string): void {
  if (p.kind === "binary") {
    w.byte(0x80);
    if (typeof p.type !== "string") {
      encodeFail(`${path}.type`, `expected String, got ${describe(p.type)}`);
    }
    if (!w.string(p.type)) {
      encodeFail(`${path}.type`, "String holds a lone surrogate");
    }
    if (!(p.data instanceof Uint8Array)) {
      encodeFail(`${path}.data`, `expected Bytes, got ${describe(p.data)}`);
    }
    w.bytes(p.data);
    return;
  }
  if (p instanceof JsonTextPayload) {
    // Its text as it came: no JSON.stringify, no UTF-8 encoding.
    w.byte(0x81);
    const n = p.byteLength;
    w.uint(n);
    w.ensure(n);
    w.pos += p.copyTo(w.buf, w.pos);
    return;
  }
  const text = jsonPayloadText(p, "HatEventer.EventPayload", path);
  w.byte(0x81);
  if (!w.string(text)) {
    encodeFail(path, "JSON text holds a lone surrogate");
  }
}

function writeOptPayload(
  w: Writer,
  p: EventPayload | null | undefined,
  path: string,
): void {
  if (p == null) {
    w.byte(0x80);
  } else {
    w.byte(0x81);
    writePayload(w, p, path);
  }
}

function writeRange(w: Writer, bytes: Uint8Array, from: number, to: number) {
  const n = to - from;
  w.ensure(n);
  const buf = w.buf;
  let pos = w.pos;
  if (n < 48) {
    for (let i = from; i < to; i++) buf[pos++] = bytes[i];
  } else {
    buf.set(bytes.subarray(from, to), pos);
    pos += n;
  }
  w.pos = pos;
}

/** Writes a HatEventer.RegisterEvent. */
export function writeRegisterEvent(w: Writer, e: RegisterEvent): void {
  if (typeof e !== "object" || e === null) {
    encodeFail(
      "HatEventer.RegisterEvent",
      `expected Record, got ${describe(e)}`,
    );
  }
  writeEventType(w, e.type, "HatEventer.RegisterEvent.type");
  writeOptTimestamp(w, e.sourceTimestamp);
  writeOptPayload(w, e.payload, "HatEventer.RegisterEvent.payload.value");
}

/**
 * Writes a HatEventer.Event. When `raw.events[i]` is the register event it
 * was built from (same type, source timestamp and payload objects), its
 * bytes are reused.
 */
export function writeEvent(
  w: Writer,
  e: Event,
  raw?: RawRequest,
  i = 0,
): void {
  if (typeof e !== "object" || e === null) {
    encodeFail("HatEventer.Event", `expected Record, got ${describe(e)}`);
  }
  writeEventId(w, e.id, "HatEventer.Event.id");
  const re = raw?.events[i];
  if (
    re !== undefined && re.type === e.type &&
    re.sourceTimestamp === e.sourceTimestamp && re.payload === e.payload
  ) {
    const offsets = raw!.offsets;
    const split = offsets[2 * i + 1];
    writeRange(w, raw!.bytes, offsets[2 * i], split);
    writeTimestamp(w, e.timestamp);
    writeRange(w, raw!.bytes, split, offsets[2 * i + 2]);
    return;
  }
  writeEventType(w, e.type, "HatEventer.Event.type");
  writeTimestamp(w, e.timestamp);
  writeOptTimestamp(w, e.sourceTimestamp);
  writeOptPayload(w, e.payload, "HatEventer.Event.payload.value");
}

/** Writes a HatEventer Array(Event). */
export function writeEvents(w: Writer, events: readonly Event[]): void {
  if (!Array.isArray(events)) {
    encodeFail("HatEventer.Events", `expected Array, got ${describe(events)}`);
  }
  const n = events.length;
  w.uint(n);
  const raw = findRawRequest(events);
  for (let i = 0; i < n; i++) writeEvent(w, events[i], raw, i);
}

/** Writes a HatEventer Array(RegisterEvent). */
export function writeRegisterEvents(
  w: Writer,
  events: readonly RegisterEvent[],
): void {
  if (!Array.isArray(events)) {
    encodeFail(
      "HatEventer.MsgRegisterReq",
      `expected Array, got ${describe(events)}`,
    );
  }
  const n = events.length;
  w.uint(n);
  for (let i = 0; i < n; i++) writeRegisterEvent(w, events[i]);
}

// --- reading ---------------------------------------------------------------

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
      if (len < 64) {
        for (let q = 0; q < len; q++) own[p + q] = src[start + q];
      } else {
        own.set(src.subarray(start, start + len), p);
      }
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
  if (!keepRaw || r.end - r.pos > MAX_RAW_BYTES) {
    for (let i = 0; i < n; i++) {
      const type = types.read(r, "HatEventer.RegisterEvent.type");
      const sourceTimestamp = readOptTimestamp(r, t, "sourceTimestamp");
      const payload = readOptPayload(r, t, "payload", mode);
      events[i] = { type, sourceTimestamp, payload };
    }
    return events;
  }
  const offsets: number[] = new Array(2 * n + 1);
  for (let i = 0; i < n; i++) {
    offsets[2 * i] = r.pos;
    const type = types.read(r, "HatEventer.RegisterEvent.type");
    offsets[2 * i + 1] = r.pos;
    const sourceTimestamp = readOptTimestamp(r, t, "sourceTimestamp");
    const payload = readOptPayload(r, t, "payload", mode);
    events[i] = { type, sourceTimestamp, payload };
  }
  offsets[2 * n] = r.pos;
  ring[ringNext] = { events, bytes: r.bytes, offsets };
  ringNext = (ringNext + 1) % RING_SIZE;
  return events;
}
