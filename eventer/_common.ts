// Small helpers shared by client.ts and server.ts.

import type { QueryType } from "../event/mod.ts";

/** Default error report: one line on stderr per error. */
export function reportError(who: "client" | "server", error: unknown): void {
  console.error(`hat eventer ${who}:`, error);
}

/** Calls an error reporter, which must never break the caller. */
export function safeReport(
  report: (error: unknown) => void,
  error: unknown,
): void {
  try {
    report(error);
  } catch {
    // A throwing reporter has nowhere left to report to.
  }
}

/** Whether a callback's result is something to await. */
export function isPromiseLike<T>(v: unknown): v is PromiseLike<T> {
  return typeof v === "object" && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * Checks an iterable of query types (arrays of strings) and gives them as
 * an array.
 */
export function checkQueryTypes(
  types: Iterable<QueryType>,
  name: string,
): QueryType[] {
  if (
    typeof types !== "object" || types === null ||
    typeof (types as Iterable<QueryType>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(`Invalid ${name}: expected an iterable of query types`);
  }
  const out = Array.from(types);
  for (let i = 0; i < out.length; i++) {
    const q = out[i];
    if (!Array.isArray(q) || !q.every((seg) => typeof seg === "string")) {
      throw new TypeError(
        `Invalid ${name}[${i}]: expected an array of strings, got ${
          JSON.stringify(q) ?? typeof q
        }`,
      );
    }
  }
  return out;
}
