/**
 * The storage interface of the Event Server and the options its two
 * implementations share ({@linkcode MemoryStorage} in `memory.ts`,
 * {@linkcode SqliteStorage} in `sqlite/sqlite.ts`).
 *
 * A storage receives events that already carry ids and timestamps (the
 * engine assigns them), keeps them, answers the three kinds of query of
 * `tests/testdata/spec/PROTOCOL.md` §5, and tells when registered events
 * are durable: the promise returned by {@linkcode Storage.register}
 * resolves after the commit that stored them, so the engine notifies
 * persisted subscribers only then. A
 * storage that fails (a commit, a retention cleanup) closes itself and
 * says so through {@linkcode Storage.closed}, so its owner can stop too.
 *
 * @module
 */

import type {
  Event,
  EventId,
  EventType,
  QueryParams,
  QueryResult,
  QueryType,
  ServerId,
} from "../../event/mod.ts";
import type { EventBatch } from "../../codec/wasm/internal_mod.ts";
import type { StorageError } from "../errors.ts";

/** Options of {@linkcode Storage.query}. */
export interface StorageQueryOptions {
  /**
   * JSON payloads as `JsonTextPayload`s holding the stored text (parsed
   * only if read; sent on by the eventer server as the same bytes), rather
   * than plain `{ kind: "json", data }` objects.
   * @default {false}
   */
  readonly jsonText?: boolean;
}

/** Options of {@linkcode Storage.arrivals}. */
export interface ArrivalOptions extends StorageQueryOptions {
  /**
   * Only events after this id (of the server asked about).
   * @default {null}
   */
  readonly after?: EventId | null;
  /**
   * Only events of these query types (`null`: every type).
   * @default {null}
   */
  readonly eventTypes?: readonly QueryType[] | null;
  /**
   * At most this many events (the storage's `maxResults` caps it, as it
   * caps queries); `moreFollows` says whether another matched.
   * @default {null}
   */
  readonly maxResults?: number | null;
}

/** What a storage holds, for monitoring ({@linkcode Storage.stats}). */
export interface StorageStats {
  /** Events stored (also those waiting for their commit). */
  readonly events: number;
  /** Chunks the events are kept in. */
  readonly chunks: number;
  /**
   * Bytes the storage takes: the SQLite database's pages (without its
   * write-ahead log), or the chunks of the memory storage.
   */
  readonly bytes: number;
  /** Distinct event types ever registered. */
  readonly types: number;
  /** Events removed by retention since the storage was opened. */
  readonly retentionDeleted: number;
}

/** One next segment of the known event types under a prefix. */
export interface TypeChild {
  /** The segment. */
  readonly segment: string;
  /** Whether the prefix with this segment is itself a registered type. */
  readonly isType: boolean;
  /** How many distinct segments follow it in longer types. */
  readonly children: number;
}

/**
 * Where events live. Every method but `register`'s durability promise is
 * synchronous: both implementations answer queries from memory or from an
 * embedded database in the calling thread.
 */
export interface Storage extends AsyncDisposable {
  /** Whether the storage is open (false after {@linkcode Storage.close}). */
  readonly isOpen: boolean;

  /**
   * Whether registered events are durable at once (the promise of
   * {@linkcode Storage.register} is resolved when it is returned).
   */
  readonly durableAtOnce: boolean;

  /**
   * Resolves once the storage is closed (`isOpen` became false): at once
   * with the error that closed it when something failed (a commit, also
   * the last one of {@linkcode Storage.close}, a retention cleanup or other
   * background work), otherwise with `null`. Never rejects.
   */
  readonly closed: Promise<StorageError | null>;

  /**
   * The highest event id ever registered for `serverId`, also when those
   * events were since removed by retention; `{server, session: 0,
   * instance: 0}` when none was.
   *
   * @param serverId The server.
   * @returns Its highest id.
   */
  lastEventId(serverId: ServerId): EventId;

  /**
   * {@linkcode Storage.lastEventId} of every server that ever registered
   * events here: which servers there are, and where each one's events
   * end (the web view's live updates find what arrived since by them).
   *
   * @returns One id per server, in no particular order.
   */
  lastEventIds(): EventId[];

  /**
   * The session an engine (re)started on this storage continues after for
   * `serverId`: the highest session of {@linkcode Storage.lastEventId}, or,
   * after a crash lost events that were not yet committed, the highest
   * session that may have been handed out before it (the reservation of
   * {@linkcode Storage.reserveSessions}). Ids are never reused; a gap
   * marks a crash.
   *
   * @param serverId The server.
   * @returns That session; 0 when none was.
   */
  lastSession(serverId: ServerId): number;

  /**
   * Called by the engine before it hands out a session of `serverId` above
   * the highest reserved: makes sure that, after a crash, no session up to
   * `session` is given out again. A persistent storage records a block of
   * sessions durably before it returns, so that it writes rarely; a
   * graceful {@linkcode Storage.close} gives back what was not used.
   *
   * @param serverId The server.
   * @param session The session about to be handed out.
   * @returns The highest session reserved (at least `session`): the engine
   * asks again only above it.
   * @throws {StorageError} When it could not be recorded (the storage then
   * closed).
   * @throws {StorageClosedError} When the storage is closed.
   */
  reserveSessions(serverId: ServerId, session: number): number;

  /**
   * Stores events. Ids of one server must increase (as the engine assigns
   * them). The events are visible to queries at once; the returned promise
   * resolves when they are durable (memory storage: at once) and rejects
   * with a `StorageError` when they could not be committed, or when a
   * failure of other work closed the storage first (that failure), or with
   * `StorageClosedError` when the storage was closed by `close()` first.
   *
   * @param events The events, in id order.
   * @returns Resolves when the events are durable.
   * @throws {RangeError} When an event's id is not greater than the last id
   * of its server.
   * @throws {TypeError} For an event of the wrong shape (nothing of the
   * call is stored).
   * @throws {EventPayloadError} For JSON data that has no JSON text.
   * @throws {StorageClosedError} When the storage is closed.
   */
  register(events: readonly Event[]): Promise<void>;

  /**
   * Stores events `from`..`to` of a batch of the Wasm core (codec "wasm"),
   * as {@linkcode Storage.register} does, from their bytes: the core writes
   * their records, no event object is built (see docs/wasm.md). The batch
   * is needed only during the call.
   *
   * @param batch The events, checked by the core's scan.
   * @param from First event.
   * @param to End of the range.
   * @param assigned Whether their ids were assigned by this server's
   * engine (increasing by construction); others are checked.
   * @returns Resolves when the events are durable.
   * @throws {RangeError} When an event's id is not greater than the last
   * id of its server (nothing is stored).
   * @throws {StorageClosedError} When the storage is closed.
   */
  registerBatch(
    batch: EventBatch,
    from: number,
    to: number,
    assigned: boolean,
  ): Promise<void>;

  /**
   * Answers a query with the semantics of the Python Event Server (see
   * docs/storage.md, "Queries").
   *
   * @param params The query.
   * @param options How to give the events.
   * @returns The events found and whether more follow.
   * @throws {RangeError} For a `server` query whose `lastEventId` belongs to
   * another server (the reference refuses it too).
   * @throws {StorageClosedError} When the storage is closed.
   */
  query(params: QueryParams, options?: StorageQueryOptions): QueryResult;

  /**
   * The events of one server stored after an id, newest first: a server's
   * ids grow in the order its events arrive, so these are what arrived
   * since that id, whatever their timestamps (a peer's synced events may
   * be older than ones stored before them). Reads back from the newest
   * event and stops at the id, so it costs what arrived since; the web
   * view's live updates take what is new for a page by it. Like a
   * timeseries query, it sees what waits for its commit.
   *
   * @param serverId The server.
   * @param options From which id, which types, how many.
   * @returns The events found and whether more follow.
   * @throws {StorageClosedError} When the storage is closed.
   */
  arrivals(serverId: ServerId, options?: ArrivalOptions): QueryResult;

  /**
   * Answers a query as MsgQueryRes bytes, written by the batch's Wasm core
   * straight from the stored records (see docs/wasm.md).
   *
   * @param params The query.
   * @param batch Where the answer is written.
   * @param limit The most events of a timeseries or server answer (beside
   * the storage's own `maxResults`).
   * @param encode Writes an answer of event objects: for answers that hold
   * chunks the core does not read (the fixed form).
   * @returns The bytes (a view into the core, valid until its next call,
   * or bytes of `encode`), or null when the core could not get memory:
   * then {@linkcode Storage.query} answers.
   * @throws {RangeError} As {@linkcode Storage.query}.
   * @throws {StorageClosedError} When the storage is closed.
   */
  queryBytes(
    params: QueryParams,
    batch: EventBatch,
    limit: number,
    encode: (result: QueryResult) => Uint8Array,
  ): Uint8Array | null;

  /**
   * What the storage holds (for metrics); cheap enough for every scrape.
   *
   * @returns The figures.
   * @throws {StorageClosedError} When the storage is closed.
   */
  stats(): StorageStats;

  /**
   * The next segments of the registered event types that start with
   * `prefix` (`[]` for the first segments), in the order they were first
   * registered: a tree of the types, read one level at a time.
   *
   * @param prefix Segments the types start with.
   * @returns One entry per distinct next segment.
   * @throws {StorageClosedError} When the storage is closed.
   */
  typeChildren(prefix: EventType): TypeChild[];

  /**
   * Commits everything registered so far.
   *
   * @returns Resolves when it is durable.
   */
  flush(): Promise<void>;

  /**
   * Commits what is pending, stops the periodic work and closes. Safe to
   * call more than once.
   *
   * @returns Resolves when closed.
   */
  close(): Promise<void>;
}

/**
 * A retention limit for the events whose type matches `eventTypes`: the
 * oldest of them (by timestamp) are removed by a periodic cleanup, a small
 * batch at a time, when there are more than `maxEntries` of them or they
 * are older than `maxAge` seconds. The newest event of each type stays
 * available to `latest` queries whatever the limits.
 */
export interface RetentionRule {
  /** The query types the limit applies to. */
  readonly eventTypes: readonly QueryType[];
  /** Keep at most this many matching events; no limit when absent. */
  readonly maxEntries?: number | null;
  /** Keep matching events at most this many seconds; no limit when absent. */
  readonly maxAge?: number | null;
}

/** Options every storage understands. */
export interface StorageOptions {
  /**
   * Server-side cap on the number of events one `timeseries` or `server`
   * query returns (a client's `maxResults` only lowers it), as the Python
   * server's `timeseries_max_results`.
   * @default {4096}
   */
  readonly maxResults?: number;
  /**
   * Retention limits, applied independently (an event goes when any limit
   * that matches it says so).
   * @default {[]}
   */
  readonly retention?: readonly RetentionRule[];
  /**
   * Milliseconds between retention cleanups (a cleanup that finds more to
   * remove continues in further small steps without waiting).
   * @default {1000}
   */
  readonly cleanupPeriod?: number;
  /**
   * Events removed per cleanup step by rewriting chunks (and at most one
   * chunk rewritten or deleted per 256 of them), so a cleanup never holds
   * up registrations for long; a chunk whose events all go is deleted
   * whole and does not count against the events.
   * @default {1024}
   */
  readonly cleanupBatch?: number;
  /**
   * Told about failures of background work (retention cleanup, periodic
   * commits), which go on regardless.
   * @default {console.error}
   */
  readonly onError?: (error: unknown) => void;
}
