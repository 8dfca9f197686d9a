// Validation of the eventer server's options (server.ts): its limits and
// status values, and the default error report.

import type { Status } from "../event/mod.ts";
import { reportError } from "./_common.ts";
import type { ServerOptions } from "./_server_options.ts";
import { ServerLimitError, SlowConsumerError } from "./errors.ts";

export const STATUSES: readonly Status[] = [
  "standby",
  "starting",
  "operational",
  "stopping",
];

/** The validated limits of a server. */
export interface Limits {
  maxConnections: number;
  initTimeout: number;
  maxRegisterEvents: number;
  maxQueryResults: number;
  maxMessageSize: number;
}

export function positiveLimit(
  name: string,
  v: number,
  infinite = false,
): number {
  if (
    !(Number.isSafeInteger(v) && v >= 1) && !(infinite && v === Infinity)
  ) {
    throw new RangeError(
      `Invalid ${name}: expected a positive integer, got ${v}`,
    );
  }
  return v;
}

export function resolveLimits(options: ServerOptions): Limits {
  const initTimeout = options.initTimeout ?? 10;
  // Timers take at most 2^31 - 1 ms; a longer one would fire at once.
  if (!(initTimeout > 0 && initTimeout <= 2147483)) {
    throw new RangeError(
      `Invalid initTimeout: expected seconds in (0, 2147483], got ${initTimeout}`,
    );
  }
  return {
    maxConnections: positiveLimit(
      "maxConnections",
      options.maxConnections ?? 4096,
      true,
    ),
    initTimeout,
    maxRegisterEvents: positiveLimit(
      "maxRegisterEvents",
      options.maxRegisterEvents ?? 100_000,
      true,
    ),
    maxQueryResults: positiveLimit(
      "maxQueryResults",
      options.maxQueryResults ?? 10_000,
      true,
    ),
    maxMessageSize: positiveLimit(
      "maxMessageSize",
      options.maxMessageSize ?? 16 * 1024 * 1024,
    ),
  };
}

export function defaultReport(err: unknown): void {
  if (err instanceof SlowConsumerError || err instanceof ServerLimitError) {
    console.warn("hat eventer server:", err.message);
  } else {
    reportError("server", err);
  }
}

export function checkStatus(status: unknown): Status {
  if (!STATUSES.includes(status as Status)) {
    throw new TypeError(
      `Invalid status: expected one of ${STATUSES.join(", ")}, got ${
        JSON.stringify(status) ?? String(status)
      }`,
    );
  }
  return status as Status;
}
