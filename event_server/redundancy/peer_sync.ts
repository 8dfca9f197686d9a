/**
 * The sync of one peer's events (hat-event 0.9's `eventer_client`, and the
 * reconnect loop of its `eventer_client_runner`): an eventer client named
 * `event/<name>` that registers its `synced` state on the peer, catches up
 * with `server` queries, then stores the peer's persisted notifications as
 * they come, so that no event is lost or stored twice. The steps, the
 * reconnects and the limits: docs/redundancy.md, "How a peer's events are
 * synced".
 *
 * @module
 */

import { ConnectionError } from "../../chatter/mod.ts";
import { type Client, connect } from "../../client.ts";
import {
  compareEventIds,
  type Event,
  type EventId,
  now,
  type QueryResult,
  type Status,
} from "../../event/mod.ts";
import type { Address, Engine } from "../engine.ts";
import type { Logger } from "../log.ts";
import { syncedEvent, type SyncedState } from "./synced_event.ts";

/** A peer to sync from. */
export interface PeerInfo {
  /** The peer's server id: only its events are synced. */
  readonly serverId: number;
  /** The peer's eventer address. */
  readonly address: Address;
  /** Its name (monitor component name), for logs. */
  readonly name?: string | null;
}

/** Options of a {@linkcode PeerSync}. */
export interface PeerSyncOptions {
  /** The engine that stores the peer's events. */
  readonly engine: Engine;
  /** This server's name: the client is `event/<name>`. */
  readonly name: string;
  /** The token sent to the peer (this server's token). */
  readonly clientToken: string | null;
  /** Milliseconds between a failed attempt and the next. */
  readonly reconnectDelay: number;
  /** Where to log. */
  readonly log: Logger;
  /**
   * Events asked for per catch-up query (the peer may cap it lower). A
   * connection lost during the catch-up halves it for the next one (down
   * to 64): a page of large events may outgrow what the peer lets wait for
   * one client, and the peer then drops it as a slow consumer.
   * @default {4096}
   */
  readonly pageSize?: number;
  /**
   * Notified events held back during a catch-up, at most: beyond, they are
   * dropped and the catch-up asks its queries again (a persisted
   * notification comes after its events were stored, so the queries find
   * them): memory stays bounded when the peer registers fast.
   * @default {100000}
   */
  readonly maxQueued?: number;
  /** Told when the peer's status (or `null`: not connected) changes. */
  readonly onStatus?: (sync: PeerSync) => void;
  /** Told when a state or a count changed (for metrics). */
  readonly onChange?: (sync: PeerSync) => void;
}

/** Where a sync stands. */
export type PeerSyncState =
  | "disconnected"
  | SyncedState
  | "refused"
  | "closed";

/** What a sync did so far: for logs, metrics and tests. */
export interface PeerSyncStats {
  /** The peer's server id. */
  readonly serverId: number;
  /** The peer's address. */
  readonly address: Address;
  /** The peer's name, when known. */
  readonly name: string | null;
  /** Where the sync stands. */
  readonly state: PeerSyncState;
  /** The peer's status while connected, else `null`. */
  readonly remoteStatus: Status | null;
  /** Connections made. */
  readonly connections: number;
  /** Events the last catch-up received (the last `SYNCED` count). */
  readonly caughtUp: number;
  /** Events stored here from this peer since start. */
  readonly stored: number;
  /** Events received that were already stored (skipped). */
  readonly skipped: number;
  /** Events asked for per catch-up query. */
  readonly pageSize: number;
  /** The last id stored of the peer's server. */
  readonly lastEventId: EventId;
  /**
   * Milliseconds from the peer's timestamp of the last event stored live
   * (after the catch-up) to its storing here; `null` before one was.
   */
  readonly lagMs: number | null;
}

type Outcome = "lost" | "failed" | "refused" | "closed";

const where = (a: Address) => `${a.hostname}:${a.port}`;

/** Events per catch-up query: the default cap of the Python server too. */
const DEFAULT_PAGE_SIZE = 4096;
const MIN_PAGE_SIZE = 64;
/** Notified events held back during a catch-up, at most. */
const MAX_QUEUED = 100_000;

/**
 * Keeps one peer's events synced into the engine's storage, reconnecting
 * until {@linkcode PeerSync.close} (or, once not wanted any more, until
 * its current connection ends).
 */
export class PeerSync {
  readonly #peer: PeerInfo;
  readonly #options: PeerSyncOptions;
  #wanted = true;
  #closed = false;
  #client: Client | null = null;
  #abort = new AbortController();
  #state: PeerSyncState = "disconnected";
  #remoteStatus: Status | null = null;
  #connections = 0;
  #caughtUp = 0;
  #stored = 0;
  #skipped = 0;
  #lagMs: number | null = null;
  /** Notified batches waiting for the catch-up; null once it is done. */
  #queue: Event[][] | null = null;
  /** Events in `#queue`. */
  #queued = 0;
  /** The queue outgrew `maxQueued` during this pass of the catch-up. */
  #overflowed = false;
  #failing = false;
  #attempted = Promise.withResolvers<void>();
  #pageSize: number;
  /** Resolves once the loop ended. */
  readonly done: Promise<void>;

  /**
   * Starts syncing.
   *
   * @param peer The peer.
   * @param options Engine, names, token, delay, log, callbacks.
   */
  constructor(peer: PeerInfo, options: PeerSyncOptions) {
    this.#peer = peer;
    this.#options = options;
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.done = this.#loop();
  }

  /** The peer. */
  get peer(): PeerInfo {
    return this.#peer;
  }

  /** The peer's status while connected, else `null`. */
  get remoteStatus(): Status | null {
    return this.#remoteStatus;
  }

  /** Where the sync stands. */
  get state(): PeerSyncState {
    return this.#state;
  }

  /**
   * Resolves once the first connection attempt settled: connected (its
   * status known) or failed.
   */
  get attempted(): Promise<void> {
    return this.#attempted.promise;
  }

  /** What the sync did so far. */
  stats(): PeerSyncStats {
    return {
      serverId: this.#peer.serverId,
      address: this.#peer.address,
      name: this.#peer.name ?? null,
      state: this.#state,
      remoteStatus: this.#remoteStatus,
      connections: this.#connections,
      caughtUp: this.#caughtUp,
      stored: this.#stored,
      skipped: this.#skipped,
      pageSize: this.#pageSize,
      lastEventId: this.#lastStored(),
      lagMs: this.#lagMs,
    };
  }

  /**
   * Whether to go on reconnecting: a peer that left the group is not
   * connected again, but its current connection goes on until it ends (as
   * in the reference).
   *
   * @param wanted Whether the peer is still a peer.
   */
  setWanted(wanted: boolean): void {
    this.#wanted = wanted;
    if (!wanted) this.#abort.abort();
    else if (this.#abort.signal.aborted) this.#abort = new AbortController();
  }

  /** Whether the peer is still a peer. */
  get wanted(): boolean {
    return this.#wanted;
  }

  /**
   * Stops: closes the connection, stops reconnecting.
   *
   * @returns When stopped.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wanted = false;
    this.#abort.abort();
    await this.#client?.close();
    await this.done;
  }

  #describe(): string {
    const name = this.#peer.name ? ` (${this.#peer.name})` : "";
    return `peer ${this.#peer.serverId} at ${where(this.#peer.address)}${name}`;
  }

  #lastStored(): EventId {
    const storage = this.#options.engine.storage;
    return storage.isOpen
      ? storage.lastEventId(this.#peer.serverId)
      : { server: this.#peer.serverId, session: 0, instance: 0 };
  }

  #setState(state: PeerSyncState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onChange?.(this);
  }

  #setRemoteStatus(status: Status | null): void {
    if (this.#remoteStatus === status) return;
    this.#remoteStatus = status;
    this.#options.onStatus?.(this);
  }

  async #loop(): Promise<void> {
    while (this.#wanted && !this.#closed) {
      const outcome = await this.#connection();
      if (outcome === "refused") return;
      if (!this.#wanted || this.#closed) break;
      if (outcome === "failed") await this.#sleep();
    }
    this.#setState("closed");
    this.#attempted.resolve();
  }

  #sleep(): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, this.#options.reconnectDelay);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** One connection, from connecting to its end. */
  async #connection(): Promise<Outcome> {
    const { engine, name, clientToken, log } = this.#options;
    const remote = this.#peer.serverId;
    let client: Client;
    this.#queue = [];
    this.#queued = 0;
    this.#overflowed = false;
    try {
      client = await connect(this.#peer.address, `event/${name}`, {
        clientToken,
        subscriptions: [["*"]],
        serverId: remote,
        persisted: true,
        signal: this.#abort.signal,
        onStatus: (c, status) => this.#statusChanged(c, status),
        onEvents: (c, events) => this.#notified(c, events),
        onError: (error) => {
          if (!this.#closed) {
            log.warn(`sync from ${this.#describe()}: ${error}`);
          }
        },
      });
    } catch (error) {
      if (this.#closed) return "closed";
      // A peer that left the group while it was tried: nothing to tell.
      if (!this.#wanted) return "failed";
      // One warning per series of failed attempts.
      if (!this.#failing) {
        log.warn(
          `cannot connect to ${this.#describe()} (retrying every ${
            this.#options.reconnectDelay / 1000
          } s): ${message(error)}`,
        );
      }
      this.#failing = true;
      this.#attempted.resolve();
      return "failed";
    }
    this.#failing = false;
    this.#client = client;
    this.#connections++;
    if (this.#closed) {
      await client.close();
      this.#client = null;
      return "closed";
    }
    log.info(`connected to ${this.#describe()}, catching up`);
    this.#setRemoteStatus(client.status);
    this.#attempted.resolve();
    let synced = false;
    try {
      const refused = await this.#catchUp(client, engine);
      if (refused !== null) {
        this.#setState("refused");
        log.error(refused);
        return "refused";
      }
      synced = true;
      await client.closed;
      return this.#closed ? "closed" : "lost";
    } catch (error) {
      if (this.#closed) return "closed";
      if (error instanceof ConnectionError) {
        log.warn(`connection to ${this.#describe()} lost: ${error.message}`);
        if (!synced && this.#pageSize > MIN_PAGE_SIZE) {
          this.#pageSize = Math.max(MIN_PAGE_SIZE, this.#pageSize >> 1);
          log.info(
            `catching up from ${this.#describe()} in pages of ` +
              `${this.#pageSize} from now on`,
          );
        }
        return synced ? "lost" : "failed";
      }
      log.error(`sync from ${this.#describe()} failed`, error);
      return "failed";
    } finally {
      this.#queue = null;
      await client.close();
      this.#client = null;
      this.#setRemoteStatus(null);
      if (!this.#closed && this.#state !== "refused") {
        this.#setState("disconnected");
      }
      if (synced && !this.#closed) {
        log.info(`disconnected from ${this.#describe()}`);
      }
    }
  }

  /**
   * The catch-up; resolves once synced, or with the reason the peer is
   * refused.
   */
  async #catchUp(client: Client, engine: Engine): Promise<string | null> {
    const remote = this.#peer.serverId;
    const registered = await this.#setSynced(client, "CONNECTED", null, true);
    const found = registered?.[0]?.id.server;
    if (found !== undefined && found !== remote) {
      return found === engine.serverId
        ? `${this.#describe()} registers events with server id ${found}, ` +
          `the id of this server (${this.#options.name}): never synced from; ` +
          "two servers of a group must have different ids"
        : `${this.#describe()} registers events with server id ${found}, ` +
          `not ${remote}: never synced from`;
    }
    let last = this.#lastStored();
    let count = 0;
    let pending: readonly Event[] = [];
    const page = (after: EventId) => {
      const asked = client.query({
        kind: "server",
        serverId: remote,
        persisted: true,
        lastEventId: after,
        maxResults: this.#pageSize,
      });
      // Awaited later (or not at all, after an empty page).
      asked.catch(() => {});
      return asked;
    };
    for (;;) {
      // The next page is asked for before this one is stored: the peer
      // reads and encodes it meanwhile.
      let next: ReturnType<typeof page> | null = page(last);
      while (next !== null) {
        const result: QueryResult = await next;
        const events = result.events;
        if (events.length === 0) break;
        last = events[events.length - 1].id;
        next = result.moreFollows ? page(last) : null;
        if (count === 0) await this.#setSynced(client, "SYNCING", null);
        count += events.length;
        // Whole sessions only: the last one may go on in the next page.
        const all = pending.length === 0 ? events : pending.concat(events);
        const lastSession = last.session;
        let cut = all.length;
        while (cut > 0 && all[cut - 1].id.session === lastSession) cut--;
        if (cut > 0) this.#store(all.slice(0, cut), false);
        pending = cut === 0 ? all : all.slice(cut);
      }
      if (!this.#overflowed) break;
      // Notifications were dropped: what they held is stored at the peer,
      // and the queries find it.
      this.#queue = [];
      this.#queued = 0;
      this.#overflowed = false;
      this.#options.log.debug(
        `notifications of ${this.#describe()} outgrew the catch-up's ` +
          "buffer: asking again",
      );
    }
    if (pending.length > 0) this.#store(pending, false);
    // Notifications that came during the catch-up: past what it brought.
    const queued = this.#queue ?? [];
    this.#queue = null;
    for (const batch of queued) {
      const fresh = batch.filter((e) => compareEventIds(e.id, last) > 0);
      if (fresh.length > 0) this.#store(fresh, true);
    }
    this.#caughtUp = count;
    await this.#setSynced(client, "SYNCED", count);
    this.#options.log.info(
      `synced ${count} events from ${this.#describe()}`,
    );
    return null;
  }

  #store(events: readonly Event[], live: boolean): void {
    const stored = this.#options.engine.storeSynced(events);
    this.#stored += stored;
    this.#skipped += events.length - stored;
    if (live && stored > 0) {
      const t = events[events.length - 1].timestamp;
      const here = now();
      this.#lagMs = (Number(here.s) - Number(t.s)) * 1000 +
        (here.us - t.us) / 1000;
    }
    this.#options.onChange?.(this);
  }

  #notified(client: Client, events: Event[]): void {
    if (this.#queue !== null) {
      if (this.#overflowed) return;
      this.#queued += events.length;
      if (this.#queued > (this.#options.maxQueued ?? MAX_QUEUED)) {
        this.#queue = [];
        this.#overflowed = true;
        return;
      }
      this.#queue.push(events);
      return;
    }
    try {
      this.#store(events, true);
    } catch (error) {
      // The storage failed or closed (the engine stops), or a peer sent
      // this server's own id: this connection ends.
      this.#options.log.error(
        `cannot store events of ${this.#describe()}`,
        error,
      );
      client.close();
    }
  }

  #statusChanged(client: Client, status: Status): void {
    this.#setRemoteStatus(status);
    // As the reference: a peer that became operational hears again how
    // far this server got (its count is unknown by then).
    const state = this.#state;
    if (
      status === "operational" &&
      (state === "CONNECTED" || state === "SYNCING" || state === "SYNCED")
    ) {
      client.register([
        syncedEvent(this.#options.engine.serverId, this.#peer.serverId, state),
      ]).catch(() => {});
    }
  }

  /**
   * Registers the `synced` event on the peer (with a response when
   * `withResponse`: the peer's event tells its server id) and here, while
   * this server is active.
   */
  async #setSynced(
    client: Client,
    state: SyncedState,
    count: number | null,
    withResponse = false,
  ): Promise<Event[] | null> {
    this.#setState(state);
    const engine = this.#options.engine;
    const event = syncedEvent(
      engine.serverId,
      this.#peer.serverId,
      state,
      count,
    );
    if (engine.status === "operational") engine.register([event]);
    if (withResponse) return await client.register([event], { withResponse });
    await client.register([event]);
    return null;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
