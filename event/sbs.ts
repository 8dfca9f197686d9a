/**
 * Exact conversions between the event model and the SBS values of the
 * `HatEventer` types (`eventer.sbs`). `...ToSbs` builds the value to
 * encode; `...FromSbs` checks a decoded value's shape and builds the model
 * value, throwing {@linkcode EventSbsError} (with the path of the bad part)
 * for a wrong shape and {@linkcode EventPayloadError} for a JSON payload
 * whose text does not parse. JSON payloads are JSON text on the wire and
 * parsed values in the model. The query conversions are in
 * `sbs_query.ts`, re-exported here. Values are the codec's `SbsValue`.
 *
 * @module
 */

import {
  readEvent,
  readEventId,
  readEvents,
  readEventType,
  readPayload,
  readRegisterEvent,
  readTimestamp,
  STATUSES,
  writeEvent,
  writeEventId,
  writeEvents,
  writePayload,
  writeRegisterEvent,
  writeTimestamp,
} from "./_sbs_model.ts";
import { asArray, enumChoice, nest } from "./_sbs_read.ts";
import type { SbsValue } from "../codec/mod.ts";
import type {
  Event,
  EventId,
  EventPayload,
  EventType,
  RegisterEvent,
  Status,
  Timestamp,
} from "./types.ts";

export * from "./sbs_query.ts";

/**
 * The SBS value of `HatEventer.Timestamp`.
 *
 * @param t A valid timestamp.
 * @returns `{ s, us }`.
 * @throws {TypeError | RangeError} When `t` is not a valid timestamp.
 *
 * @example
 * ```ts
 * import { timestampToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(timestampToSbs({ s: 1, us: 2 }), { s: 1, us: 2 });
 * ```
 */
export function timestampToSbs(t: Timestamp): SbsValue {
  return writeTimestamp(t);
}

/**
 * The timestamp of a `HatEventer.Timestamp` SBS value (`s` a number when
 * safe, else a bigint).
 *
 * @param v The SBS value.
 * @returns The timestamp.
 * @throws {EventSbsError} When `v` is not a valid timestamp.
 *
 * @example
 * ```ts
 * import { timestampFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(timestampFromSbs({ s: 2n ** 62n, us: 0 }), { s: 2n ** 62n, us: 0 });
 * assert.throws(() => timestampFromSbs({ s: 0, us: -1 }), /at us: expected an integer in 0\.\.999999/);
 * ```
 */
export function timestampFromSbs(v: SbsValue): Timestamp {
  return readTimestamp(v, "HatEventer.Timestamp", "");
}

/**
 * The SBS value of `HatEventer.EventId`.
 *
 * @param id The event id.
 * @returns `{ server, session, instance }`.
 *
 * @example
 * ```ts
 * import { eventIdToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(eventIdToSbs({ server: 1, session: 2, instance: 3 }), { server: 1, session: 2, instance: 3 });
 * ```
 */
export function eventIdToSbs(id: EventId): SbsValue {
  return writeEventId(id);
}

/**
 * The event id of a `HatEventer.EventId` SBS value.
 *
 * @param v The SBS value.
 * @returns The event id.
 * @throws {EventSbsError} When `v` is not an event id (ids beyond the safe
 * integer range are refused).
 *
 * @example
 * ```ts
 * import { eventIdFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(eventIdFromSbs({ server: 1, session: 2, instance: 3 }), { server: 1, session: 2, instance: 3 });
 * assert.throws(() => eventIdFromSbs({ server: 1, session: "2", instance: 3 }), /at session/);
 * ```
 */
export function eventIdFromSbs(v: SbsValue): EventId {
  return readEventId(v, "HatEventer.EventId", "");
}

/**
 * The SBS value of `HatEventer.EventType` (the array itself).
 *
 * @param type An event type (or query type).
 * @returns The array of segments.
 *
 * @example
 * ```ts
 * import { eventTypeToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(eventTypeToSbs(["a", "b"]), ["a", "b"]);
 * ```
 */
export function eventTypeToSbs(type: EventType): SbsValue {
  return type;
}

/**
 * The event type (or query type) of a `HatEventer.EventType` SBS value.
 *
 * @param v The SBS value.
 * @returns The event type (the same array, checked).
 * @throws {EventSbsError} When `v` is not an array of strings.
 *
 * @example
 * ```ts
 * import { eventTypeFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(eventTypeFromSbs(["a", "*"]), ["a", "*"]);
 * assert.throws(() => eventTypeFromSbs(["a", 1]), /at 1: expected a string/);
 * ```
 */
export function eventTypeFromSbs(v: SbsValue): EventType {
  return readEventType(v, "HatEventer.EventType", "");
}

/**
 * The SBS value of `HatEventer.EventPayload`: `["binary", { type, data }]`
 * or `["json", text]` with the JSON text of the data.
 *
 * @param payload The payload.
 * @returns The SBS value.
 * @throws {EventPayloadError} When JSON data cannot be written as JSON text.
 *
 * @example
 * ```ts
 * import { payloadToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(payloadToSbs({ kind: "json", data: { a: [1] } }), ["json", '{"a":[1]}']);
 * ```
 */
export function payloadToSbs(payload: EventPayload): SbsValue {
  return writePayload(payload, "HatEventer.EventPayload", "");
}

/**
 * The payload of a `HatEventer.EventPayload` SBS value (JSON text parsed).
 *
 * @param v The SBS value.
 * @returns The payload.
 * @throws {EventPayloadError} When the JSON text does not parse.
 * @throws {EventSbsError} When `v` is not a payload.
 *
 * @example
 * ```ts
 * import { EventPayloadError, payloadFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(payloadFromSbs(["json", '{"a": 1}']), { kind: "json", data: { a: 1 } });
 * assert.throws(() => payloadFromSbs(["json", "{oops"]), EventPayloadError);
 * ```
 */
export function payloadFromSbs(v: SbsValue): EventPayload {
  return readPayload(v, "HatEventer.EventPayload", "");
}

/**
 * The SBS value of `HatEventer.Event`.
 *
 * @param event The event.
 * @returns The SBS value.
 * @throws {EventPayloadError} When its JSON data cannot be written.
 *
 * @example
 * ```ts
 * import { eventFromSbs, eventToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const event = {
 *   id: { server: 1, session: 2, instance: 3 },
 *   type: ["a", "b"],
 *   timestamp: { s: 10, us: 0 },
 *   sourceTimestamp: null,
 *   payload: { kind: "json" as const, data: 42 },
 * };
 * const v = eventToSbs(event);
 * assert.deepEqual((v as Record<string, unknown>).payload, ["value", ["json", "42"]]);
 * assert.deepEqual(eventFromSbs(v), event);
 * ```
 */
export function eventToSbs(event: Event): SbsValue {
  return writeEvent(event, "HatEventer.Event");
}

/**
 * The event of a `HatEventer.Event` SBS value.
 *
 * @param v The SBS value.
 * @returns The event.
 * @throws {EventSbsError} When `v` is not an event ({@linkcode
 * EventPayloadError} when its JSON payload does not parse).
 *
 * @example
 * ```ts
 * import { eventFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => eventFromSbs({ id: { server: 1, session: 1, instance: 1 }, type: [] }),
 *   /Invalid HatEventer\.Event at timestamp: expected a record, got nothing/,
 * );
 * ```
 */
export function eventFromSbs(v: SbsValue): Event {
  return readEvent(v, "HatEventer.Event", "");
}

/**
 * The SBS value of an `Array(HatEventer.Event)` (`HatEventer.MsgEventsNotify`,
 * the `events` of `HatEventer.MsgRegisterRes`).
 *
 * @param events The events.
 * @returns The array of event SBS values.
 * @throws {EventPayloadError} When an event's JSON data cannot be written.
 *
 * @example
 * ```ts
 * import { eventsToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(eventsToSbs([]), []);
 * ```
 */
export function eventsToSbs(events: readonly Event[]): SbsValue {
  return writeEvents(events, "HatEventer.MsgEventsNotify", "");
}

/**
 * The events of an `Array(HatEventer.Event)` SBS value.
 *
 * @param v The SBS value.
 * @returns The events.
 * @throws {EventSbsError} When `v` is not an array of events; the error's
 * path starts with the index of the bad event.
 *
 * @example
 * ```ts
 * import { eventsFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => eventsFromSbs([{}]), /MsgEventsNotify at 0\.id: expected a record/);
 * ```
 */
export function eventsFromSbs(v: SbsValue): Event[] {
  return readEvents(v, "HatEventer.MsgEventsNotify", "");
}

/**
 * The SBS value of `HatEventer.RegisterEvent`.
 *
 * @param event The event to register.
 * @returns The SBS value.
 * @throws {EventPayloadError} When its JSON data cannot be written.
 *
 * @example
 * ```ts
 * import { registerEventToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   registerEventToSbs({ type: ["a"], sourceTimestamp: { s: 1, us: 0 }, payload: null }),
 *   { type: ["a"], sourceTimestamp: ["value", { s: 1, us: 0 }], payload: ["none", null] },
 * );
 * ```
 */
export function registerEventToSbs(event: RegisterEvent): SbsValue {
  return writeRegisterEvent(event, "HatEventer.RegisterEvent");
}

/**
 * The event to register of a `HatEventer.RegisterEvent` SBS value.
 *
 * @param v The SBS value.
 * @returns The event to register.
 * @throws {EventSbsError} When `v` is not a register event.
 *
 * @example
 * ```ts
 * import { registerEventFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   registerEventFromSbs({ type: ["a"], sourceTimestamp: ["none", null], payload: ["value", ["json", "[1]"]] }),
 *   { type: ["a"], sourceTimestamp: null, payload: { kind: "json", data: [1] } },
 * );
 * ```
 */
export function registerEventFromSbs(v: SbsValue): RegisterEvent {
  return readRegisterEvent(v, "HatEventer.RegisterEvent", "");
}

/**
 * The SBS value of an `Array(HatEventer.RegisterEvent)`
 * (`HatEventer.MsgRegisterReq`).
 *
 * @param events The events to register.
 * @returns The array of register event SBS values.
 * @throws {EventPayloadError} When an event's JSON data cannot be written.
 *
 * @example
 * ```ts
 * import { registerEventsToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(registerEventsToSbs([{ type: [], sourceTimestamp: null, payload: null }]), [
 *   { type: [], sourceTimestamp: ["none", null], payload: ["none", null] },
 * ]);
 * ```
 */
export function registerEventsToSbs(
  events: readonly RegisterEvent[],
): SbsValue {
  const out: SbsValue[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    try {
      out[i] = writeRegisterEvent(events[i], "HatEventer.MsgRegisterReq");
    } catch (err) {
      nest(err, `${i}`);
    }
  }
  return out;
}

/**
 * The events to register of an `Array(HatEventer.RegisterEvent)` SBS value.
 *
 * @param v The SBS value.
 * @returns The events to register.
 * @throws {EventSbsError} When `v` is not an array of register events.
 *
 * @example
 * ```ts
 * import { registerEventsFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => registerEventsFromSbs([{ type: [1] }]), /MsgRegisterReq at 0\.type\.0/);
 * ```
 */
export function registerEventsFromSbs(v: SbsValue): RegisterEvent[] {
  const t = "HatEventer.MsgRegisterReq";
  const a = asArray(v, t, "");
  const out: RegisterEvent[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) {
    try {
      out[i] = readRegisterEvent(a[i], t, "");
    } catch (err) {
      nest(err, `${i}`);
    }
  }
  return out;
}

/**
 * The SBS value of `HatEventer.Status`.
 *
 * @param status The status.
 * @returns `[status, null]`.
 * @throws {TypeError} When `status` is not a status.
 *
 * @example
 * ```ts
 * import { statusToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(statusToSbs("operational"), ["operational", null]);
 * ```
 */
export function statusToSbs(status: Status): SbsValue {
  if (!STATUSES.includes(status)) {
    throw new TypeError(
      `Invalid status: expected one of ${STATUSES.join(", ")}, got ${
        JSON.stringify(status) ?? "nothing"
      }`,
    );
  }
  return [status, null];
}

/**
 * The status of a `HatEventer.Status` SBS value.
 *
 * @param v The SBS value.
 * @returns The status.
 * @throws {EventSbsError} When `v` is not a status.
 *
 * @example
 * ```ts
 * import { statusFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.equal(statusFromSbs(["standby", null]), "standby");
 * assert.throws(() => statusFromSbs(["sleeping", null]), /expected one of standby/);
 * ```
 */
export function statusFromSbs(v: SbsValue): Status {
  return enumChoice(v, STATUSES, "HatEventer.Status", "");
}
