/**
 * The engine's module step: creates the configured modules when the
 * engine becomes active, puts sessions through them one at a time (Python
 * `Engine._register_loop`), and closes them when it stops.
 *
 * The engine stays the owner of its sessions' events: it hands the runner
 * a {@linkcode SessionHost} that opens a session (its id, timestamp and
 * first events), commits one (stores and notifies all of its events, and
 * gives the request's events for the response) or aborts one (nothing of
 * it is stored or notified). A session that no module makes wait runs
 * synchronously within {@linkcode ModuleRunner.submit}; while one waits
 * for a module, the next ones queue behind it, so sessions are stored in
 * the order of their ids.
 *
 * @example
 * ```ts
 * import { ModuleRunner } from "./runner.ts";
 * import { ObjectSession } from "./session.ts";
 * import type { Event } from "../../event/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const stored: Event[] = [];
 * let sessions = 0;
 * const runner = new ModuleRunner([{
 *   index: 0,
 *   conf: { module: "double" },
 *   name: "double",
 *   info: {
 *     create: () => ({
 *       subscription: [["in"]],
 *       process: () => [{ type: ["out"], sourceTimestamp: null, payload: null }],
 *     }),
 *   },
 * }], {
 *   open: (_source, events) =>
 *     new ObjectSession({ server: 1, session: ++sessions, timestamp: { s: 0, us: 0 } }, events),
 *   commit: (session, first) => {
 *     stored.push(...session.events);
 *     return session.events.slice(0, first);
 *   },
 *   abort: () => {},
 * }, { timeout: 5, maxAdded: 1000, onError: () => {} });
 * await runner.start({
 *   serverId: 1,
 *   register: () => Promise.resolve(null),
 *   query: () => Promise.resolve({ events: [], moreFollows: false }),
 *   clientNames: () => [],
 * });
 * const response = await runner.submit({ type: "eventer", id: 1 }, [
 *   { type: ["in"], sourceTimestamp: null, payload: null },
 * ]);
 * assert.deepEqual(response?.map((e) => e.type), [["in"]]);
 * assert.deepEqual(stored.map((e) => e.type), [["in"], ["out"]]);
 * await runner.stop();
 * ```
 *
 * @module
 */

import type { Event, RegisterEvent } from "../../event/mod.ts";
import type { ModuleError, ModuleSessionError } from "./errors.ts";
import type { LoadedModule } from "./loader.ts";
import { ModuleSet } from "./module_set.ts";
import { runSession, type SessionEvents } from "./session.ts";
import type { ModuleEngine, Source } from "./types.ts";

/**
 * What the runner needs of the engine's register path. `R` is a request as
 * the engine holds it (register event objects, or a batch of bytes): the
 * runner only hands it back to `open`; `O` is the answer to a request
 * (the request's events, or the response's bytes).
 */
export interface SessionHost<
  S extends SessionEvents,
  R = readonly RegisterEvent[],
  O = Event[],
> {
  /**
   * Opens a session: takes its id and timestamp and holds the request's
   * events as its first ones.
   *
   * @param source Who registers them.
   * @param request The request's events.
   * @returns The session, or `null` when the engine cannot take it (its
   * storage failed).
   */
  open(source: Source, request: R): S | null;
  /**
   * Stores and notifies all of a session's events; must not throw.
   *
   * @param session The session.
   * @param first How many of its events the request had.
   * @param late Whether the answer goes out after a wait (the session
   * waited for a module, or for the sessions before it): then it must not
   * be a view of memory that the next call may reuse.
   * @returns The request's events (the response), or `null` when they
   * could not be stored.
   */
  commit(session: S, first: number, late: boolean): O | null;
  /**
   * Lets go of a session that failed: nothing of it is stored or notified
   * (its id is not used again).
   *
   * @param session The session.
   */
  abort(session: S): void;
}

/** Options of {@linkcode ModuleRunner}. */
export interface ModuleRunnerOptions {
  /** Seconds each module call may take to settle. */
  readonly timeout: number;
  /** Most events modules may add to one session. */
  readonly maxAdded: number;
  /** Told of each module failure (a failed session, a failed close). */
  readonly onError: (error: ModuleError) => void;
}

/** Failures of one module, as {@linkcode ModuleRunner.failures} counts them. */
export interface ModuleFailures {
  /** The module's `module` entry. */
  readonly module: string;
  /** Its index in the configuration. */
  readonly index: number;
  /** Failures since the server started. */
  readonly failures: number;
}

interface Job<R, O> {
  readonly source: Source;
  readonly request: R;
  resolve: (result: O | null) => void;
}

/** The state of the modules: not created, being created, running, closing. */
export type RunnerState = "stopped" | "starting" | "active" | "stopping";

/**
 * Creates, runs and closes the configured modules of an engine, whose
 * sessions are `S`, requests `R` and answers `O`.
 */
export class ModuleRunner<
  S extends SessionEvents,
  R = readonly RegisterEvent[],
  O = Event[],
> {
  readonly #loaded: readonly LoadedModule[];
  readonly #host: SessionHost<S, R, O>;
  readonly #options: ModuleRunnerOptions;
  readonly #runOptions;
  readonly #failures: number[];
  #set: ModuleSet | null = null;
  #state: RunnerState = "stopped";
  #queue: Job<R, O>[] = [];
  #head = 0;
  #busy = false;
  #draining = false;
  /** Set when the session being processed is to be dropped. */
  #cancel: { cancelled: boolean } | null = null;
  #idle: PromiseWithResolvers<void> | null = null;

  /**
   * Prepares the runner; no module is created yet.
   *
   * @param loaded The imported modules, in configuration order.
   * @param host The engine's register path.
   * @param options Timeout, limit, failure reports.
   */
  constructor(
    loaded: readonly LoadedModule[],
    host: SessionHost<S, R, O>,
    options: ModuleRunnerOptions,
  ) {
    this.#loaded = loaded;
    this.#host = host;
    this.#options = options;
    this.#failures = loaded.map(() => 0);
    this.#runOptions = {
      timeout: options.timeout,
      maxAdded: options.maxAdded,
      report: (error: ModuleSessionError) => this.#failed(error),
    };
  }

  /** Where the modules are in their life. */
  get state(): RunnerState {
    return this.#state;
  }

  /**
   * Failures counted per module.
   *
   * @returns One entry per configured module.
   */
  failures(): ModuleFailures[] {
    return this.#loaded.map((l, i) => ({
      module: l.name,
      index: l.index,
      failures: this.#failures[i],
    }));
  }

  /**
   * Creates the modules (sessions submitted meanwhile wait), then runs
   * `first` (the engine's `STARTED`) before the waiting sessions.
   *
   * @param engine The engine the modules get.
   * @param first A session to run before all others.
   * @returns When the modules are created.
   * @throws {ModuleCreateError} When a module cannot be created (the
   * others are closed; waiting sessions fail).
   */
  async start(
    engine: ModuleEngine,
    first?: { source: Source; request: R },
  ): Promise<void> {
    if (this.#state !== "stopped") {
      throw new Error(`Cannot start modules that are ${this.#state}`);
    }
    this.#state = "starting";
    try {
      this.#set = await ModuleSet.create(this.#loaded, engine, {
        timeout: this.#options.timeout,
      });
    } catch (error) {
      this.#state = "stopped";
      this.#failQueued();
      throw error;
    }
    this.#state = "active";
    if (first !== undefined) {
      this.#queue.splice(this.#head, 0, { ...first, resolve: () => {} });
    }
    this.#drain();
  }

  /**
   * Submits a session: runs it now when no other session is being
   * processed, else after those before it.
   *
   * @param source Who registers the events.
   * @param request The events (already checked).
   * @returns The answer (`commit`'s) once stored, or `null` when the
   * session failed or the modules are not running.
   */
  submit(source: Source, request: R): O | null | Promise<O | null> {
    const state = this.#state;
    if (state === "stopped" || state === "stopping") return null;
    if (
      this.#busy || state === "starting" || this.#head < this.#queue.length
    ) {
      return new Promise<O | null>((resolve) => {
        this.#queue.push({ source, request, resolve });
      });
    }
    return this.#run(source, request, false);
  }

  /**
   * Stops: the waiting sessions fail, the one being processed is dropped
   * once its module calls end (nothing of it is stored), then the modules
   * are closed.
   *
   * @returns When the modules are closed.
   */
  async stop(): Promise<void> {
    if (this.#state !== "active") return;
    this.#state = "stopping";
    this.#failQueued();
    if (this.#cancel !== null) this.#cancel.cancelled = true;
    if (this.#busy) {
      this.#idle ??= Promise.withResolvers();
      await this.#idle.promise;
    }
    const set = this.#set!;
    this.#set = null;
    for (const error of await set.close()) this.#failed(error);
    this.#state = "stopped";
  }

  #failQueued(): void {
    const jobs = this.#queue;
    const head = this.#head;
    this.#queue = [];
    this.#head = 0;
    for (let i = head; i < jobs.length; i++) jobs[i].resolve(null);
  }

  #failed(error: ModuleError): void {
    this.#failures[error.index]++;
    try {
      this.#options.onError(error);
    } catch {
      // A failing report must not fail the engine's register path.
    }
  }

  #run(
    source: Source,
    request: R,
    queued: boolean,
  ): O | null | Promise<O | null> {
    const session = this.#host.open(source, request);
    if (session === null) return null;
    const first = session.length;
    const cancel = { cancelled: false };
    this.#busy = true;
    this.#cancel = cancel;
    let done;
    try {
      done = runSession(this.#set!, session, source, this.#runOptions);
    } catch (error) {
      return this.#finish(
        session,
        first,
        cancel,
        error as ModuleSessionError,
        queued,
      );
    }
    if (done === undefined) {
      return this.#finish(session, first, cancel, null, queued);
    }
    return done.then(
      () => this.#finish(session, first, cancel, null, true),
      (error) => this.#finish(session, first, cancel, error, true),
    );
  }

  #finish(
    session: S,
    first: number,
    cancel: { cancelled: boolean },
    error: ModuleSessionError | null,
    late: boolean,
  ): O | null {
    this.#busy = false;
    this.#cancel = null;
    let result: O | null = null;
    if (error !== null) {
      this.#host.abort(session);
      this.#failed(error);
    } else if (cancel.cancelled) {
      this.#host.abort(session);
    } else {
      result = this.#host.commit(session, first, late);
    }
    if (this.#idle !== null) {
      this.#idle.resolve();
      this.#idle = null;
    }
    this.#drain();
    return result;
  }

  /** Runs waiting sessions until one has to wait for a module. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (
        !this.#busy && this.#state === "active" &&
        this.#head < this.#queue.length
      ) {
        const job = this.#queue[this.#head];
        this.#queue[this.#head++] = undefined as unknown as Job<R, O>;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        const result = this.#run(job.source, job.request, true);
        if (result instanceof Promise) result.then(job.resolve);
        else job.resolve(result);
      }
    } finally {
      this.#draining = false;
    }
  }
}
