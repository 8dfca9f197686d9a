// The conversions between the event model and SBS values behind the public
// `...ToSbs`/`...FromSbs` functions: `read...` check a received value's
// shape (errors carry the HatEventer type `t` and the path of the value),
// `write...` build the value to encode.

import {
  asArray,
  asInt64,
  asRecord,
  asSafeInt,
  asString,
  choiceName,
  fail,
  join,
  nest,
  optional,
} from "./_sbs_read.ts";
import type { SbsValue } from "../codec/mod.ts";
import { EventPayloadError } from "./errors.ts";
import { parseJson } from "./_python_json.ts";
import { jsonPayloadText } from "./payload_json.ts";
import { validateTimestamp } from "./timestamp.ts";
import type {
  Event,
  EventId,
  EventPayload,
  EventType,
  JsonValue,
  Order,
  OrderBy,
  QueryType,
  RegisterEvent,
  Status,
  Timestamp,
} from "./types.ts";

export function writeTimestamp(t: Timestamp): SbsValue {
  const v = validateTimestamp(t);
  return { s: v.s, us: v.us };
}

export function writeEventId(id: EventId): SbsValue {
  return { server: id.server, session: id.session, instance: id.instance };
}

export function writeRegisterEvent(event: RegisterEvent, t: string): SbsValue {
  return {
    type: event.type,
    sourceTimestamp: optTimestampToSbs(event.sourceTimestamp),
    payload: event.payload == null
      ? NONE
      : ["value", writePayload(event.payload, t, "payload.value")],
  };
}

export const NONE: SbsValue = Object.freeze(["none", null]);

export const STATUSES: readonly Status[] = [
  "standby",
  "starting",
  "operational",
  "stopping",
];

export const ORDERS: readonly Order[] = ["descending", "ascending"];

export const ORDER_BYS: readonly OrderBy[] = ["timestamp", "sourceTimestamp"];

export function readTimestamp(v: SbsValue, t: string, path: string): Timestamp {
  const r = asRecord(v, t, path);
  const s = asInt64(r.s, t, join(path, "s"));
  const us = r.us;
  if (
    typeof us !== "number" || !Number.isInteger(us) || us < 0 ||
    us > 999_999
  ) {
    fail(t, join(path, "us"), `expected an integer in 0..999999, got ${us}`);
  }
  return { s, us };
}

export function optTimestampToSbs(t: Timestamp | null | undefined): SbsValue {
  return t == null ? NONE : ["value", writeTimestamp(t)];
}

export function readOptTimestamp(
  v: SbsValue,
  t: string,
  path: string,
): Timestamp | null {
  const x = optional(v, t, path);
  return x === undefined ? null : readTimestamp(x, t, join(path, "value"));
}

export function readEventId(v: SbsValue, t: string, path: string): EventId {
  const r = asRecord(v, t, path);
  return {
    server: asSafeInt(r.server, t, join(path, "server")),
    session: asSafeInt(r.session, t, join(path, "session")),
    instance: asSafeInt(r.instance, t, join(path, "instance")),
  };
}

export function optEventIdToSbs(id: EventId | null | undefined): SbsValue {
  return id == null ? NONE : ["value", writeEventId(id)];
}

export function readOptEventId(
  v: SbsValue,
  t: string,
  path: string,
): EventId | null {
  const x = optional(v, t, path);
  return x === undefined ? null : readEventId(x, t, join(path, "value"));
}

export function readEventType(v: SbsValue, t: string, path: string): EventType {
  const a = asArray(v, t, path);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== "string") asString(a[i], t, join(path, `${i}`));
  }
  return a as EventType;
}

export function optEventTypesToSbs(
  types: readonly QueryType[] | null | undefined,
): SbsValue {
  return types == null ? NONE : ["value", types];
}

export function readOptEventTypes(
  v: SbsValue,
  t: string,
  path: string,
): QueryType[] | null {
  const x = optional(v, t, path);
  if (x === undefined) return null;
  const p = join(path, "value");
  const a = asArray(x, t, p);
  for (let i = 0; i < a.length; i++) readEventType(a[i], t, join(p, `${i}`));
  return a as QueryType[];
}

export function writePayload(
  p: EventPayload,
  t: string,
  path: string,
): SbsValue {
  if (p.kind === "binary") {
    return ["binary", { type: p.type, data: p.data }];
  }
  return ["json", jsonPayloadText(p, t, path)];
}

export function readPayload(
  v: SbsValue,
  t: string,
  path: string,
): EventPayload {
  const name = choiceName(v, t, path);
  const x = (v as readonly SbsValue[])[1];
  if (name === "json") {
    const p = join(path, "json");
    const text = asString(x, t, p);
    let data: JsonValue;
    try {
      data = parseJson(text);
    } catch (err) {
      throw new EventPayloadError(
        t,
        p,
        `invalid JSON text: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { kind: "json", data };
  }
  if (name === "binary") {
    const p = join(path, "binary");
    const r = asRecord(x, t, p);
    const type = asString(r.type, t, join(p, "type"));
    const data = r.data;
    if (!(data instanceof Uint8Array)) {
      fail(t, join(p, "data"), "expected bytes");
    }
    return { kind: "binary", type, data };
  }
  return fail(t, path, `expected payload "binary" or "json", got "${name}"`);
}

export function readOptPayload(
  v: SbsValue,
  t: string,
  path: string,
): EventPayload | null {
  const x = optional(v, t, path);
  return x === undefined ? null : readPayload(x, t, join(path, "value"));
}

export function writeEvent(e: Event, t: string): SbsValue {
  return {
    id: writeEventId(e.id),
    type: e.type,
    timestamp: writeTimestamp(e.timestamp),
    sourceTimestamp: optTimestampToSbs(e.sourceTimestamp),
    payload: e.payload == null
      ? NONE
      : ["value", writePayload(e.payload, t, "payload.value")],
  };
}

export function readEvent(v: SbsValue, t: string, path: string): Event {
  const r = asRecord(v, t, path);
  return {
    id: readEventId(r.id, t, join(path, "id")),
    type: readEventType(r.type, t, join(path, "type")),
    timestamp: readTimestamp(r.timestamp, t, join(path, "timestamp")),
    sourceTimestamp: readOptTimestamp(
      r.sourceTimestamp,
      t,
      join(path, "sourceTimestamp"),
    ),
    payload: readOptPayload(r.payload, t, join(path, "payload")),
  };
}

export function writeEvents(
  events: readonly Event[],
  t: string,
  path: string,
): SbsValue[] {
  const out: SbsValue[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    try {
      out[i] = writeEvent(events[i], t);
    } catch (err) {
      nest(err, join(path, `${i}`));
    }
  }
  return out;
}

export function readEvents(v: SbsValue, t: string, path: string): Event[] {
  const a = asArray(v, t, path);
  const events: Event[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    try {
      events[i] = readEvent(a[i], t, "");
    } catch (err) {
      nest(err, join(path, `${i}`));
    }
  }
  return events;
}

export function readRegisterEvent(
  v: SbsValue,
  t: string,
  path: string,
): RegisterEvent {
  const r = asRecord(v, t, path);
  return {
    type: readEventType(r.type, t, join(path, "type")),
    sourceTimestamp: readOptTimestamp(
      r.sourceTimestamp,
      t,
      join(path, "sourceTimestamp"),
    ),
    payload: readOptPayload(r.payload, t, join(path, "payload")),
  };
}

export function readOptInt(
  v: SbsValue,
  t: string,
  path: string,
): number | null {
  const x = optional(v, t, path);
  return x === undefined ? null : asSafeInt(x, t, join(path, "value"));
}
