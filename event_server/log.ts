/**
 * The Event Server's log: one line per message on stderr,
 * `2026-11-25T10:00:00.000Z INFO message`, filtered by level.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = createLogger("warn", (line) => lines.push(line));
 * log.info("not shown");
 * log.warn("shown");
 * assert.equal(lines.length, 1);
 * assert.match(lines[0], / WARN shown$/);
 * ```
 *
 * @module
 */

import type { LogLevel } from "./config.ts";

/** A leveled logger. */
export interface Logger {
  /** Logs an error (with its cause chain, when given an Error). */
  error(message: string, error?: unknown): void;
  /** Logs a warning. */
  warn(message: string): void;
  /** Logs information. */
  info(message: string): void;
  /** Logs debugging detail. */
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = `${error.name}: ${error.message}`;
  for (let c = error.cause; c instanceof Error; c = c.cause) {
    text += ` (caused by ${c.name}: ${c.message})`;
  }
  return text;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}

/**
 * Creates a logger.
 *
 * @param level The most detailed level shown.
 * @param write Where lines go.
 * @default write Lines to stderr.
 * @returns The logger.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = createLogger("info", (line) => lines.push(line));
 * log.error("commit failed", new Error("disk full", { cause: new Error("ENOSPC") }));
 * log.debug("hidden");
 * assert.equal(lines.length, 1);
 * assert.match(lines[0], /ERROR commit failed: Error: disk full \(caused by Error: ENOSPC\)$/);
 * ```
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = writeStderr,
): Logger {
  const rank = RANK[level];
  const emit = (l: LogLevel, message: string) => {
    if (RANK[l] <= rank) {
      write(`${new Date().toISOString()} ${l.toUpperCase()} ${message}`);
    }
  };
  return {
    error: (message, error) =>
      emit(
        "error",
        error === undefined ? message : `${message}: ${describe(error)}`,
      ),
    warn: (message) => emit("warn", message),
    info: (message) => emit("info", message),
    debug: (message) => emit("debug", message),
  };
}
