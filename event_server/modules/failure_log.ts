/**
 * A log of module failures that a failing module cannot flood: at most one
 * line per module per interval (10 s), and the next line of that module
 * says how many failures were folded into it meanwhile.
 *
 * @example
 * ```ts
 * import { FailureLog } from "./failure_log.ts";
 * import { ModuleSessionError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * let t = 0;
 * const lines: string[] = [];
 * const log = new FailureLog((line) => lines.push(line), { now: () => t });
 * const fail = (s: number) => new ModuleSessionError("m.ts", 0, "process", s, "boom");
 * log.report(fail(1));
 * log.report(fail(2));
 * log.report(fail(3));
 * t = 10_000;
 * log.report(fail(4));
 * assert.deepEqual(lines, [
 *   "Module m.ts (0) failed in process: boom (session 1)",
 *   "Module m.ts (0) failed in process: boom (session 4) " +
 *   "[2 more failures of this module in the last 10 s not logged]",
 * ]);
 * ```
 *
 * @module
 */

import type { ModuleError } from "./errors.ts";

/** Options of {@linkcode FailureLog}. */
export interface FailureLogOptions {
  /**
   * Milliseconds between two lines of one module.
   * @default {10000}
   */
  readonly interval?: number;
  /**
   * The clock, in milliseconds.
   * @default {performance.now}
   */
  readonly now?: () => number;
}

interface Entry {
  last: number;
  folded: number;
}

/** Rate-limited lines about module failures, per module. */
export class FailureLog {
  readonly #write: (line: string, error: ModuleError) => void;
  readonly #interval: number;
  readonly #now: () => number;
  readonly #entries = new Map<number, Entry>();
  readonly #names = new Map<number, string>();

  /**
   * Creates the log.
   *
   * @param write Where a line goes, with the failure it reports.
   * @param options Interval and clock.
   */
  constructor(
    write: (line: string, error: ModuleError) => void,
    options: FailureLogOptions = {},
  ) {
    this.#write = write;
    this.#interval = options.interval ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Logs a failure, or folds it into the module's next line.
   *
   * @param error The failure.
   */
  report(error: ModuleError): void {
    const t = this.#now();
    const entry = this.#entries.get(error.index);
    this.#names.set(error.index, `${error.module} (${error.index})`);
    if (entry !== undefined && t - entry.last < this.#interval) {
      entry.folded++;
      return;
    }
    let line = error.message;
    if (entry !== undefined && entry.folded > 0) {
      line += ` [${this.#count(entry.folded)} of this module in the last ` +
        `${Math.round((t - entry.last) / 1000)} s not logged]`;
    }
    this.#entries.set(error.index, { last: t, folded: 0 });
    this.#write(line, error);
  }

  /**
   * Failures folded and not yet logged, per module (for a last line at
   * shutdown).
   *
   * @returns Lines, one per module with folded failures.
   *
   * @example
   * ```ts
   * import { FailureLog } from "./failure_log.ts";
   * import { ModuleError } from "./errors.ts";
   * import assert from "node:assert/strict";
   *
   * const log = new FailureLog(() => {}, { now: () => 0 });
   * log.report(new ModuleError("m.ts", 2, "process", "x"));
   * log.report(new ModuleError("m.ts", 2, "process", "x"));
   * assert.deepEqual(log.pending(), ["Module m.ts (2): 1 more failure not logged"]);
   * ```
   */
  pending(): string[] {
    const lines: string[] = [];
    for (const [index, entry] of this.#entries) {
      if (entry.folded === 0) continue;
      lines.push(
        `Module ${this.#names.get(index)}: ${this.#count(entry.folded)} ` +
          `not logged`,
      );
      entry.folded = 0;
    }
    return lines;
  }

  #count(n: number): string {
    return n === 1 ? "1 more failure" : `${n} more failures`;
  }
}
