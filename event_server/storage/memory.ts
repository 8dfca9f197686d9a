/**
 * In-memory storage: events live in sorted in-memory indexes (by timestamp,
 * by source timestamp, by id per server, and per retention rule). Nothing
 * survives the process; events are "durable" as soon as they are stored,
 * so persisted subscribers are notified at once.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./memory.ts";
 * import assert from "node:assert/strict";
 *
 * await using storage = new MemoryStorage();
 * await storage.register([{
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a", "b"],
 *   timestamp: { s: 100, us: 0 },
 *   sourceTimestamp: null,
 *   payload: { kind: "json", data: 42 },
 * }]);
 * const result = storage.query({ kind: "latest", eventTypes: [["a", "*"]] });
 * assert.equal(result.events.length, 1);
 * assert.deepEqual(storage.lastEventId(1), { server: 1, session: 1, instance: 1 });
 * ```
 *
 * @module
 */

import type {
  Event,
  EventId,
  QueryParams,
  QueryResult,
  QueryServerParams,
  ServerId,
} from "../../event/types.ts";
import { StorageClosedError } from "../errors.ts";
import { CleanupLoop } from "./_cleanup_loop.ts";
import {
  checkIds,
  compareIds,
  compareTs,
  isNewer,
  sameId,
} from "./_compare.ts";
import { type CommonOptions, commonOptions, secondsAgo } from "./_options.ts";
import {
  effectiveLimit,
  EMPTY_RESULT,
  keyBounds,
  passesOtherBounds,
  planTimeseries,
  queryLatest,
  type TimeseriesPlan,
  toResult,
  within,
} from "./_query.ts";
import { type Cursor, SortedList } from "./_sorted_list.ts";
import { type TypeFilter, TypeRegistry } from "./_type_registry.ts";
import type { RetentionRule, Storage, StorageOptions } from "./storage.ts";

interface Rec {
  readonly e: Event;
  /** Type id. */
  readonly t: number;
}

interface RuleState {
  readonly rule: RetentionRule;
  readonly filter: TypeFilter;
  readonly list: SortedList<Rec>;
}

function byTimestamp(a: Rec, b: Rec): number {
  return compareTs(a.e.timestamp, b.e.timestamp) || compareIds(a.e.id, b.e.id);
}

function bySource(a: Rec, b: Rec): number {
  return compareTs(a.e.sourceTimestamp!, b.e.sourceTimestamp!) ||
    compareIds(a.e.id, b.e.id);
}

function byId(a: Rec, b: Rec): number {
  return compareIds(a.e.id, b.e.id);
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Storage in memory. See the module doc.
 */
export class MemoryStorage implements Storage {
  #options: CommonOptions;
  #registry = new TypeRegistry();
  #byTs = new SortedList<Rec>(byTimestamp);
  #bySrc = new SortedList<Rec>(bySource);
  #byServer = new Map<ServerId, SortedList<Rec>>();
  #last = new Map<ServerId, EventId>();
  #latest: (Event | undefined)[] = [];
  #rules: RuleState[];
  #cleanup: CleanupLoop | null = null;
  #open = true;

  /**
   * Creates an empty storage.
   *
   * @param options Limits and retention.
   * @throws {TypeError | RangeError} For invalid options.
   */
  constructor(options: StorageOptions = {}) {
    this.#options = commonOptions(options);
    this.#rules = this.#options.retention.map((rule) => ({
      rule,
      filter: this.#registry.filter(rule.eventTypes),
      list: new SortedList<Rec>(byTimestamp),
    }));
    if (this.#rules.length > 0) {
      this.#cleanup = new CleanupLoop(
        this.#options.cleanupPeriod,
        () => this.cleanup(),
        this.#options.onError,
      );
    }
  }

  /** Whether the storage is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Number of events stored. */
  get size(): number {
    return this.#byTs.size;
  }

  /**
   * The highest id ever registered for `serverId`.
   *
   * @param serverId The server.
   * @returns Its highest id, `{server, session: 0, instance: 0}` if none.
   */
  lastEventId(serverId: ServerId): EventId {
    return this.#last.get(serverId) ??
      { server: serverId, session: 0, instance: 0 };
  }

  /**
   * Stores events; they are durable at once.
   *
   * @param events The events, ids increasing per server.
   * @returns A resolved promise.
   */
  register(events: readonly Event[]): Promise<void> {
    if (!this.#open) throw new StorageClosedError();
    checkIds(events, this.#last);
    const registry = this.#registry;
    const rules = this.#rules;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const t = registry.intern(e.type);
      const rec: Rec = { e, t };
      this.#byTs.insert(rec);
      if (e.sourceTimestamp !== null) this.#bySrc.insert(rec);
      let list = this.#byServer.get(e.id.server);
      if (list === undefined) {
        list = new SortedList<Rec>(byId);
        this.#byServer.set(e.id.server, list);
      }
      list.insert(rec);
      this.#last.set(e.id.server, e.id);
      const latest = this.#latest[t];
      if (latest === undefined || isNewer(e, latest)) this.#latest[t] = e;
      for (let r = 0; r < rules.length; r++) {
        const filter = rules[r].filter;
        if (filter === null || filter(t)) rules[r].list.insert(rec);
      }
    }
    return RESOLVED;
  }

  /**
   * Answers a query.
   *
   * @param params The query.
   * @returns The result.
   */
  query(params: QueryParams): QueryResult {
    if (!this.#open) throw new StorageClosedError();
    switch (params.kind) {
      case "latest":
        return queryLatest(params, this.#registry, (t) => this.#latest[t]);
      case "timeseries":
        return this.#timeseries(
          planTimeseries(params, this.#registry, this.#options.maxResults),
        );
      case "server":
        return this.#server(params);
      default:
        throw new TypeError(
          `Unknown query kind ${(params as { kind: unknown }).kind}`,
        );
    }
  }

  /**
   * Nothing to commit in memory.
   *
   * @returns A resolved promise.
   */
  flush(): Promise<void> {
    return RESOLVED;
  }

  /**
   * Stops the retention cleanup; the storage can no longer be used.
   *
   * @returns Resolves at once.
   */
  close(): Promise<void> {
    this.#open = false;
    this.#cleanup?.stop();
    return RESOLVED;
  }

  /** Same as {@linkcode MemoryStorage.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * One retention step: removes at most `cleanupBatch` events that a rule
   * says must go. Runs periodically by itself; exposed for tests.
   *
   * @returns Whether more remain to be removed.
   */
  cleanup(): boolean {
    let budget = this.#options.cleanupBatch;
    for (const state of this.#rules) {
      const { rule, list } = state;
      if (rule.maxAge !== null && rule.maxAge !== undefined) {
        const cutoff = secondsAgo(rule.maxAge);
        for (let r = list.first(); r !== undefined; r = list.first()) {
          if (budget === 0) return true;
          if (compareTs(r.e.timestamp, cutoff) >= 0) break;
          this.#remove(r);
          budget--;
        }
      }
      if (rule.maxEntries !== null && rule.maxEntries !== undefined) {
        while (list.size > rule.maxEntries) {
          if (budget === 0) return true;
          this.#remove(list.first()!);
          budget--;
        }
      }
    }
    return false;
  }

  #remove(rec: Rec): void {
    this.#byTs.delete(rec);
    if (rec.e.sourceTimestamp !== null) this.#bySrc.delete(rec);
    this.#byServer.get(rec.e.id.server)?.delete(rec);
    for (const { filter, list } of this.#rules) {
      if (filter === null || filter(rec.t)) list.delete(rec);
    }
  }

  #find(id: EventId): Rec | undefined {
    return this.#byServer.get(id.server)?.find(
      (r) => compareIds(r.e.id, id) < 0,
      (r) => sameId(r.e.id, id),
    );
  }

  #timeseries(plan: TimeseriesPlan): QueryResult {
    const want = plan.limit + 1;
    if (want <= 0) return EMPTY_RESULT;
    const list = plan.bySource ? this.#bySrc : this.#byTs;
    const cmp = plan.bySource ? bySource : byTimestamp;
    const keyOf = plan.bySource
      ? (r: Rec) => r.e.sourceTimestamp!
      : (r: Rec) => r.e.timestamp;
    const [from, to] = keyBounds(plan);
    let cursor: Cursor;
    if (plan.lastEventId !== null) {
      const last = this.#find(plan.lastEventId);
      if (last === undefined) return EMPTY_RESULT;
      const key = plan.bySource ? last.e.sourceTimestamp : last.e.timestamp;
      if (key === null || !within(key, from, to)) return EMPTY_RESULT;
      cursor = plan.descending
        ? list.lowerBound((r) => cmp(r, last) < 0)
        : list.lowerBound((r) => cmp(r, last) <= 0);
    } else if (plan.descending) {
      cursor = to === null
        ? list.end()
        : list.lowerBound((r) => compareTs(keyOf(r), to) <= 0);
    } else {
      cursor = from === null
        ? { bucket: 0, index: 0 }
        : list.lowerBound((r) => compareTs(keyOf(r), from) < 0);
    }
    const found: Event[] = [];
    const types = plan.types;
    const visit = (r: Rec): boolean => {
      const key = keyOf(r);
      if (plan.descending) {
        if (from !== null && compareTs(key, from) < 0) return false;
      } else if (to !== null && compareTs(key, to) > 0) return false;
      if (types !== null && !types(r.t)) return true;
      if (!passesOtherBounds(plan, r.e.timestamp, r.e.sourceTimestamp)) {
        return true;
      }
      found.push(r.e);
      return found.length < want;
    };
    if (plan.descending) list.backward(cursor, visit);
    else list.forward(cursor, visit);
    return toResult(found, plan.limit);
  }

  #server(params: QueryServerParams): QueryResult {
    const last = params.lastEventId ?? null;
    if (last !== null && last.server !== params.serverId) {
      throw new RangeError(
        `lastEventId belongs to server ${last.server}, not ${params.serverId}`,
      );
    }
    const limit = effectiveLimit(params.maxResults, this.#options.maxResults);
    const want = limit + 1;
    const list = this.#byServer.get(params.serverId);
    if (want <= 0 || list === undefined) return EMPTY_RESULT;
    const cursor = last === null
      ? { bucket: 0, index: 0 }
      : list.lowerBound((r) => compareIds(r.e.id, last) <= 0);
    const found: Event[] = [];
    list.forward(cursor, (r) => {
      found.push(r.e);
      return found.length < want;
    });
    return toResult(found, limit);
  }
}
