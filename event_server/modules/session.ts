/**
 * One session through the modules, with the reference engine's order
 * (Python `Engine._process_sessions`): `onSessionStart` of each module in
 * configuration order; then rounds: in each, every module in configuration
 * order processes the round's events its subscription matches, in session
 * order, and what they return joins the session as the next round's
 * events, until a round adds nothing; then `onSessionStop` of each module.
 *
 * The session runs synchronously as long as every call returns a plain
 * value, and continues asynchronously from the first call that returns a
 * promise (each awaited at most `timeout` seconds). A call that throws, a
 * promise that rejects or does not settle, or a result that is not
 * register events fails the session with a {@linkcode ModuleSessionError};
 * `onSessionStop` is still called for every module whose
 * `onSessionStart` was reached.
 *
 * The session's events are held by the engine behind the narrow
 * {@linkcode SessionEvents} interface: the runner reads their types, asks
 * for an event object only when a module processes it, and appends what
 * modules return.
 *
 * @module
 */

import type { Event, EventType, RegisterEvent } from "../../event/mod.ts";
import type { ModuleSessionError } from "./errors.ts";
import { isPromiseLike, type ModuleSet, settleWithin } from "./module_set.ts";
import type { Source } from "./types.ts";
import { sessionEvents } from "../_session_events.ts";

/**
 * The events of one session as the engine holds them.
 *
 * @example
 * ```ts
 * import { ObjectSession } from "./session.ts";
 * import assert from "node:assert/strict";
 *
 * const session = new ObjectSession(
 *   { server: 1, session: 5, timestamp: { s: 1, us: 0 } },
 *   [{ type: ["a"], sourceTimestamp: null, payload: null }],
 * );
 * session.add([{ type: ["b"], sourceTimestamp: null, payload: null }]);
 * assert.equal(session.length, 2);
 * assert.deepEqual(session.event(1).id, { server: 1, session: 5, instance: 2 });
 * ```
 */
export interface SessionEvents {
  /** The session's id. */
  readonly id: number;
  /** Events so far: the request's first, then what modules added. */
  readonly length: number;
  /**
   * The type of an event (equal types may share one array).
   *
   * @param i The event's position.
   */
  type(i: number): EventType;
  /**
   * Optional: a small integer naming the type of an event, equal for equal
   * types (an interned type id), so that each type is matched against the
   * subscriptions once, not once per event. With it, `typeKeyGeneration`.
   *
   * @param i The event's position.
   */
  typeKey?(i: number): number;
  /**
   * Optional, with `typeKey`: the keys of events `from`..`to` at once (a
   * view the session may reuse at its next call).
   *
   * @param from First event.
   * @param to End of the range.
   */
  typeKeys?(from: number, to: number): ArrayLike<number>;
  /** Changes when the keys of `typeKey` name other types. */
  readonly typeKeyGeneration?: number;
  /**
   * An event as a module sees it, built when first asked for; frozen.
   *
   * @param i The event's position.
   */
  event(i: number): Event;
  /**
   * Appends events a module returned, with the session's next instances.
   *
   * @param events The events.
   * @throws {TypeError} For an event of the wrong shape (nothing added).
   */
  add(events: readonly RegisterEvent[]): void;
}

/** Id and timestamp of a session (what {@linkcode ObjectSession} needs). */
export interface SessionStamp {
  /** This server's id. */
  readonly server: number;
  /** The session's id. */
  readonly session: number;
  /** The session's timestamp. */
  readonly timestamp: Event["timestamp"];
}

/**
 * A session held as event objects (the engine's TypeScript path): events
 * are built as they join, so `event(i)` only freezes what is there.
 */
export class ObjectSession implements SessionEvents {
  /** The events, in instance order. */
  readonly events: Event[];
  /** When the session was opened (`performance.now()`), for latencies. */
  readonly openedAt: number = performance.now();
  readonly #stamp: SessionStamp;
  readonly #check: (events: readonly RegisterEvent[]) => void;

  /**
   * Holds a session's first events.
   *
   * @param stamp Server, session and timestamp.
   * @param registerEvents The request's events (instances 1..n).
   * @param options `check`: checks the shape of events modules add.
   */
  constructor(
    stamp: SessionStamp,
    registerEvents: readonly RegisterEvent[],
    options: { check?: (events: readonly RegisterEvent[]) => void } = {},
  ) {
    this.#stamp = stamp;
    this.#check = options.check ?? (() => {});
    const { server, session, timestamp } = stamp;
    this.events = sessionEvents(registerEvents, server, session, timestamp);
  }

  /** The session's id. */
  get id(): number {
    return this.#stamp.session;
  }

  /** Events so far. */
  get length(): number {
    return this.events.length;
  }

  /**
   * The type of event `i`.
   *
   * @param i Its position.
   * @returns Its type.
   */
  type(i: number): EventType {
    return this.events[i].type;
  }

  /**
   * Event `i`, frozen with its id and type so that a module cannot change
   * what is stored (its payload is not: freezing it would cost as much as
   * building the event; modules must leave it as it is).
   *
   * @param i Its position.
   * @returns The event.
   */
  event(i: number): Event {
    const e = this.events[i];
    if (!Object.isFrozen(e)) {
      Object.freeze(e.id);
      Object.freeze(e.type);
      Object.freeze(e);
    }
    return e;
  }

  /**
   * Appends events with the next instances, after checking their shape.
   *
   * @param registerEvents The events.
   */
  add(registerEvents: readonly RegisterEvent[]): void {
    this.#check(registerEvents);
    const { server, session, timestamp } = this.#stamp;
    const events = this.events;
    for (const e of registerEvents) {
      events.push({
        id: { server, session, instance: events.length + 1 },
        type: e.type,
        timestamp,
        sourceTimestamp: e.sourceTimestamp,
        payload: e.payload,
      });
    }
  }
}

/** Options of {@linkcode runSession}. */
export interface RunOptions {
  /** Seconds each call may take to settle. */
  readonly timeout: number;
  /** Most events modules may add to one session. */
  readonly maxAdded: number;
  /**
   * Told of a failure that did not decide the session's outcome (an
   * `onSessionStop` that failed in a session that had already failed).
   */
  readonly report: (error: ModuleSessionError) => void;
}

type Steps = Generator<PromiseLike<unknown>, void, unknown>;

function outputs(value: unknown): readonly RegisterEvent[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value;
  if (
    typeof value === "object" &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === "function"
  ) {
    return Array.from(value as Iterable<RegisterEvent>);
  }
  throw new TypeError(
    `process returned ${
      typeof value === "object" ? "an object" : `${typeof value} ${value}`
    }, expected an array (or iterable) of register events, or null`,
  );
}

/** Events of a round that some module wants, and which modules want them. */
interface Hits {
  readonly events: number[];
  readonly modules: (readonly number[])[];
}

function hitsOf(
  set: ModuleSet,
  s: SessionEvents,
  from: number,
  to: number,
): Hits | null {
  let hits: Hits | null = null;
  const keyed = s.typeKey !== undefined;
  const generation = keyed ? s.typeKeyGeneration ?? 0 : 0;
  const keys = keyed && s.typeKeys !== undefined ? s.typeKeys(from, to) : null;
  for (let i = from; i < to; i++) {
    const modules = keyed
      ? set.matchKey(
        keys !== null ? keys[i - from] : s.typeKey!(i),
        generation,
        s,
        i,
      )
      : set.match(s.type(i));
    if (modules.length > 0) {
      hits ??= { events: [], modules: [] };
      hits.events.push(i);
      hits.modules.push(modules);
    }
  }
  return hits;
}

function* rounds(
  set: ModuleSet,
  s: SessionEvents,
  source: Source,
  maxAdded: number,
  firstHits: Hits | null | undefined,
): Steps {
  const first = s.length;
  const added: Source[] = [];
  let from = 0;
  let to = first;
  while (from < to) {
    const found = from === 0 && firstHits !== undefined
      ? firstHits
      : hitsOf(set, s, from, to);
    if (found === null) return;
    const hits = found.events;
    const wanted = found.modules;
    for (let m = 0; m < set.size; m++) {
      const module = set.module(m);
      for (let h = 0; h < hits.length; h++) {
        if (!wanted[h].includes(m)) continue;
        const i = hits[h];
        try {
          let out: unknown = module.process(
            i < first ? source : added[i - first],
            s.event(i),
          );
          if (isPromiseLike(out)) out = yield out;
          const events = outputs(out);
          if (events === null || events.length === 0) continue;
          if (s.length - first + events.length > maxAdded) {
            throw new RangeError(
              `the session would hold more than ${maxAdded} events from ` +
                `modules (does a module answer its own events?)`,
            );
          }
          s.add(events);
          const src = set.source(m);
          for (let k = 0; k < events.length; k++) added.push(src);
        } catch (cause) {
          throw set.sessionError(m, "process", s.id, cause);
        }
      }
    }
    from = to;
    to = s.length;
  }
}

function* steps(
  set: ModuleSet,
  s: SessionEvents,
  source: Source,
  options: RunOptions,
  firstHits: Hits | null | undefined,
): Steps {
  let failure: ModuleSessionError | null = null;
  // Modules whose onSessionStart was reached: they get onSessionStop.
  let started = set.hasStart ? 0 : set.size;
  for (; started < set.size && failure === null; started++) {
    const module = set.module(started);
    if (module.onSessionStart === undefined) continue;
    try {
      const r = module.onSessionStart(s.id);
      if (isPromiseLike(r)) yield r;
    } catch (cause) {
      failure = set.sessionError(started, "onSessionStart", s.id, cause);
    }
  }
  if (failure === null) {
    try {
      yield* rounds(set, s, source, options.maxAdded, firstHits);
    } catch (error) {
      failure = error as ModuleSessionError;
    }
  }
  if (set.hasStop) {
    for (let m = 0; m < started; m++) {
      const module = set.module(m);
      if (module.onSessionStop === undefined) continue;
      try {
        const r = module.onSessionStop(s.id);
        if (isPromiseLike(r)) yield r;
      } catch (cause) {
        const error = set.sessionError(m, "onSessionStop", s.id, cause);
        if (failure === null) failure = error;
        else options.report(error);
      }
    }
  }
  if (failure !== null) throw failure;
}

function drive(
  gen: Steps,
  timeout: number,
  step: IteratorResult<PromiseLike<unknown>, void>,
): void | Promise<void> {
  if (step.done) return;
  return settleWithin(step.value, timeout).then(
    (value) => drive(gen, timeout, gen.next(value)),
    (error) => drive(gen, timeout, gen.throw(error)),
  );
}

/**
 * Puts a session through the modules.
 *
 * @param set The modules.
 * @param session The session's events (the request's, to start with).
 * @param source Who registered the request's events.
 * @param options Timeout, limit, and where secondary failures go.
 * @returns Nothing when every call returned a plain value; else a promise
 * of the end.
 * @throws {ModuleSessionError} When a module failed the session
 * (synchronously, or as the promise's rejection).
 *
 * @example
 * ```ts
 * import { ModuleSet } from "./module_set.ts";
 * import { ObjectSession, runSession } from "./session.ts";
 * import assert from "node:assert/strict";
 *
 * const info = {
 *   create: () => ({
 *     subscription: [["in"]],
 *     process: () => [{ type: ["out"], sourceTimestamp: null, payload: null }],
 *   }),
 * };
 * const engine = {
 *   serverId: 1,
 *   register: () => Promise.resolve(null),
 *   query: () => Promise.resolve({ events: [], moreFollows: false }),
 *   clientNames: () => [],
 * };
 * const set = await ModuleSet.create(
 *   [{ index: 0, conf: { module: "m" }, name: "m", info }],
 *   engine,
 *   { timeout: 5 },
 * );
 * const session = new ObjectSession(
 *   { server: 1, session: 1, timestamp: { s: 0, us: 0 } },
 *   [{ type: ["in"], sourceTimestamp: null, payload: null }],
 * );
 * const done = runSession(set, session, { type: "eventer", id: 1 }, {
 *   timeout: 5,
 *   maxAdded: 100,
 *   report: () => {},
 * });
 * assert.equal(done, undefined); // nothing was async
 * assert.deepEqual(session.events.map((e) => e.type), [["in"], ["out"]]);
 * ```
 */
export function runSession(
  set: ModuleSet,
  session: SessionEvents,
  source: Source,
  options: RunOptions,
): void | Promise<void> {
  let firstHits: Hits | null | undefined;
  if (!set.hasStart && !set.hasStop) {
    // Most sessions: no hooks to call and no event any module wants.
    firstHits = hitsOf(set, session, 0, session.length);
    if (firstHits === null) return;
  }
  const gen = steps(set, session, source, options, firstHits);
  return drive(gen, options.timeout, gen.next());
}
