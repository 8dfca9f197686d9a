// Parsing of command-line values: event and query types, timestamps, event
// ids, addresses, JSON.

import {
  type EventId,
  type EventType,
  type JsonValue,
  now,
  type QueryType,
  type Timestamp,
  validateQueryType,
} from "../../event/mod.ts";
import { parseAddressText } from "../config.ts";
import { CliError, EXIT } from "./_errors.ts";
import { parseTimestampText, TimestampTextError } from "./_timestamp_text.ts";

function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

function segments(text: string, what: string): string[] {
  if (text.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new CliError(
        `Invalid ${what} ${text}: not a JSON array (${
          (cause as Error).message
        })`,
        EXIT.usage,
        { cause },
      );
    }
    if (!Array.isArray(value) || value.some((s) => typeof s !== "string")) {
      throw usage(`Invalid ${what} ${text}: expected a JSON array of strings`);
    }
    return value;
  }
  return text === "" ? [] : text.split("/");
}

/**
 * An event type written `a/b/c` (or as a JSON array of strings, for
 * segments holding `/`; `""` is the empty type).
 *
 * @throws {CliError} (usage) When a segment is the wildcard `*` or `?`.
 */
export function parseEventType(text: string): EventType {
  const type = segments(text, "event type");
  for (const seg of type) {
    if (seg === "*" || seg === "?") {
      throw usage(
        `Invalid event type ${text}: "${seg}" is a query wildcard, ` +
          `not allowed in an event type`,
      );
    }
  }
  return type;
}

/**
 * A query type written `a/?/*` (or as a JSON array of strings).
 *
 * @throws {CliError} (usage) When `*` is not the last segment.
 */
export function parseQueryType(text: string): QueryType {
  const type = segments(text, "query type");
  try {
    return validateQueryType(type);
  } catch (cause) {
    throw new CliError(
      `Invalid query type ${text}: "*" may only be the last segment`,
      EXIT.usage,
      { cause },
    );
  }
}

/**
 * A timestamp: `now`, seconds since the epoch (fractions allowed), or an
 * ISO 8601 date (`2026-11-25T10:00:00Z`).
 *
 * @throws {CliError} (usage) For anything else.
 */
export function parseTimestamp(text: string, what: string): Timestamp {
  if (text === "now") return now();
  try {
    return parseTimestampText(text);
  } catch (cause) {
    if (!(cause instanceof TimestampTextError)) throw cause;
    const why = cause.kind === "range"
      ? cause.message
      : `${cause.message}: expected "now", seconds since 1970 or an ISO 8601 date`;
    throw new CliError(`Invalid ${what} ${text}: ${why}`, EXIT.usage, {
      cause,
    });
  }
}

/**
 * An event id written `server/session/instance`.
 *
 * @throws {CliError} (usage) For anything else.
 */
export function parseEventId(text: string, what: string): EventId {
  const parts = text.split("/");
  const nums = parts.map(Number);
  if (
    parts.length !== 3 || parts.some((p) => p.trim() === "") ||
    !nums.every(Number.isSafeInteger)
  ) {
    throw usage(
      `Invalid ${what} ${text}: expected server/session/instance, e.g. 1/5/2`,
    );
  }
  return { server: nums[0], session: nums[1], instance: nums[2] };
}

/**
 * JSON text as a value.
 *
 * @throws {CliError} (usage) When it does not parse, saying where, or holds
 * a number beyond a 64-bit float.
 */
export function parseJson(text: string, what: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CliError(
      `Invalid JSON in ${what}: ${(cause as Error).message}`,
      EXIT.usage,
      { cause },
    );
  }
  // JSON.parse reads 1e400 as Infinity, which would be sent as null.
  if (!allFinite(value)) {
    throw usage(
      `Invalid JSON in ${what}: a number is too large for a 64-bit float`,
    );
  }
  return value;
}

// Iterative: JSON.parse accepts nesting deeper than the call stack.
function allFinite(value: JsonValue): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "number" && !Number.isFinite(v)) return false;
    if (typeof v === "object" && v !== null) {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return true;
}

/**
 * `host:port`, `:port` or `port` (host 127.0.0.1); `[v6]:port` for IPv6.
 *
 * @throws {CliError} (usage) For anything else.
 */
export function parseAddress(
  text: string,
  what: string,
): { hostname: string; port: number } {
  try {
    return parseAddressText(what, text);
  } catch (cause) {
    throw new CliError((cause as Error).message, EXIT.usage, { cause });
  }
}
