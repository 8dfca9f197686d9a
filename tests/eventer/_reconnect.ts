// Helpers of the reconnect tests: a consumer that collects what a client's
// iterator gives, and an event store that answers `server` and
// `timeseries` queries as the Event Server does (for tests that need to
// hold an answer back, where the real engine would answer at once).

import type { Client } from "../../client.ts";
import {
  compareEventIds,
  compareTimestamps,
  type Event,
  type EventId,
  type QueryParams,
  type QueryResult,
  Subscription,
} from "../../event/mod.ts";
import { within } from "../_within.ts";

/** What a client's iterator gave, and a way to wait for more. */
export interface Collected {
  /** Every event given so far, in order. */
  readonly events: Event[];
  /** Resolves once at least `n` events were given. */
  until(n: number): Promise<void>;
  /** Resolves when the iteration ends (the client closed). */
  readonly done: Promise<void>;
}

/** Consumes `client`'s events in the background. */
export function collect(client: Client): Collected {
  const events: Event[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const batch of client) {
      events.push(...batch);
      waiters = waiters.filter((w) => {
        if (events.length < w.n) return true;
        w.resolve();
        return false;
      });
    }
  })();
  return {
    events,
    until(n) {
      if (events.length >= n) return Promise.resolve();
      const reached = new Promise<void>((resolve) =>
        waiters.push({ n, resolve })
      );
      return within(reached, 20_000, `${n} events (have ${events.length})`);
    },
    done,
  };
}

/** `session/instance` of each event, for readable comparisons. */
export function ids(events: readonly Event[]): string[] {
  return events.map((e) => `${e.id.server}:${e.id.session}/${e.id.instance}`);
}

/** Events of a few servers, queried as the Event Server answers. */
export class Store {
  events: Event[] = [];
  /** Every query asked, in order. */
  queries: QueryParams[] = [];

  /** Adds one event of `server`, session `session`, timestamp `s`. */
  add(server: number, session: number, type: string[], s = session): Event {
    const e: Event = {
      id: { server, session, instance: 1 },
      type,
      timestamp: { s, us: 0 },
      sourceTimestamp: null,
      payload: { kind: "json", data: session },
    };
    this.events.push(e);
    return e;
  }

  /** Answers `server` and `timeseries` (ascending) queries. */
  answer(params: QueryParams): QueryResult {
    this.queries.push(params);
    let found: Event[];
    let after: EventId | null | undefined;
    let max: number | null | undefined;
    if (params.kind === "server") {
      after = params.lastEventId;
      max = params.maxResults;
      found = this.events
        .filter((e) => e.id.server === params.serverId)
        .filter((e) => !after || compareEventIds(e.id, after) > 0)
        .sort((a, b) => compareEventIds(a.id, b.id));
    } else if (params.kind === "timeseries") {
      const types = new Subscription(params.eventTypes ?? [["*"]]);
      const from = params.tFrom ?? null;
      max = params.maxResults;
      found = this.events
        .filter((e) => types.matches(e.type))
        .filter((e) => !from || compareTimestamps(e.timestamp, from) >= 0)
        .sort((a, b) =>
          compareTimestamps(a.timestamp, b.timestamp) ||
          compareEventIds(a.id, b.id)
        );
      const last = params.lastEventId;
      if (last) {
        const i = found.findIndex((e) =>
          compareEventIds(e.id, last) === 0 && e.id.server === last.server
        );
        found = i < 0 ? [] : found.slice(i + 1);
      }
    } else {
      found = [];
    }
    const limit = max ?? Infinity;
    return {
      events: found.slice(0, limit),
      moreFollows: found.length > limit,
    };
  }
}
