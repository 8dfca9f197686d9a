// The storages every storage test runs against, each opened fresh.

import type { Event, EventPayload, Timestamp } from "../../event/types.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import type {
  Storage,
  StorageOptions,
} from "../../event_server/storage/storage.ts";

/** A storage under test and how to reopen it on the same data. */
export interface Opened {
  storage: Storage;
  /** Closes it and opens the same data again (null: nothing persists). */
  reopen: ((options?: StorageOptions) => Promise<Opened>) | null;
  /** Closes it and removes its data. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A storage kind. */
export interface Kind {
  name: string;
  open(options?: StorageOptions): Promise<Opened>;
}

export const MEMORY: Kind = {
  name: "memory",
  open(options) {
    const storage = new MemoryStorage(options);
    return Promise.resolve({
      storage,
      reopen: null,
      [Symbol.asyncDispose]: () => storage.close(),
    });
  },
};

/** Every storage kind. */
export const KINDS: Kind[] = [MEMORY];

/** Shorthand for a timestamp of fractional seconds (exact to µs). */
export function ts(seconds: number): Timestamp {
  const s = Math.floor(seconds);
  return { s, us: Math.round((seconds - s) * 1e6) };
}

/** Shorthand for an event. */
export function ev(
  id: [number, number, number],
  type: string[],
  timestamp: number | Timestamp,
  source: number | Timestamp | null = null,
  payload: EventPayload | null = null,
): Event {
  return {
    id: { server: id[0], session: id[1], instance: id[2] },
    type,
    timestamp: typeof timestamp === "number" ? ts(timestamp) : timestamp,
    sourceTimestamp: typeof source === "number" ? ts(source) : source,
    payload,
  };
}

/** Ids of events as `server/session/instance` strings. */
export function ids(events: readonly Event[]): string[] {
  return events.map((e) => `${e.id.server}/${e.id.session}/${e.id.instance}`);
}
