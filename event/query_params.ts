/**
 * Query parameters with the defaults of the Python reference filled in.
 *
 * @module
 */

import type {
  QueryLatestParams,
  QueryParams,
  QueryServerParams,
  QueryTimeseriesParams,
} from "./types.ts";

/** Parameters of a `latest` query with every field present. */
export type CompleteQueryLatestParams = Required<QueryLatestParams>;

/** Parameters of a `timeseries` query with every field present. */
export type CompleteQueryTimeseriesParams = Required<QueryTimeseriesParams>;

/** Parameters of a `server` query with every field present. */
export type CompleteQueryServerParams = Required<QueryServerParams>;

/** Query parameters with every field present (defaults filled in). */
export type CompleteQueryParams =
  | CompleteQueryLatestParams
  | CompleteQueryTimeseriesParams
  | CompleteQueryServerParams;

/**
 * Fills in the fields left out of query parameters with the Python
 * defaults: `null` for optional fields, a timeseries query sorts
 * `"descending"` by `"timestamp"`, a server query asks for non-persisted
 * events (`persisted: false`).
 *
 * @param params Query parameters, possibly partial.
 * @returns New parameters with every field present.
 * @throws {TypeError} When `params.kind` is not `latest`, `timeseries` or
 * `server`.
 *
 * @example
 * ```ts
 * import { queryParamsWithDefaults } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(queryParamsWithDefaults({ kind: "timeseries", maxResults: 10 }), {
 *   kind: "timeseries",
 *   eventTypes: null,
 *   tFrom: null,
 *   tTo: null,
 *   sourceTFrom: null,
 *   sourceTTo: null,
 *   order: "descending",
 *   orderBy: "timestamp",
 *   maxResults: 10,
 *   lastEventId: null,
 * });
 * assert.deepEqual(queryParamsWithDefaults({ kind: "server", serverId: 1 }), {
 *   kind: "server",
 *   serverId: 1,
 *   persisted: false,
 *   maxResults: null,
 *   lastEventId: null,
 * });
 * ```
 */
export function queryParamsWithDefaults(
  params: QueryParams,
): CompleteQueryParams {
  switch (params?.kind) {
    case "latest":
      return { kind: "latest", eventTypes: params.eventTypes ?? null };
    case "timeseries":
      return {
        kind: "timeseries",
        eventTypes: params.eventTypes ?? null,
        tFrom: params.tFrom ?? null,
        tTo: params.tTo ?? null,
        sourceTFrom: params.sourceTFrom ?? null,
        sourceTTo: params.sourceTTo ?? null,
        order: params.order ?? "descending",
        orderBy: params.orderBy ?? "timestamp",
        maxResults: params.maxResults ?? null,
        lastEventId: params.lastEventId ?? null,
      };
    case "server":
      return {
        kind: "server",
        serverId: params.serverId,
        persisted: params.persisted ?? false,
        maxResults: params.maxResults ?? null,
        lastEventId: params.lastEventId ?? null,
      };
    default:
      throw new TypeError(
        `Invalid query params: kind must be "latest", "timeseries" or "server", got ${
          JSON.stringify((params as { kind?: unknown } | null)?.kind) ??
            "nothing"
        }`,
      );
  }
}
