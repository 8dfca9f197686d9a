/**
 * The errors of the SBS codec. Every failure of the schema parser, the
 * repository, the encoder or the decoder is an {@linkcode SbsError}.
 *
 * @module
 */

/**
 * Base class of every error raised by the SBS codec.
 *
 * @example Catching any codec failure
 * ```ts
 * import { SbsError } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const err = new SbsError("bad");
 * assert.ok(err instanceof Error);
 * assert.equal(err.name, "SbsError");
 * ```
 */
export class SbsError extends Error {
  /**
   * Creates an SBS error.
   *
   * @param message What went wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SbsError";
  }
}

/**
 * A schema text that does not parse, or a repository whose references do not
 * resolve (unknown module or type, wrong number of type arguments).
 *
 * @example
 * ```ts
 * import { SbsSchemaError } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const err = new SbsSchemaError("expected '='", { source: "a.sbs", line: 3, column: 7 });
 * assert.equal(err.line, 3);
 * assert.match(err.message, /a\.sbs:3:7/);
 * ```
 */
export class SbsSchemaError extends SbsError {
  /** File name or module name where the error is, when known. */
  readonly source: string | undefined;
  /** One-based line of the error, when known. */
  readonly line: number | undefined;
  /** One-based column of the error, when known. */
  readonly column: number | undefined;

  /**
   * Creates a schema error.
   *
   * @param message What was wrong or expected.
   * @param where Where in which source it was found.
   */
  constructor(
    message: string,
    where: {
      source?: string;
      line?: number;
      column?: number;
      cause?: unknown;
    } = {},
  ) {
    const loc = where.source === undefined
      ? ""
      : where.line === undefined
      ? `${where.source}: `
      : `${where.source}:${where.line}:${where.column ?? 1}: `;
    super(loc + message, { cause: where.cause });
    this.name = "SbsSchemaError";
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}

/**
 * A value that does not fit the schema type it is encoded as. The message
 * names the path of the offending field, e.g.
 * `HatEventer.Event.id.session: expected Integer, got string`.
 *
 * @example
 * ```ts
 * import { SbsEncodeError } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const err = new SbsEncodeError("A.B.x", "expected Integer, got string");
 * assert.equal(err.path, "A.B.x");
 * assert.equal(err.message, "A.B.x: expected Integer, got string");
 * ```
 */
export class SbsEncodeError extends SbsError {
  /** Dotted path of the offending value, starting with `Module.Type`. */
  readonly path: string;

  /**
   * Creates an encode error.
   *
   * @param path Dotted path of the offending value.
   * @param problem What was wrong with it.
   */
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "SbsEncodeError";
    this.path = path;
  }
}

/** Why a decode failed: the kinds of malformed input. */
export type SbsDecodeReason =
  | "truncated"
  | "length"
  | "choice"
  | "utf8"
  | "trailing"
  | "limit";

/**
 * Bytes that are not a well-formed encoding of the requested type: truncated,
 * a length or count beyond the remaining bytes, an unknown choice index,
 * invalid UTF-8, trailing bytes, or a configured limit exceeded.
 *
 * @example
 * ```ts
 * import { SbsDecodeError } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const err = new SbsDecodeError("truncated", "HatEventer.Event.id", 17, "input ends inside Integer");
 * assert.equal(err.offset, 17);
 * assert.match(err.message, /HatEventer\.Event\.id at byte 17/);
 * ```
 */
export class SbsDecodeError extends SbsError {
  /** Kind of malformation. */
  readonly reason: SbsDecodeReason;
  /** Dotted type path of the value being decoded. */
  readonly path: string;
  /** Byte offset in the input where the problem was found. */
  readonly offset: number;

  /**
   * Creates a decode error.
   *
   * @param reason Kind of malformation.
   * @param path Dotted type path of the value being decoded.
   * @param offset Byte offset of the problem.
   * @param problem What was wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(
    reason: SbsDecodeReason,
    path: string,
    offset: number,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot decode ${path} at byte ${offset}: ${problem}`, options);
    this.name = "SbsDecodeError";
    this.reason = reason;
    this.path = path;
    this.offset = offset;
  }
}
