/**
 * The errors of the standalone Event Server: storage failures, use of a
 * closed storage, bad configuration, and a server that cannot start.
 *
 * @module
 */

/**
 * A storage could not do what was asked: the database could not be opened
 * or written, or its content is not what this version understands.
 *
 * @example
 * ```ts
 * import { StorageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new StorageError("Cannot open data/events.db", {
 *   cause: new Error("disk full"),
 * });
 * assert.equal(err.name, "StorageError");
 * assert.equal((err.cause as Error).message, "disk full");
 * ```
 */
export class StorageError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageError";
  }
}

/**
 * The storage was closed: registrations waiting to be committed and calls
 * made after `close()` fail with it.
 *
 * @example
 * ```ts
 * import { StorageClosedError, StorageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new StorageClosedError();
 * assert.ok(err instanceof StorageError);
 * assert.equal(err.name, "StorageClosedError");
 * ```
 */
export class StorageClosedError extends StorageError {
  /**
   * Creates the error.
   *
   * @param message What was attempted.
   * @param options Standard error options (`cause`).
   */
  constructor(message = "Storage is closed", options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageClosedError";
  }
}

/**
 * A configuration value (command-line flag, config file entry or option)
 * is missing or invalid. `key` names it as the user wrote it.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new ConfigError("serverId", "expected an integer, got \"x\"");
 * assert.equal(err.name, "ConfigError");
 * assert.equal(err.message, "Invalid serverId: expected an integer, got \"x\"");
 * ```
 */
export class ConfigError extends Error {
  /** The configuration key that is wrong. */
  readonly key: string;

  /**
   * Creates the error.
   *
   * @param key The configuration key that is wrong.
   * @param problem What is wrong with it.
   * @param options Standard error options (`cause`).
   */
  constructor(key: string, problem: string, options?: ErrorOptions) {
    super(`Invalid ${key}: ${problem}`, options);
    this.name = "ConfigError";
    this.key = key;
  }
}

/**
 * The Event Server could not start: its storage could not be opened, its
 * TLS files could not be read, or its address could not be listened on.
 *
 * @example
 * ```ts
 * import { StartError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new StartError("Cannot listen on 127.0.0.1:23012");
 * assert.equal(err.name, "StartError");
 * ```
 */
export class StartError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StartError";
  }
}
