/**
 * Conversions between query parameters and results and the SBS values of
 * `HatEventer.QueryParams` and `HatEventer.QueryResult` (see `sbs.ts`).
 *
 * @module
 */

import {
  NONE,
  optEventIdToSbs,
  optEventTypesToSbs,
  optTimestampToSbs,
  ORDER_BYS,
  ORDERS,
  readEvents,
  readOptEventId,
  readOptEventTypes,
  readOptInt,
  readOptTimestamp,
  writeEvents,
} from "./_sbs_model.ts";
import {
  asBoolean,
  asRecord,
  asSafeInt,
  choiceName,
  enumChoice,
  fail,
  type SbsRecord,
} from "./_sbs_read.ts";
import type { SbsValue } from "../codec/mod.ts";
import {
  type CompleteQueryParams,
  queryParamsWithDefaults,
} from "./query_params.ts";
import type { QueryParams, QueryResult } from "./types.ts";

/**
 * The SBS value of `HatEventer.QueryParams`; fields left out get the Python
 * defaults (see {@linkcode queryParamsWithDefaults}).
 *
 * @param params The query parameters.
 * @returns `[kind, record]`.
 * @throws {TypeError} When `params.kind` is unknown or a timestamp is
 * invalid.
 *
 * @example
 * ```ts
 * import { queryParamsToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(queryParamsToSbs({ kind: "latest", eventTypes: [["a", "*"]] }), [
 *   "latest",
 *   { eventTypes: ["value", [["a", "*"]]] },
 * ]);
 * ```
 */
export function queryParamsToSbs(params: QueryParams): SbsValue {
  const p = queryParamsWithDefaults(params);
  switch (p.kind) {
    case "latest":
      return ["latest", { eventTypes: optEventTypesToSbs(p.eventTypes) }];
    case "timeseries":
      if (!ORDERS.includes(p.order)) {
        throw new TypeError(`Invalid query order ${JSON.stringify(p.order)}`);
      }
      if (!ORDER_BYS.includes(p.orderBy)) {
        throw new TypeError(
          `Invalid query orderBy ${JSON.stringify(p.orderBy)}`,
        );
      }
      return ["timeseries", {
        eventTypes: optEventTypesToSbs(p.eventTypes),
        tFrom: optTimestampToSbs(p.tFrom),
        tTo: optTimestampToSbs(p.tTo),
        sourceTFrom: optTimestampToSbs(p.sourceTFrom),
        sourceTTo: optTimestampToSbs(p.sourceTTo),
        order: [p.order, null],
        orderBy: [p.orderBy, null],
        maxResults: p.maxResults == null ? NONE : ["value", p.maxResults],
        lastEventId: optEventIdToSbs(p.lastEventId),
      }];
    case "server":
      return ["server", {
        serverId: p.serverId,
        persisted: p.persisted,
        maxResults: p.maxResults == null ? NONE : ["value", p.maxResults],
        lastEventId: optEventIdToSbs(p.lastEventId),
      }];
  }
}

/**
 * The query parameters of a `HatEventer.QueryParams` SBS value, with every
 * field present.
 *
 * @param v The SBS value.
 * @returns The query parameters.
 * @throws {EventSbsError} When `v` is not query parameters.
 *
 * @example
 * ```ts
 * import { queryParamsFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   queryParamsFromSbs(["server", { serverId: 1, persisted: true, maxResults: ["none", null], lastEventId: ["none", null] }]),
 *   { kind: "server", serverId: 1, persisted: true, maxResults: null, lastEventId: null },
 * );
 * ```
 */
export function queryParamsFromSbs(v: SbsValue): CompleteQueryParams {
  const t = "HatEventer.QueryParams";
  const kind = choiceName(v, t, "");
  const x = (v as readonly SbsValue[])[1];
  let r: SbsRecord;
  switch (kind) {
    case "latest":
      r = asRecord(x, t, "latest");
      return {
        kind,
        eventTypes: readOptEventTypes(r.eventTypes, t, "latest.eventTypes"),
      };
    case "timeseries":
      r = asRecord(x, t, "timeseries");
      return {
        kind,
        eventTypes: readOptEventTypes(
          r.eventTypes,
          t,
          "timeseries.eventTypes",
        ),
        tFrom: readOptTimestamp(r.tFrom, t, "timeseries.tFrom"),
        tTo: readOptTimestamp(r.tTo, t, "timeseries.tTo"),
        sourceTFrom: readOptTimestamp(
          r.sourceTFrom,
          t,
          "timeseries.sourceTFrom",
        ),
        sourceTTo: readOptTimestamp(r.sourceTTo, t, "timeseries.sourceTTo"),
        order: enumChoice(r.order, ORDERS, t, "timeseries.order"),
        orderBy: enumChoice(r.orderBy, ORDER_BYS, t, "timeseries.orderBy"),
        maxResults: readOptInt(r.maxResults, t, "timeseries.maxResults"),
        lastEventId: readOptEventId(r.lastEventId, t, "timeseries.lastEventId"),
      };
    case "server":
      r = asRecord(x, t, "server");
      return {
        kind,
        serverId: asSafeInt(r.serverId, t, "server.serverId"),
        persisted: asBoolean(r.persisted, t, "server.persisted"),
        maxResults: readOptInt(r.maxResults, t, "server.maxResults"),
        lastEventId: readOptEventId(r.lastEventId, t, "server.lastEventId"),
      };
  }
  return fail(
    t,
    "",
    `expected "latest", "timeseries" or "server", got "${kind}"`,
  );
}

/**
 * The SBS value of `HatEventer.QueryResult`.
 *
 * @param result The query result.
 * @returns `{ events, moreFollows }`.
 * @throws {EventPayloadError} When an event's JSON data cannot be written.
 *
 * @example
 * ```ts
 * import { queryResultToSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(queryResultToSbs({ events: [], moreFollows: false }), { events: [], moreFollows: false });
 * ```
 */
export function queryResultToSbs(result: QueryResult): SbsValue {
  const t = "HatEventer.QueryResult";
  return {
    events: writeEvents(result.events, t, "events"),
    moreFollows: result.moreFollows,
  };
}

/**
 * The query result of a `HatEventer.QueryResult` SBS value.
 *
 * @param v The SBS value.
 * @returns The query result.
 * @throws {EventSbsError} When `v` is not a query result.
 *
 * @example
 * ```ts
 * import { queryResultFromSbs } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(queryResultFromSbs({ events: [], moreFollows: true }), { events: [], moreFollows: true });
 * assert.throws(() => queryResultFromSbs({ events: [null], moreFollows: true }), /at events\.0: expected a record/);
 * ```
 */
export function queryResultFromSbs(v: SbsValue): QueryResult {
  const t = "HatEventer.QueryResult";
  const r = asRecord(v, t, "");
  return {
    events: readEvents(r.events, t, "events"),
    moreFollows: asBoolean(r.moreFollows, t, "moreFollows"),
  };
}
