/**
 * The errors of the event model. Converting a received SBS value that does
 * not have the shape of its `HatEventer` type raises {@linkcode
 * EventSbsError}; a JSON payload whose text does not parse (or a JSON
 * payload that cannot be written as JSON text) raises {@linkcode
 * EventPayloadError}. Both are `TypeError`s, so code that treats bad input
 * as a type error keeps working.
 *
 * @module
 */

/**
 * An SBS value that does not have the shape of the `HatEventer` type it is
 * converted from (a missing record entry, a wrong choice name, an integer
 * out of range, ...).
 *
 * @example
 * ```ts
 * import { EventSbsError } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const err = new EventSbsError("HatEventer.EventId", "session", "expected an integer, got string");
 * assert.ok(err instanceof TypeError);
 * assert.equal(err.name, "EventSbsError");
 * assert.equal(err.path, "session");
 * assert.match(err.message, /HatEventer\.EventId at session: expected an integer/);
 * ```
 */
export class EventSbsError extends TypeError {
  /** The `HatEventer` type that was converted. */
  readonly sbsType: string;
  /** Where in the value the problem is (dotted path; empty for the root). */
  readonly path: string;
  /** What was wrong, without the location. */
  readonly problem: string;

  /**
   * Creates the error.
   *
   * @param sbsType The `HatEventer` type that was converted.
   * @param path Where in the value the problem is.
   * @param problem What was wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(
    sbsType: string,
    path: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(
      `Invalid ${sbsType}${path === "" ? "" : ` at ${path}`}: ${problem}`,
      options,
    );
    this.name = "EventSbsError";
    this.sbsType = sbsType;
    this.path = path;
    this.problem = problem;
  }
}

/**
 * A JSON payload whose text is not valid JSON (received), or whose value
 * cannot be written as JSON text (sent: `undefined`, a `bigint`, a cycle).
 * The original error is the `cause`.
 *
 * @example
 * ```ts
 * import { EventPayloadError, EventSbsError } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const err = new EventPayloadError("HatEventer.EventPayload", "json", "invalid JSON text");
 * assert.ok(err instanceof EventSbsError);
 * assert.equal(err.name, "EventPayloadError");
 * ```
 */
export class EventPayloadError extends EventSbsError {
  /**
   * Creates the error.
   *
   * @param sbsType The `HatEventer` type that was converted.
   * @param path Where in the value the payload is.
   * @param problem What was wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(
    sbsType: string,
    path: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(sbsType, path, problem, options);
    this.name = "EventPayloadError";
  }
}
