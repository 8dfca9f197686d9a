/**
 * The modules of a running engine: created in configuration order from
 * their `info.create`, their subscriptions read once, matched against
 * event types, and closed when the engine stops.
 *
 * Matching is the only per-event cost modules add to a session: one walk
 * of the union of all subscriptions per event type (a type that no module
 * subscribes to stops there), remembered for consecutive events of the
 * same type array (the decoder shares one array between equal types of a
 * message).
 *
 * @example
 * ```ts
 * import { ModuleSet } from "./module_set.ts";
 * import assert from "node:assert/strict";
 *
 * const info = { create: () => ({ subscription: [["a", "*"]], process() {} }) };
 * const engine = {
 *   serverId: 1,
 *   register: () => Promise.resolve(null),
 *   query: () => Promise.resolve({ events: [], moreFollows: false }),
 *   clientNames: () => [],
 * };
 * const set = await ModuleSet.create(
 *   [{ index: 0, conf: { module: "a.ts" }, name: "a.ts", info }],
 *   engine,
 *   { timeout: 5 },
 * );
 * assert.deepEqual(set.match(["a", "b"]), [0]);
 * assert.deepEqual(set.match(["b"]), []);
 * await set.close();
 * ```
 *
 * @module
 */

import { type EventType, Subscription } from "../../event/mod.ts";
import {
  type ModuleCall,
  ModuleCreateError,
  ModuleError,
  ModuleSessionError,
  ModuleTimeoutError,
} from "./errors.ts";
import type { LoadedModule } from "./loader.ts";
import type { Module, ModuleEngine, Source } from "./types.ts";

/** Options of {@linkcode ModuleSet.create}. */
export interface ModuleSetOptions {
  /** Seconds each call (`create` and `close` too) may take to settle. */
  readonly timeout: number;
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * Whether a module call returned a promise (any thenable) to wait for.
 *
 * @param v What it returned.
 * @returns Whether it is a thenable.
 */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as PromiseLike<unknown>).then === "function";
}

/**
 * Waits for `value` at most `seconds`; a value that is no promise is
 * given back as it is.
 *
 * @param value What a module call returned.
 * @param seconds The timeout.
 * @returns It, once settled.
 * @throws {ModuleTimeoutError} When it does not settle in time.
 */
export function settleWithin<T>(
  value: T | PromiseLike<T>,
  seconds: number,
): Promise<T> {
  if (!isPromiseLike(value)) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ModuleTimeoutError(seconds)),
      seconds * 1000,
    );
    value.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function message(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

/** The subscription of a module: query types or a Subscription (of any copy of this package). */
function subscriptionOf(module: Module): Subscription {
  const s: unknown = module.subscription;
  if (s instanceof Subscription) return s;
  if (Array.isArray(s)) return new Subscription(s);
  if (
    typeof s === "object" && s !== null &&
    typeof (s as Subscription).queryTypes === "function"
  ) {
    return new Subscription((s as Subscription).queryTypes());
  }
  throw new TypeError(
    `its subscription must be an array of query types or a Subscription, ` +
      `got ${describe(s)}`,
  );
}

function checkModule(module: unknown): asserts module is Module {
  if (typeof module !== "object" || module === null) {
    throw new TypeError(
      `create must return a module object, got ${describe(module)}`,
    );
  }
  const m = module as Record<string, unknown>;
  if (typeof m.process !== "function") {
    throw new TypeError(`the module has no process function`);
  }
  for (const hook of ["onSessionStart", "onSessionStop", "close"]) {
    if (m[hook] !== undefined && typeof m[hook] !== "function") {
      throw new TypeError(`its ${hook} must be a function, got ${m[hook]}`);
    }
  }
}

/** The created modules of an engine, in configuration order. */
export class ModuleSet {
  readonly #modules: Module[];
  readonly #loaded: readonly LoadedModule[];
  readonly #subscriptions: Subscription[];
  readonly #any: Subscription;
  readonly #sources: readonly Source[];
  /** Whether some module has `onSessionStart`. */
  readonly hasStart: boolean;
  /** Whether some module has `onSessionStop`. */
  readonly hasStop: boolean;
  readonly #timeout: number;
  #lastType: EventType | null = null;
  #lastMatch: readonly number[] = NONE;
  #byKey: (readonly number[] | undefined)[] = [];
  #keyGeneration = NaN;

  private constructor(
    loaded: readonly LoadedModule[],
    modules: Module[],
    subscriptions: Subscription[],
    timeout: number,
  ) {
    this.#loaded = loaded;
    this.#modules = modules;
    this.#subscriptions = subscriptions;
    this.#sources = loaded.map((l) =>
      Object.freeze({ type: "module" as const, id: l.index })
    );
    this.#any = subscriptions.length === 0
      ? new Subscription([])
      : subscriptions[0].union(...subscriptions.slice(1));
    this.hasStart = modules.some((m) => m.onSessionStart !== undefined);
    this.hasStop = modules.some((m) => m.onSessionStop !== undefined);
    this.#timeout = timeout;
  }

  /**
   * Creates the modules in configuration order, each with its entry, the
   * engine and its source `{ type: "module", id: index }`.
   *
   * @param loaded The imported modules.
   * @param engine The engine the modules get.
   * @param options The timeout of each `create`.
   * @returns The created modules.
   * @throws {ModuleCreateError} For the first module whose `create` throws,
   * does not settle in time or returns no module (the ones created before
   * it are closed).
   */
  static async create(
    loaded: readonly LoadedModule[],
    engine: ModuleEngine,
    options: ModuleSetOptions,
  ): Promise<ModuleSet> {
    const modules: Module[] = [];
    const subscriptions: Subscription[] = [];
    for (const l of loaded) {
      const source: Source = Object.freeze({ type: "module", id: l.index });
      try {
        const module = await settleWithin(
          l.info.create(l.conf, engine, source),
          options.timeout,
        );
        checkModule(module);
        subscriptions.push(subscriptionOf(module));
        modules.push(module);
      } catch (cause) {
        // What was created before it is let go of again.
        await new ModuleSet(loaded, modules, subscriptions, options.timeout)
          .close();
        throw new ModuleCreateError(l.name, l.index, message(cause), {
          cause,
        });
      }
    }
    return new ModuleSet(loaded, modules, subscriptions, options.timeout);
  }

  /** Number of modules. */
  get size(): number {
    return this.#modules.length;
  }

  /**
   * The module at a position (its index in the configuration).
   *
   * @param position The position.
   * @returns The module.
   */
  module(position: number): Module {
    return this.#modules[position];
  }

  /**
   * The source of the module at a position.
   *
   * @param position The position.
   * @returns Its source.
   */
  source(position: number): Source {
    return this.#sources[position];
  }

  /**
   * The positions of the modules whose subscription matches `type`, in
   * configuration order (a shared empty array for none).
   *
   * @param type The event type.
   * @returns The positions.
   */
  match(type: EventType): readonly number[] {
    if (type === this.#lastType) return this.#lastMatch;
    let found = NONE;
    if (this.#any.matches(type)) {
      const subs = this.#subscriptions;
      const list: number[] = [];
      for (let m = 0; m < subs.length; m++) {
        if (subs[m].matches(type)) list.push(m);
      }
      found = list;
    }
    this.#lastType = type;
    this.#lastMatch = found;
    return found;
  }

  /**
   * The positions of the modules whose subscription matches the type
   * known by `key` (a small integer such as an interned type id), matched
   * once per key: later calls with the same key and `generation` only
   * look the answer up. A new `generation` (the keys were given to other
   * types) forgets what was matched.
   *
   * @param key The type's key (a non-negative integer).
   * @param generation The generation of the keys.
   * @param types Gives the type of event `i`, when it has to be matched.
   * @param i The event.
   * @returns The positions.
   */
  matchKey(
    key: number,
    generation: number,
    types: { type(i: number): EventType },
    i: number,
  ): readonly number[] {
    if (generation !== this.#keyGeneration) {
      this.#byKey = [];
      this.#keyGeneration = generation;
    }
    let found = this.#byKey[key];
    if (found === undefined) {
      found = this.match(types.type(i));
      this.#byKey[key] = found;
    }
    return found;
  }

  /**
   * The error of a session that the module at `position` failed.
   *
   * @param position The module's position.
   * @param call Which call failed.
   * @param session The session.
   * @param cause What it threw (or the timeout).
   * @returns The error.
   */
  sessionError(
    position: number,
    call: ModuleCall,
    session: number,
    cause: unknown,
  ): ModuleSessionError {
    const l = this.#loaded[position];
    return new ModuleSessionError(
      l.name,
      l.index,
      call,
      session,
      message(cause),
      { cause },
    );
  }

  /**
   * Closes every module that has `close`, in configuration order, each
   * within the timeout; a failure does not keep the others open.
   *
   * @returns The failures, one error per module that failed.
   */
  async close(): Promise<ModuleError[]> {
    const errors: ModuleError[] = [];
    for (let m = 0; m < this.#modules.length; m++) {
      const module = this.#modules[m];
      if (module.close === undefined) continue;
      try {
        await settleWithin(module.close(), this.#timeout);
      } catch (cause) {
        const l = this.#loaded[m];
        errors.push(
          new ModuleError(l.name, l.index, "close", message(cause), { cause }),
        );
      }
    }
    return errors;
  }
}
