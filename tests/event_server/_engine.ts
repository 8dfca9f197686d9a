// Shared setup of the engine tests: an engine on a loopback port from 0,
// register requests and a subscriber that collects events.

import assert from "node:assert/strict";
import { connect } from "../../client.ts";
import type { Event, Status } from "../../event/mod.ts";
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

/**
 * Starts an engine on `storage` that records what it reports, and a client
 * that records the statuses it is told.
 */
export async function startWatched(storage: Storage) {
  const errors: [unknown, string][] = [];
  const engine = await startEngine(ANY, {
    storage,
    onError: (error, context) => void errors.push([error, context]),
  });
  const statuses: Status[] = [];
  const client = await connect(engine.addrs[0], "c", {
    onStatus: (_c, s) => void statuses.push(s),
  });
  return { engine, errors, statuses, client };
}

/**
 * Checks that the engine of `watched` stopped because its storage failed
 * with an error matching `error`: its client was told "stopping" and closed.
 */
export async function assertStorageStop(
  watched: Awaited<ReturnType<typeof startWatched>>,
  error: RegExp,
): Promise<void> {
  await watched.client.closed;
  assert.deepEqual(watched.statuses, ["stopping"]);
  assert.deepEqual(watched.errors.map(([, context]) => context), [
    "storage failed, stopping",
  ]);
  assert.match(String(watched.errors[0][0]), error);
}
