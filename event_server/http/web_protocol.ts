/**
 * The JSON the web view's page and the Event Server's HTTP part exchange:
 * events and query parameters in a form JSON can carry, the answers of the
 * JSON API (`/api/...`), and the messages of the live WebSocket
 * (`/api/live`). The page (web/ in the repository) is compiled against
 * these types; docs/web.md describes the API.
 *
 * @example
 * ```ts
 * import type { WebEvent } from "./web_protocol.ts";
 * import assert from "node:assert/strict";
 *
 * const event: WebEvent = {
 *   id: [1, 2, 1],
 *   type: ["gateway", "dev1", "temperature"],
 *   timestamp: [1764064800, 250000],
 *   sourceTimestamp: null,
 *   payload: { kind: "json", text: "21.5" },
 * };
 * assert.equal(JSON.parse(JSON.stringify(event)).id[1], 2);
 * ```
 *
 * @module
 */

import type { Status } from "../../event/mod.ts";

/** A timestamp: `[seconds since 1970, microseconds]`. */
export type WebTimestamp = readonly [number, number];

/** An event id: `[server, session, instance]`. */
export type WebEventId = readonly [number, number, number];

/** A payload as the page shows it. */
export type WebPayload =
  | {
    readonly kind: "json";
    /** The JSON text as registered (cut after the preview limit). */
    readonly text: string;
    /** Length of the whole text, when `text` was cut. */
    readonly length?: number;
  }
  | {
    readonly kind: "binary";
    /** The application's name of the data's format. */
    readonly type: string;
    /** The first bytes, in hexadecimal. */
    readonly hex: string;
    /** Size of the whole data in bytes. */
    readonly size: number;
  };

/** An event as the page gets it. */
export interface WebEvent {
  /** Its id. */
  readonly id: WebEventId;
  /** Its type. */
  readonly type: readonly string[];
  /** When the server registered it. */
  readonly timestamp: WebTimestamp;
  /** When its source says it happened. */
  readonly sourceTimestamp: WebTimestamp | null;
  /** Its payload. */
  readonly payload: WebPayload | null;
}

/** A query as the page sends it to `POST /api/query`. */
export type WebQuery =
  | {
    readonly kind: "latest";
    readonly eventTypes?: readonly (readonly string[])[] | null;
  }
  | {
    readonly kind: "timeseries";
    readonly eventTypes?: readonly (readonly string[])[] | null;
    readonly tFrom?: WebTimestamp | null;
    readonly tTo?: WebTimestamp | null;
    readonly sourceTFrom?: WebTimestamp | null;
    readonly sourceTTo?: WebTimestamp | null;
    readonly order?: "descending" | "ascending";
    readonly orderBy?: "timestamp" | "sourceTimestamp";
    readonly maxResults?: number | null;
    readonly lastEventId?: WebEventId | null;
  }
  | {
    readonly kind: "server";
    readonly serverId: number;
    readonly persisted?: boolean;
    readonly maxResults?: number | null;
    readonly lastEventId?: WebEventId | null;
  };

/** The answer of `POST /api/query`. */
export interface WebQueryResult {
  /** The events (JSON payloads cut after 64 KiB). */
  readonly events: readonly WebEvent[];
  /** Whether more events match: ask again after the last one. */
  readonly moreFollows: boolean;
}

/** One next segment of the event types, from `GET /api/types`. */
export interface WebTypeChild {
  /** The segment. */
  readonly segment: string;
  /** Whether the path down to it is a registered type. */
  readonly isType: boolean;
  /** Distinct segments below it. */
  readonly children: number;
}

/** The answer of `GET /api/types?prefix=[...]&offset=&limit=&match=`. */
export interface WebTypeList {
  /** Children in natural order (`dev2` before `dev10`), one page of them. */
  readonly children: readonly WebTypeChild[];
  /** How many match in all (`match` filters by substring). */
  readonly total: number;
}

/** One eventer client, as the page lists it. */
export interface WebConnection {
  /** The connection's id. */
  readonly id: number;
  /** The client's name. */
  readonly name: string;
  /** Its subscriptions (query types). */
  readonly subscriptions: readonly (readonly string[])[];
  /** Only events of this server are notified to it; null for all. */
  readonly serverId: number | null;
  /** Whether it is notified of persisted events. */
  readonly persisted: boolean;
  /** Bytes waiting to be sent to it. */
  readonly bytesWaiting: number;
}

/** The server's state, from `GET /api/status` and every second live. */
export interface WebStatus {
  /** This server's id. */
  readonly serverId: number;
  /** Its status. */
  readonly status: Status;
  /** Where eventer clients connect (`host:port`). */
  readonly addresses: readonly string[];
  /** What keeps the events (storage kind and place). */
  readonly storage: string;
  /** Whether the storage is open (false once it failed). */
  readonly storageOpen: boolean;
  /** When the server started, ms since 1970. */
  readonly startedAt: number;
  /** The server's clock, ms since 1970. */
  readonly now: number;
  /** Counters since the start. */
  readonly counters: {
    readonly registered: number;
    readonly notified: number;
    readonly stored: number;
    readonly queries: number;
    readonly slowConsumerDrops: number;
  };
  /** What the storage holds (absent when it is closed). */
  readonly stored?: {
    readonly events: number;
    readonly chunks: number;
    readonly bytes: number;
    readonly types: number;
    readonly retentionDeleted: number;
  };
  /** Resident memory of the server process, bytes. */
  readonly rss: number;
  /** How many eventer clients are connected. */
  readonly connectionCount: number;
  /** The clients with the most bytes waiting first (at most 500). */
  readonly connections: readonly WebConnection[];
  /** Pages connected for live updates. */
  readonly webSessions: number;
}

/** What the page watches, sent on the live WebSocket whenever it changes. */
export interface LiveWatch {
  /** Types whose latest events the page shows (at most 2,000 count). */
  readonly latest?: readonly (readonly string[])[];
  /** The stream of arriving events: its query types, or null for none. */
  readonly stream?: {
    readonly types: readonly (readonly string[])[];
    readonly paused?: boolean;
  } | null;
  /** The plot: one type's values, or null for none. */
  readonly plot?: LivePlot | null;
}

/** What the plot shows. */
export interface LivePlot {
  /** The event type. */
  readonly type: readonly string[];
  /**
   * Path into a JSON payload to the plotted number (`value`, `a.b.0`);
   * empty for a payload that is itself a number (or boolean).
   */
  readonly field: string;
  /** Which timestamp is the x axis. */
  readonly by: "timestamp" | "sourceTimestamp";
  /** Start of the range (inclusive). */
  readonly from: WebTimestamp;
  /** End of the range, or null for "until now, extended live". */
  readonly to: WebTimestamp | null;
}

/** One live update: what changed since the previous one. */
export interface LiveUpdate {
  /** The latest events of watched types that changed (or are new). */
  readonly latest?: readonly WebEvent[];
  /** Events of the stream, oldest first. */
  readonly stream?: {
    readonly events: readonly WebEvent[];
    /** More arrived than are shown (the newest are). */
    readonly sampled: boolean;
  };
  /** Points of the plot: `[x seconds, y]`, ascending by x. */
  readonly plot?: {
    /** The points replace what the plot showed (a new plot). */
    readonly reset: boolean;
    readonly points: readonly (readonly [number, number])[];
    /** Points were left out (more than one update carries). */
    readonly sampled: boolean;
  };
  /** Every second: the server's state. */
  readonly status?: WebStatus;
  /** Every second: how many event types exist (the tree may have grown). */
  readonly types?: number;
  /** What was wrong with the last watch message (it was not taken). */
  readonly error?: string;
}
