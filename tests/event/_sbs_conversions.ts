// Shared by the SBS tests: the JSON form of the vectors as SBS values, and
// the model conversion of every HatEventer type.

import type { SbsValue } from "../../codec/mod.ts";
import {
  eventFromSbs,
  eventIdFromSbs,
  eventIdToSbs,
  eventsFromSbs,
  eventsToSbs,
  eventToSbs,
  eventTypeFromSbs,
  eventTypeToSbs,
  payloadFromSbs,
  payloadToSbs,
  queryParamsFromSbs,
  queryParamsToSbs,
  queryResultFromSbs,
  queryResultToSbs,
  registerEventFromSbs,
  registerEventsFromSbs,
  registerEventsToSbs,
  registerEventToSbs,
  statusFromSbs,
  statusToSbs,
  timestampFromSbs,
  timestampToSbs,
} from "../../event/sbs.ts";
import type { Event } from "../../event/types.ts";
import { fromHex } from "../_vectors.ts";

/** The SBS value of a vector's JSON form (vectors/README.md). */
export function fromJsonForm(v: unknown): SbsValue {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) return v.map(fromJsonForm);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === "int") {
    const big = BigInt(o.int as string);
    return Number.isSafeInteger(Number(big)) && BigInt(Number(big)) === big
      ? Number(big)
      : big;
  }
  if (keys.length === 1 && keys[0] === "bytes") {
    return fromHex(o.bytes as string);
  }
  const out: Record<string, SbsValue> = {};
  for (const k of keys) out[k] = fromJsonForm(o[k]);
  return out;
}

type Conv = [(v: SbsValue) => unknown, (x: never) => SbsValue];

/** Model conversions for every HatEventer type that has one. */
export const CONVERSIONS: Record<string, Conv> = {
  Timestamp: [timestampFromSbs, timestampToSbs],
  EventId: [eventIdFromSbs, eventIdToSbs],
  EventType: [eventTypeFromSbs, eventTypeToSbs],
  EventPayload: [payloadFromSbs, payloadToSbs],
  EventPayloadBinary: [
    (v) => payloadFromSbs(["binary", v]),
    (p: Parameters<typeof payloadToSbs>[0]) =>
      (payloadToSbs(p) as SbsValue[])[1],
  ],
  EventPayloadJson: [
    (v) => payloadFromSbs(["json", v]),
    (p: Parameters<typeof payloadToSbs>[0]) =>
      (payloadToSbs(p) as SbsValue[])[1],
  ],
  Event: [eventFromSbs, eventToSbs],
  RegisterEvent: [registerEventFromSbs, registerEventToSbs],
  Status: [statusFromSbs, statusToSbs],
  MsgStatusNotify: [statusFromSbs, statusToSbs],
  Order: [
    (v) => queryParamsFromSbs(["timeseries", tsParams({ order: v })]),
    (p: { order: string }) => [p.order, null],
  ],
  OrderBy: [
    (v) => queryParamsFromSbs(["timeseries", tsParams({ orderBy: v })]),
    (p: { orderBy: string }) => [p.orderBy, null],
  ],
  QueryParams: [queryParamsFromSbs, queryParamsToSbs],
  MsgQueryReq: [queryParamsFromSbs, queryParamsToSbs],
  QueryLatestParams: [
    (v) => queryParamsFromSbs(["latest", v]),
    (p: Parameters<typeof queryParamsToSbs>[0]) =>
      (queryParamsToSbs(p) as SbsValue[])[1],
  ],
  QueryTimeseriesParams: [
    (v) => queryParamsFromSbs(["timeseries", v]),
    (p: Parameters<typeof queryParamsToSbs>[0]) =>
      (queryParamsToSbs(p) as SbsValue[])[1],
  ],
  QueryServerParams: [
    (v) => queryParamsFromSbs(["server", v]),
    (p: Parameters<typeof queryParamsToSbs>[0]) =>
      (queryParamsToSbs(p) as SbsValue[])[1],
  ],
  QueryResult: [queryResultFromSbs, queryResultToSbs],
  MsgQueryRes: [queryResultFromSbs, queryResultToSbs],
  MsgEventsNotify: [eventsFromSbs, eventsToSbs],
  MsgRegisterReq: [registerEventsFromSbs, registerEventsToSbs],
  MsgRegisterRes: [
    (v) => {
      const [name, x] = v as [string, SbsValue];
      return name === "events" ? [name, eventsFromSbs(x)] : [name, x];
    },
    ([name, x]: [string, Event[] | null]): SbsValue =>
      name === "events" ? [name, eventsToSbs(x as Event[])] : [name, null],
  ],
  MsgInitRes: [
    (v) => {
      const [name, x] = v as [string, SbsValue];
      return name === "success" ? [name, statusFromSbs(x)] : [name, x];
    },
    ([name, x]: [string, never]) =>
      name === "success" ? [name, statusToSbs(x)] : [name, x],
  ],
  MsgInitReq: [
    (v) => {
      const r = v as Record<string, SbsValue>;
      return {
        ...r,
        subscriptions: (r.subscriptions as SbsValue[]).map(eventTypeFromSbs),
      };
    },
    (r: Record<string, SbsValue>) => ({
      ...r,
      subscriptions: (r.subscriptions as never[]).map(eventTypeToSbs),
    }),
  ],
};

export function tsParams(over: Record<string, SbsValue>): SbsValue {
  return {
    eventTypes: ["none", null],
    tFrom: ["none", null],
    tTo: ["none", null],
    sourceTFrom: ["none", null],
    sourceTTo: ["none", null],
    order: ["descending", null],
    orderBy: ["timestamp", null],
    maxResults: ["none", null],
    lastEventId: ["none", null],
    ...over,
  };
}
