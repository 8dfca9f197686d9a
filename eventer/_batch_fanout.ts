// Notifying events held as bytes (an EventBatch of the Wasm core, or
// events written out of one for later) without building event objects:
// the connections whose subscriptions match a type are found once per type
// id and kept until a subscription changes; each connection gets its
// MsgEventsNotify written by the core, one write shared when every
// connection gets every event. See docs/wasm.md.

import {
  E_SERVER,
  E_TYPE,
  EVENT_SIZE,
  type EventBatch,
  type EventCore,
  EVENTS_KIND,
} from "../codec/wasm/internal_mod.ts";
import type { SubscriptionIndex } from "../event/mod.ts";
import type { ServerConnection } from "./_server_connection.ts";

const NONE: readonly ServerConnection[] = Object.freeze([]);

/**
 * Events written out of a batch as the bytes of their MsgEventsNotify, for
 * notifying them later (persisted subscribers, after the commit that
 * stored them) when the batch is gone: one copy; they are scanned again
 * only when somebody is to be told.
 */
export interface WrittenEvents {
  /** The MsgEventsNotify of the events. */
  readonly bytes: Uint8Array;
}

/** Which connections get which events, by type id. */
export class BatchFanout {
  #index: SubscriptionIndex<ServerConnection>;
  #core: EventCore;
  #byType: (readonly ServerConnection[] | undefined)[] = [];
  #generation = -1;
  #notified: (count: number) => void;
  /** Where written events are scanned again to be notified. */
  #later: EventBatch | null = null;

  /**
   * @param index The server's subscriptions.
   * @param core The server's core (whose type ids batches carry).
   * @param notified Told how many events were queued for a connection.
   */
  constructor(
    index: SubscriptionIndex<ServerConnection>,
    core: EventCore,
    notified: (count: number) => void,
  ) {
    this.#index = index;
    this.#core = core;
    this.#notified = notified;
  }

  /** Forgets what matched: a subscription was added or removed. */
  invalidate(): void {
    this.#byType = [];
  }

  /** The connections whose subscription matches a type id. */
  #match(typeId: number): readonly ServerConnection[] {
    const core = this.#core;
    if (core.generation !== this.#generation) {
      this.#generation = core.generation;
      this.#byType = [];
    }
    let conns = this.#byType[typeId];
    if (conns === undefined) {
      const found = this.#index.match(core.typeStrings(typeId));
      conns = found.length === 0 ? NONE : found;
      this.#byType[typeId] = conns;
    }
    return conns;
  }

  /**
   * Chooses, for each connection, the events it gets (same `persisted`,
   * matching subscription, no server id or the event's), in order.
   */
  #select(
    n: number,
    typeOf: (i: number) => number,
    serverOf: (i: number) => number,
    persisted: boolean,
  ): Map<ServerConnection, number[]> {
    const lists = new Map<ServerConnection, number[]>();
    let prevType = -1;
    let conns: readonly ServerConnection[] = NONE;
    for (let i = 0; i < n; i++) {
      const t = typeOf(i);
      if (t !== prevType) {
        conns = this.#match(t);
        prevType = t;
      }
      for (let j = 0; j < conns.length; j++) {
        const conn = conns[j];
        const info = conn.info!;
        if (info.persisted !== persisted) continue;
        if (info.serverId !== null && info.serverId !== serverOf(i)) continue;
        let list = lists.get(conn);
        if (list === undefined) lists.set(conn, list = []);
        list.push(i);
      }
    }
    return lists;
  }

  /**
   * Notifies events `from`..`to` of a batch to the connections they
   * concern; never waits (see ServerConnection.notifyEvents). Their
   * Array(Event) must be what output slot 0 holds after `lead` bytes (see
   * EventBatch.writeEvents): connections that get every event share it;
   * the others get a write of their own.
   *
   * @param batch The events (of this fan-out's core).
   * @param from First event.
   * @param to End of the range.
   * @param persisted Notify persisted subscribers (else the others).
   * @param lead Bytes before the Array(Event) in output slot 0, or -1 when
   * `written` holds it instead.
   * @param written The MsgEventsNotify of every event, when lead is -1.
   */
  notifyBatch(
    batch: EventBatch,
    from: number,
    to: number,
    persisted: boolean,
    lead: number,
    written?: Uint8Array,
  ): void {
    const core = this.#core;
    // Matching reads the type table but allocates nothing: the views stay.
    const i32 = core.i32;
    const f64 = core.f64;
    const base = batch.entry(from);
    const n = to - from;
    const lists = this.#select(
      n,
      (i) => i32[(base + i * EVENT_SIZE + E_TYPE) >> 2],
      (i) => f64[(base + i * EVENT_SIZE + E_SERVER) >> 3],
      persisted,
    );
    if (lists.size === 0) return;
    // Every event first: the shared write is read before any other write
    // (which may grow the core's memory and so detach views of it).
    const all = lead < 0 ? written! : batch.output(0).subarray(lead);
    const some: [ServerConnection, number[]][] = [];
    for (const [conn, list] of lists) {
      if (list.length === n) {
        conn.notifyEvents(all, false);
        this.#notified(n);
      } else some.push([conn, list]);
    }
    for (const [conn, list] of some) {
      if (from !== 0) {
        for (let k = 0; k < list.length; k++) list[k] += from;
      }
      conn.notifyEvents(batch.writeList(1, list, 0), false);
      this.#notified(list.length);
    }
  }

  /**
   * Copies the MsgEventsNotify of events `from`..`to` of a batch out of
   * the core, for {@linkcode BatchFanout.notifyWritten} later. It must be
   * what output slot 0 holds after `lead` bytes.
   *
   * @param batch The events.
   * @param lead Bytes before the Array(Event) in output slot 0.
   * @returns The events as bytes of their own.
   */
  writeOut(batch: EventBatch, lead: number): WrittenEvents {
    return { bytes: batch.output(0).slice(lead) };
  }

  /**
   * Notifies events written out by {@linkcode BatchFanout.writeOut}:
   * scanned again (one Wasm call) to match them by type.
   *
   * @param written The events.
   * @param persisted Notify persisted subscribers (else the others).
   */
  notifyWritten(written: WrittenEvents, persisted: boolean): void {
    const batch = this.#later ??= this.#core.batch();
    try {
      const n = batch.scanEvents(written.bytes, EVENTS_KIND.notify);
      // Only a core that could not get memory refuses bytes it wrote.
      if (typeof n !== "number") throw new Error(`cannot read events: ${n}`);
      this.notifyBatch(batch, 0, n, persisted, -1, written.bytes);
    } finally {
      batch.clear();
      this.#core.release();
    }
  }
}
