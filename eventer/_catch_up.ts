// How a reconnecting persisted subscriber sees each server's events once,
// in order, across connections: positions per server, `server` and
// `timeseries` queries on each new connection, notifications buffered
// meanwhile. The steps and their limits: docs/failover.md, "Events".

import {
  compareEventIds,
  compareTimestamps,
  type Event,
  type EventId,
  now,
  type QueryParams,
  type QueryResult,
  type QueryType,
  type ServerId,
  Subscription,
  type Timestamp,
} from "../event/mod.ts";

/** Hands a batch to the application; a promise while it has no room. */
export type Deliver = (
  events: Event[],
  ack: (() => void) | null,
) => Promise<void> | undefined;

/** Where a connection puts the event batches it receives. */
export interface EventSink {
  /** Takes a batch (and its ack, when the server asked for one). */
  push(events: Event[], ack: (() => void) | null): Promise<void> | undefined;
  /** The connection closed: nothing more comes from it. */
  close(): void;
}

/** Events asked for by one catch-up query. */
export const CATCH_UP_PAGE = 1000;

interface Position {
  /** The last event delivered (or passed over as not subscribed). */
  id: EventId;
  /** The latest timestamp among that server's events seen. */
  timestamp: Timestamp;
}

interface Batch {
  events: Event[];
  ack: (() => void) | null;
}

/** The events of one connection, while it catches up and after. */
class ConnectionEvents implements EventSink {
  catchingUp: boolean;
  buffer: Batch[] = [];
  overflowed = false;
  closed = false;
  #owner: CatchUp;

  constructor(owner: CatchUp, catchingUp: boolean) {
    this.#owner = owner;
    this.catchingUp = catchingUp;
  }

  push(events: Event[], ack: (() => void) | null): Promise<void> | undefined {
    if (this.closed) return;
    if (!this.catchingUp) return this.#owner.deliver(events, ack);
    // The queries give these events again; an ack only tells the server
    // that the batch was taken in.
    if (this.overflowed) {
      ack?.();
      return;
    }
    this.buffer.push({ events, ack });
    if (this.buffer.length > this.#owner.bufferLimit) {
      for (const b of this.buffer) b.ack?.();
      this.buffer = [];
      this.overflowed = true;
    }
  }

  close(): void {
    this.closed = true;
    this.buffer = [];
  }
}

/** The per-server positions of a persisted subscriber and its catch-up. */
export class CatchUp {
  #positions = new Map<ServerId, Position>();
  #subscriptions: readonly QueryType[];
  #subscription: Subscription;
  #serverId: ServerId | null;
  /** Where the search for servers not seen starts when none was seen. */
  #start: Timestamp = now();
  #deliver: Deliver;
  /** Most batches a connection buffers while catching up. */
  readonly bufferLimit: number;

  constructor(
    subscriptions: readonly QueryType[],
    serverId: ServerId | null,
    deliver: Deliver,
    bufferLimit: number,
  ) {
    this.#subscriptions = subscriptions;
    this.#subscription = new Subscription(subscriptions);
    this.#serverId = serverId;
    this.#deliver = deliver;
    this.bufferLimit = bufferLimit;
  }

  /** The last event id delivered (or passed over) of each server. */
  positions(): Map<ServerId, EventId> {
    return new Map([...this.#positions].map(([s, p]) => [s, p.id]));
  }

  /**
   * The sink of a connection; one that replaces a lost connection holds
   * its notifications back until {@linkcode CatchUp.run} is done.
   */
  sink(reconnect: boolean): EventSink {
    return new ConnectionEvents(this, reconnect);
  }

  /**
   * Delivers a batch without the events at or before their server's
   * position. An event at or before it but newer than any of that server's
   * events seen is not a repeat: the server lost its store and counts ids
   * from the start again, and its position goes back with it.
   */
  deliver(
    events: Event[],
    ack: (() => void) | null,
  ): Promise<void> | undefined {
    let out: Event[] | null = null;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const pos = this.#positions.get(e.id.server);
      if (
        pos !== undefined && compareEventIds(e.id, pos.id) <= 0 &&
        compareTimestamps(e.timestamp, pos.timestamp) <= 0
      ) {
        out ??= events.slice(0, i);
        continue;
      }
      this.#advance(e, pos, true);
      out?.push(e);
    }
    const batch = out ?? events;
    if (batch.length === 0) {
      ack?.();
      return;
    }
    return this.#deliver(batch, ack);
  }

  /**
   * Catches a new connection up: pages of `server` queries from each
   * position, the events of servers not seen yet, then the notifications
   * buffered meanwhile, until nothing is left to catch up. Ends early
   * (without error) when the connection closes; a failed query rejects.
   */
  async run(
    sink: EventSink,
    query: (params: QueryParams) => Promise<QueryResult>,
  ): Promise<void> {
    const conn = sink as ConnectionEvents;
    while (conn.catchingUp) {
      conn.overflowed = false;
      for (const server of [...this.#positions.keys()]) {
        for (;;) {
          const from = this.#positions.get(server)!;
          const result = await query({
            kind: "server",
            serverId: server,
            persisted: true,
            lastEventId: from.id,
            maxResults: CATCH_UP_PAGE,
          });
          if (conn.closed) return;
          const page = result.events;
          if (page.length === 0) break;
          const wanted = page.filter((e) =>
            e.id.server === server && this.#subscription.matches(e.type)
          );
          const wait = wanted.length > 0 ? this.deliver(wanted, null) : null;
          // Events not subscribed to are passed over, never asked again.
          for (const e of page) {
            if (e.id.server === server) {
              this.#advance(e, this.#positions.get(server), false);
            }
          }
          if (wait) await wait;
          if (conn.closed) return;
          if (!result.moreFollows) break;
        }
      }
      if (!await this.#unseenServers(conn, query)) return;
      while (conn.buffer.length > 0 && !conn.overflowed) {
        const b = conn.buffer.shift()!;
        const wait = this.deliver(b.events, b.ack);
        if (wait) await wait;
        if (conn.closed) return;
      }
      if (!conn.overflowed) conn.catchingUp = false;
    }
  }

  /**
   * Delivers the events of servers without a position, registered since
   * the latest timestamp seen (timeseries, ascending: the order of one
   * server's ids while its clock goes forward). False when the connection
   * closed meanwhile.
   */
  async #unseenServers(
    conn: ConnectionEvents,
    query: (params: QueryParams) => Promise<QueryResult>,
  ): Promise<boolean> {
    const only = this.#serverId;
    if (only !== null && this.#positions.has(only)) return true;
    const known = new Set(this.#positions.keys());
    let since = this.#start;
    for (const p of this.#positions.values()) {
      if (compareTimestamps(p.timestamp, since) > 0) since = p.timestamp;
    }
    let last: EventId | null = null;
    for (;;) {
      const result = await query({
        kind: "timeseries",
        eventTypes: this.#subscriptions,
        tFrom: since,
        order: "ascending",
        orderBy: "timestamp",
        maxResults: CATCH_UP_PAGE,
        lastEventId: last,
      });
      if (conn.closed) return false;
      const page = result.events;
      if (page.length === 0) return true;
      const wanted = page.filter((e) =>
        !known.has(e.id.server) && (only === null || e.id.server === only) &&
        this.#subscription.matches(e.type)
      );
      if (wanted.length > 0) {
        const wait = this.deliver(wanted, null);
        if (wait) await wait;
        if (conn.closed) return false;
      }
      if (!result.moreFollows) return true;
      last = page[page.length - 1].id;
    }
  }

  #advance(e: Event, pos: Position | undefined, reset: boolean): void {
    if (pos === undefined) {
      this.#positions.set(e.id.server, { id: e.id, timestamp: e.timestamp });
      return;
    }
    if (reset || compareEventIds(e.id, pos.id) > 0) pos.id = e.id;
    if (compareTimestamps(e.timestamp, pos.timestamp) > 0) {
      pos.timestamp = e.timestamp;
    }
  }
}
