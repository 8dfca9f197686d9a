// Shared setup of the engine tests: an engine on a loopback port from 0,
// register requests and a subscriber that collects events.

import type { Event } from "../../event/mod.ts";
import { type Engine, startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import type { Storage } from "../../event_server/storage/storage.ts";

/** Loopback, any free port. */
export const ANY = { hostname: "127.0.0.1", port: 0 };

/** Starts an engine on `storage` that ignores its errors. */
export function start(
  storage: Storage = new MemoryStorage(),
  options: { serverToken?: string | null; serverId?: number } = {},
): Promise<Engine> {
  return startEngine(ANY, { storage, onError: () => {}, ...options });
}

/** A register request of `type`, with `data` as its JSON payload. */
export const reg = (type: string[], data: unknown = null) => ({
  type,
  sourceTimestamp: null,
  payload: data === null
    ? null
    : { kind: "json" as const, data: data as string },
});

/** Resolves with the events a subscriber gets, once `n` arrived. */
export function collector(n: number) {
  const events: Event[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => done = r);
  return {
    events,
    all,
    onEvents: (_c: unknown, batch: Event[]) => {
      events.push(...batch);
      if (events.length >= n) done();
    },
  };
}
