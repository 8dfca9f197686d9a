/**
 * The types of the event model (`hat.event.common` in Python), as readonly
 * TypeScript values. Python enums are string-literal unions; Python's
 * `EventPayloadBinary`/`EventPayloadJson` and the three query parameter
 * classes are discriminated unions on `kind`.
 *
 * @module
 */

/** An event type: a sequence of string segments, e.g. `["gateway", "dev1"]`. */
export type EventType = readonly string[];

/**
 * A query type: an event type whose segments may be `?` (exactly one
 * segment) or, as the last segment only, `*` (zero or more segments).
 */
export type QueryType = readonly string[];

/** Identifier of an Event Server. */
export type ServerId = number;

/** Identifier of a registration session on one server. */
export type SessionId = number;

/** Identifier of an event within a session. */
export type InstanceId = number;

/** Unique identifier of an event. */
export interface EventId {
  /** Server that registered the event. */
  readonly server: ServerId;
  /** Session (one register request) on that server. */
  readonly session: SessionId;
  /** Position of the event within its session, from 1. */
  readonly instance: InstanceId;
}

/**
 * A point in time: `s` seconds since 1970-01-01 UTC (signed 64-bit; a
 * `bigint` only beyond the safe integer range) and `us` microseconds,
 * `0 <= us < 1_000_000`.
 */
export interface Timestamp {
  /** Whole seconds since the epoch. */
  readonly s: number | bigint;
  /** Microseconds within the second. */
  readonly us: number;
}

/** A JSON value, as produced by `JSON.parse`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A binary payload: an application-defined type name and raw bytes. */
export interface EventPayloadBinary {
  /** Discriminant. */
  readonly kind: "binary";
  /** Application-defined name of the data's format. */
  readonly type: string;
  /** The data. */
  readonly data: Uint8Array;
}

/** A JSON payload: on the wire, JSON text; in the API, the parsed value. */
export interface EventPayloadJson {
  /** Discriminant. */
  readonly kind: "json";
  /** The parsed JSON value. */
  readonly data: JsonValue;
}

/** The payload of an event. */
export type EventPayload = EventPayloadBinary | EventPayloadJson;

/** A registered event. */
export interface Event {
  /** Unique id. */
  readonly id: EventId;
  /** Event type. */
  readonly type: EventType;
  /** When the server registered it. */
  readonly timestamp: Timestamp;
  /** When the source says it happened, if given. */
  readonly sourceTimestamp: Timestamp | null;
  /** Payload, if any. */
  readonly payload: EventPayload | null;
}

/** An event as a client asks to register it. */
export interface RegisterEvent {
  /** Event type. */
  readonly type: EventType;
  /** When the source says it happened, if given. */
  readonly sourceTimestamp: Timestamp | null;
  /** Payload, if any. */
  readonly payload: EventPayload | null;
}

/** Status of an Event Server. */
export type Status = "standby" | "starting" | "operational" | "stopping";

/** Sort direction of a timeseries query. */
export type Order = "descending" | "ascending";

/** Which timestamp a timeseries query sorts by. */
export type OrderBy = "timestamp" | "sourceTimestamp";

/** Query for the newest event of each event type. */
export interface QueryLatestParams {
  /** Discriminant. */
  readonly kind: "latest";
  /** Only these query types; `null`/absent for every type. */
  readonly eventTypes?: readonly QueryType[] | null;
}

/** Query for events in time ranges, sorted, paged. */
export interface QueryTimeseriesParams {
  /** Discriminant. */
  readonly kind: "timeseries";
  /** Only these query types; `null`/absent for every type. */
  readonly eventTypes?: readonly QueryType[] | null;
  /** Inclusive lower bound of `timestamp`. */
  readonly tFrom?: Timestamp | null;
  /** Inclusive upper bound of `timestamp`. */
  readonly tTo?: Timestamp | null;
  /** Inclusive lower bound of `sourceTimestamp`. */
  readonly sourceTFrom?: Timestamp | null;
  /** Inclusive upper bound of `sourceTimestamp`. */
  readonly sourceTTo?: Timestamp | null;
  /**
   * Sort direction.
   * @default {"descending"}
   */
  readonly order?: Order;
  /**
   * Sort key.
   * @default {"timestamp"}
   */
  readonly orderBy?: OrderBy;
  /** At most this many events; `null`/absent for no limit. */
  readonly maxResults?: number | null;
  /** Start after this event (paging). */
  readonly lastEventId?: EventId | null;
}

/** Query for the events of one server after an id (server synchronization). */
export interface QueryServerParams {
  /** Discriminant. */
  readonly kind: "server";
  /** The server whose events are wanted. */
  readonly serverId: ServerId;
  /**
   * Whether only persisted events are wanted.
   * @default {false}
   */
  readonly persisted?: boolean;
  /** At most this many events; `null`/absent for no limit. */
  readonly maxResults?: number | null;
  /** Start after this event id. */
  readonly lastEventId?: EventId | null;
}

/** Parameters of a query. */
export type QueryParams =
  | QueryLatestParams
  | QueryTimeseriesParams
  | QueryServerParams;

/** Result of a query. */
export interface QueryResult {
  /** The events found. */
  readonly events: readonly Event[];
  /** Whether more events match than were returned. */
  readonly moreFollows: boolean;
}
