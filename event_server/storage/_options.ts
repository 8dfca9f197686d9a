// Defaults and validation of the options both storages share.

import type { QueryType, Timestamp } from "../../event/mod.ts";
import type { RetentionRule, StorageOptions } from "./storage.ts";

/** Options with defaults applied and checked. */
export interface CommonOptions {
  readonly maxResults: number;
  readonly retention: readonly RetentionRule[];
  readonly cleanupPeriod: number;
  readonly cleanupBatch: number;
  readonly onError: (error: unknown) => void;
}

/** Checks that `value` is an integer within bounds; returns it. */
export function checkInteger(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be in ${min}..${max}, got ${value}`);
  }
  return value;
}

function checkQueryTypes(name: string, value: unknown): QueryType[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} must be an array of event types`);
  }
  return value.map((q, i) => {
    if (!Array.isArray(q) || q.some((seg) => typeof seg !== "string")) {
      throw new TypeError(`${name}[${i}] must be an array of strings`);
    }
    const star = q.indexOf("*");
    if (star >= 0 && star !== q.length - 1) {
      throw new RangeError(`${name}[${i}]: "*" may only be the last segment`);
    }
    return q as string[];
  });
}

/** Validates one retention rule. */
export function checkRule(rule: RetentionRule, i: number): RetentionRule {
  const name = `retention[${i}]`;
  if (typeof rule !== "object" || rule === null) {
    throw new TypeError(`${name} must be an object`);
  }
  const eventTypes = checkQueryTypes(`${name}.eventTypes`, rule.eventTypes);
  const maxEntries = rule.maxEntries ?? null;
  const maxAge = rule.maxAge ?? null;
  if (maxEntries !== null) checkInteger(`${name}.maxEntries`, maxEntries, 0);
  if (maxAge !== null) {
    if (typeof maxAge !== "number" || !(maxAge >= 0) || maxAge === Infinity) {
      throw new RangeError(
        `${name}.maxAge must be a finite number of seconds >= 0`,
      );
    }
  }
  return { eventTypes, maxEntries, maxAge };
}

/** Applies defaults to and checks the common options. */
export function commonOptions(options: StorageOptions = {}): CommonOptions {
  return {
    maxResults: checkInteger("maxResults", options.maxResults ?? 4096, 1),
    retention: (options.retention ?? []).map(checkRule),
    cleanupPeriod: checkInteger(
      "cleanupPeriod",
      options.cleanupPeriod ?? 1000,
      1,
      2 ** 31 - 1,
    ),
    cleanupBatch: checkInteger("cleanupBatch", options.cleanupBatch ?? 1024, 1),
    onError: options.onError ?? ((error) => console.error(error)),
  };
}

/** The timestamp `seconds` before now (millisecond precision). */
export function secondsAgo(seconds: number): Timestamp {
  const t = Date.now() / 1000 - seconds;
  const s = Math.floor(t);
  return { s, us: Math.min(999_999, Math.round((t - s) * 1e6)) };
}
