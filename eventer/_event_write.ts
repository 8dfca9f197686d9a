// Direct SBS encoding of HatEventer.Event and HatEventer.RegisterEvent (and
// arrays of them), the codec "ts" path (decoding is in _event_read.ts), held
// byte for byte to Repository(EVENTER_SBS) with the event model's
// conversions. Events built from a remembered MsgRegisterReq are written by
// splicing their id and timestamp around the request's own bytes:
// docs/register_path.md, "The TypeScript path".

import { copyBytes } from "../codec/internal_mod.ts";
import type { Writer } from "../codec/mod.ts";
import { jsonPayloadText } from "../event/internal_mod.ts";
import {
  type Event,
  type EventId,
  type EventPayload,
  type EventType,
  JsonTextPayload,
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
/** Requests larger than this are not remembered. */
export const MAX_RAW_BYTES = 256 * 1024;
const ring: (RawRequest | undefined)[] = new Array(RING_SIZE);
let ringNext = 0;

/** Remembers a received request for {@linkcode findRawRequest}. */
export function rememberRequest(raw: RawRequest): void {
  ring[ringNext] = raw;
  ringNext = (ringNext + 1) % RING_SIZE;
}

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
  w.ensure(to - from);
  w.pos = copyBytes(bytes, from, to, w.buf, w.pos);
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
