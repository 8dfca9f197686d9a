// Parsing of command-line values: event and query types, timestamps, event
// ids, addresses, JSON.

import {
  type EventId,
  type EventType,
  type JsonValue,
  now,
  type QueryType,
  type Timestamp,
  timestampFromDate,
  timestampFromFloat,
  validateQueryType,
} from "../../event/mod.ts";
import { parseAddressText } from "../config.ts";
import { CliError, EXIT } from "./_errors.ts";

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
  const trimmed = text.trim();
  if (
    trimmed !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)
  ) {
    try {
      return timestampFromFloat(Number(trimmed));
    } catch (cause) {
      throw new CliError(`Invalid ${what} ${text}: out of range`, EXIT.usage, {
        cause,
      });
    }
  }
  const date = new Date(text);
  if (/^\d{4}-\d\d/.test(trimmed) && !Number.isNaN(date.getTime())) {
    return timestampFromDate(date);
  }
  throw usage(
    `Invalid ${what} ${text}: expected "now", seconds since 1970 or an ` +
      `ISO 8601 date`,
  );
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
 * @throws {CliError} (usage) When it does not parse, saying where.
 */
export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CliError(
      `Invalid JSON in ${what}: ${(cause as Error).message}`,
      EXIT.usage,
      { cause },
    );
  }
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
