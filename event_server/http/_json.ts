// Events and queries between the storage's objects and the page's JSON
// (web_protocol.ts): events out with their payloads cut to a preview, and
// queries in, checked field by field so that bad input is a clear 400, not
// an exception in the storage.

import {
  type Event,
  type EventId,
  type EventPayload,
  JsonTextPayload,
  type QueryParams,
  type QueryType,
  type Timestamp,
  validateQueryType,
  validateTimestamp,
} from "../../event/mod.ts";
import type {
  WebEvent,
  WebEventId,
  WebPayload,
  WebTimestamp,
} from "./web_protocol.ts";

/** A request's JSON was not what the API takes. */
export class BadRequestError extends Error {
  /** The HTTP status of the answer. */
  readonly status: number = 400;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BadRequestError";
  }
}

/** A request's body was larger than the API takes. */
export class BodyTooLargeError extends BadRequestError {
  override readonly status = 413;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BodyTooLargeError";
  }
}

/** Binary payloads are shown by their first bytes. */
const HEX_BYTES = 64;

function webTimestamp(t: Timestamp): WebTimestamp {
  return [Number(t.s), t.us];
}

/** Seconds since 1970 as one number (to the µs where a double holds it). */
export function seconds(t: Timestamp): number {
  return Number(t.s) + t.us / 1e6;
}

function jsonText(payload: EventPayload & { kind: "json" }): string {
  if (payload instanceof JsonTextPayload) return payload.text;
  return JSON.stringify(payload.data) ?? "null";
}

function webPayload(
  p: EventPayload | null,
  preview: number,
): WebPayload | null {
  if (p === null) return null;
  if (p.kind === "json") {
    const text = jsonText(p);
    return text.length <= preview
      ? { kind: "json", text }
      : { kind: "json", text: text.slice(0, preview), length: text.length };
  }
  const head = p.data.subarray(0, HEX_BYTES);
  let hex = "";
  for (let i = 0; i < head.length; i++) {
    hex += head[i].toString(16).padStart(2, "0");
  }
  return { kind: "binary", type: p.type, hex, size: p.data.length };
}

/**
 * An event for the page; JSON payload text longer than `preview`
 * characters is cut.
 */
export function webEvent(e: Event, preview: number): WebEvent {
  return {
    id: [e.id.server, e.id.session, e.id.instance],
    type: e.type,
    timestamp: webTimestamp(e.timestamp),
    sourceTimestamp: e.sourceTimestamp === null
      ? null
      : webTimestamp(e.sourceTimestamp),
    payload: webPayload(e.payload, preview),
  };
}

/**
 * The number a plot shows for an event: the JSON payload, or the value at
 * the dot-separated `field` path into it, when it is a finite number (or a
 * boolean, as 0 or 1); else null.
 */
export function plotValue(e: Event, field: string): number | null {
  const p = e.payload;
  if (p === null || p.kind !== "json") return null;
  let v: unknown = p.data;
  if (field !== "") {
    for (const key of field.split(".")) {
      if (v === null || typeof v !== "object") return null;
      v = (v as Record<string, unknown>)[key];
    }
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An event type or query type from JSON. */
export function typeOf(v: unknown, name: string, query: boolean): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
    throw new BadRequestError(
      `Invalid ${name}: expected an array of strings, got ${JSON.stringify(v)}`,
    );
  }
  if (query) {
    try {
      validateQueryType(v);
    } catch (cause) {
      throw new BadRequestError(
        `Invalid ${name}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
  return v;
}

function typesOf(v: unknown, name: string): QueryType[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) {
    throw new BadRequestError(`Invalid ${name}: expected an array of types`);
  }
  return v.map((t, i) => typeOf(t, `${name}[${i}]`, true));
}

/** A timestamp from its JSON form `[s, us]`. */
export function timestampOf(v: unknown, name: string): Timestamp {
  if (
    !Array.isArray(v) || v.length !== 2 || typeof v[0] !== "number" ||
    typeof v[1] !== "number"
  ) {
    throw new BadRequestError(
      `Invalid ${name}: expected [seconds, microseconds], got ${
        JSON.stringify(v)
      }`,
    );
  }
  try {
    return validateTimestamp({ s: v[0], us: v[1] });
  } catch (cause) {
    throw new BadRequestError(`Invalid ${name}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function optionalTimestamp(v: unknown, name: string): Timestamp | null {
  return v === undefined || v === null ? null : timestampOf(v, name);
}

function integerOf(v: unknown, name: string, min: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min) {
    throw new BadRequestError(
      `Invalid ${name}: expected an integer >= ${min}, got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v as number;
}

function eventIdOf(v: unknown, name: string): EventId | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length !== 3) {
    throw new BadRequestError(
      `Invalid ${name}: expected [server, session, instance], got ${
        JSON.stringify(v)
      }`,
    );
  }
  const id: WebEventId = [
    integerOf(v[0], `${name}[0]`, -(2 ** 53 - 1)),
    integerOf(v[1], `${name}[1]`, 0),
    integerOf(v[2], `${name}[2]`, 0),
  ];
  return { server: id[0], session: id[1], instance: id[2] };
}

function oneOf<T extends string>(
  v: unknown,
  name: string,
  values: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (!values.includes(v as T)) {
    throw new BadRequestError(
      `Invalid ${name}: expected one of ${values.join(", ")}, got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v as T;
}

const FIELDS: Record<string, readonly string[]> = {
  latest: ["kind", "eventTypes"],
  timeseries: [
    "kind",
    "eventTypes",
    "tFrom",
    "tTo",
    "sourceTFrom",
    "sourceTTo",
    "order",
    "orderBy",
    "maxResults",
    "lastEventId",
  ],
  server: ["kind", "serverId", "persisted", "maxResults", "lastEventId"],
};

/**
 * Query parameters from the JSON of `POST /api/query`; `maxResults` is at
 * most `cap` (a page of the answer).
 *
 * @throws {BadRequestError} Naming the first field that is wrong.
 */
export function queryOf(body: unknown, cap: number): QueryParams {
  if (!isRecord(body)) {
    throw new BadRequestError("Invalid query: expected a JSON object");
  }
  const fields = FIELDS[body.kind as string];
  if (fields === undefined) {
    throw new BadRequestError(
      `Invalid kind: expected latest, timeseries or server, got ${
        JSON.stringify(body.kind)
      }`,
    );
  }
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) {
      throw new BadRequestError(
        `Unknown field ${JSON.stringify(key)} of a ${body.kind} query`,
      );
    }
  }
  const max = body.maxResults === undefined || body.maxResults === null
    ? cap
    : Math.min(cap, integerOf(body.maxResults, "maxResults", 1));
  switch (body.kind) {
    case "latest":
      return {
        kind: "latest",
        eventTypes: typesOf(body.eventTypes, "eventTypes"),
      };
    case "timeseries":
      return {
        kind: "timeseries",
        eventTypes: typesOf(body.eventTypes, "eventTypes"),
        tFrom: optionalTimestamp(body.tFrom, "tFrom"),
        tTo: optionalTimestamp(body.tTo, "tTo"),
        sourceTFrom: optionalTimestamp(body.sourceTFrom, "sourceTFrom"),
        sourceTTo: optionalTimestamp(body.sourceTTo, "sourceTTo"),
        order: oneOf(body.order, "order", ["descending", "ascending"]),
        orderBy: oneOf(body.orderBy, "orderBy", [
          "timestamp",
          "sourceTimestamp",
        ]),
        maxResults: max,
        lastEventId: eventIdOf(body.lastEventId, "lastEventId"),
      };
    default: {
      const serverId = integerOf(body.serverId, "serverId", -(2 ** 53 - 1));
      const lastEventId = eventIdOf(body.lastEventId, "lastEventId");
      if (lastEventId !== null && lastEventId.server !== serverId) {
        throw new BadRequestError(
          `Invalid lastEventId: it belongs to server ${lastEventId.server}, not ${serverId}`,
        );
      }
      if (body.persisted !== undefined && typeof body.persisted !== "boolean") {
        throw new BadRequestError("Invalid persisted: expected true or false");
      }
      return {
        kind: "server",
        serverId,
        persisted: body.persisted === true,
        maxResults: max,
        lastEventId,
      };
    }
  }
}
