/**
 * The errors of engine modules: one that cannot be loaded or created, and
 * one that failed a session. Each names the module as its configuration
 * entry wrote it, and carries what the module threw as `cause`.
 *
 * @module
 */

/** Which call of a module failed. */
export type ModuleCall =
  | "import"
  | "create"
  | "onSessionStart"
  | "process"
  | "onSessionStop"
  | "close";

/**
 * Something an engine module did (or failed to do).
 *
 * @example
 * ```ts
 * import { ModuleError } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * const err = new ModuleError("./alarms.ts", 0, "process", "boom");
 * assert.equal(err.name, "ModuleError");
 * assert.equal(err.message, "Module ./alarms.ts (0) failed in process: boom");
 * ```
 */
export class ModuleError extends Error {
  /** The module, as its configuration entry names it (`module`). */
  readonly module: string;
  /** Its index in the configuration (its source id). */
  readonly index: number;
  /** Which call failed. */
  readonly call: ModuleCall;

  /**
   * Creates the error.
   *
   * @param module The module's `module` entry.
   * @param index Its index in the configuration.
   * @param call Which call failed.
   * @param problem What went wrong.
   * @param options Standard error options (`cause`: what the module threw).
   */
  constructor(
    module: string,
    index: number,
    call: ModuleCall,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`Module ${module} (${index}) failed in ${call}: ${problem}`, options);
    this.name = "ModuleError";
    this.module = module;
    this.index = index;
    this.call = call;
  }
}

/**
 * A module could not be imported, or does not export an `info` with a
 * `create` function. The server does not start.
 *
 * @example
 * ```ts
 * import { ModuleError, ModuleLoadError } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * const err = new ModuleLoadError("./x.ts", 1, "module not found");
 * assert.ok(err instanceof ModuleError);
 * assert.equal(err.message, "Module ./x.ts (1) failed in import: module not found");
 * ```
 */
export class ModuleLoadError extends ModuleError {
  /**
   * Creates the error.
   *
   * @param module The module's `module` entry.
   * @param index Its index in the configuration.
   * @param problem What went wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(
    module: string,
    index: number,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(module, index, "import", problem, options);
    this.name = "ModuleLoadError";
  }
}

/**
 * A module's `create` threw, returned something that is not a module, or
 * did not settle within `moduleTimeout`. The engine does not start (a
 * server does not start, or does not become active).
 *
 * @example
 * ```ts
 * import { ModuleCreateError } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * const err = new ModuleCreateError("./x.ts", 0, "missing 'limit'", {
 *   cause: new Error("missing 'limit'"),
 * });
 * assert.equal(err.call, "create");
 * assert.match(err.message, /missing 'limit'/);
 * ```
 */
export class ModuleCreateError extends ModuleError {
  /**
   * Creates the error.
   *
   * @param module The module's `module` entry.
   * @param index Its index in the configuration.
   * @param problem What went wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(
    module: string,
    index: number,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(module, index, "create", problem, options);
    this.name = "ModuleCreateError";
  }
}

/**
 * A module failed a session: a call threw, did not settle within
 * `moduleTimeout`, or returned something that is not register events.
 * Nothing of the session was stored or notified; the client that sent it
 * was answered `failure`.
 *
 * @example
 * ```ts
 * import { ModuleSessionError } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * const err = new ModuleSessionError("./x.ts", 0, "process", 7, "boom");
 * assert.equal(err.session, 7);
 * assert.equal(err.message, "Module ./x.ts (0) failed in process: boom (session 7)");
 * ```
 */
export class ModuleSessionError extends ModuleError {
  /** The session that failed. */
  readonly session: number;

  /**
   * Creates the error.
   *
   * @param module The module's `module` entry.
   * @param index Its index in the configuration.
   * @param call Which call failed.
   * @param session The session that failed.
   * @param problem What went wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(
    module: string,
    index: number,
    call: ModuleCall,
    session: number,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(module, index, call, `${problem} (session ${session})`, options);
    this.name = "ModuleSessionError";
    this.session = session;
  }
}

/**
 * A module's call did not settle within `moduleTimeout` (the `cause` of a
 * {@linkcode ModuleSessionError} or {@linkcode ModuleCreateError}).
 *
 * @example
 * ```ts
 * import { ModuleTimeoutError } from "@hat/eventer/modules";
 * import assert from "node:assert/strict";
 *
 * const err = new ModuleTimeoutError(5);
 * assert.equal(err.message, "did not settle within 5 s (moduleTimeout)");
 * ```
 */
export class ModuleTimeoutError extends Error {
  /**
   * Creates the error.
   *
   * @param seconds The timeout.
   */
  constructor(seconds: number) {
    super(`did not settle within ${seconds} s (moduleTimeout)`);
    this.name = "ModuleTimeoutError";
  }
}
