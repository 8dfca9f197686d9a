// Helpers of the eventer tests: a loopback address, event builders, error
// collectors and deferred promises.

import type { Event, RegisterEvent } from "../../event/mod.ts";

/** Loopback, any free port. */
export const LOOPBACK = { hostname: "127.0.0.1", port: 0 } as const;

/** A promise with its resolve function. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  settled: boolean;
}

/** Makes a deferred promise. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const d: Deferred<T> = {
    promise: new Promise<T>((r) => resolve = r),
    resolve: (v) => {
      d.settled = true;
      resolve(v);
    },
    settled: false,
  };
  return d;
}

/** Collects reported errors. */
export function errorLog(): {
  errors: unknown[];
  onError: (error: unknown) => void;
} {
  const errors: unknown[] = [];
  return { errors, onError: (e) => errors.push(e) };
}

/** A register event with a JSON payload. */
export function registerEvent(
  type: string[],
  data: unknown = null,
): RegisterEvent {
  return {
    type,
    sourceTimestamp: { s: 1_700_000_000, us: 5 },
    payload: { kind: "json", data: data as null },
  };
}

/** An event of `server`, `session`, `instance`. */
export function event(
  type: string[],
  server = 1,
  session = 1,
  instance = 1,
): Event {
  return {
    id: { server, session, instance },
    type,
    timestamp: { s: 1_800_000_000, us: 123 },
    sourceTimestamp: null,
    payload: { kind: "binary", type: "raw", data: new Uint8Array([1, 2]) },
  };
}

/** Registers events as the Event Server would: one session, instance 1... */
export function registerCallback(server = 1) {
  let session = 0;
  return (_info: unknown, events: RegisterEvent[]): Event[] => {
    session++;
    return events.map((e, i) => ({
      id: { server, session, instance: i + 1 },
      timestamp: { s: 1_800_000_000, us: session },
      ...e,
    }));
  };
}
