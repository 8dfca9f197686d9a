// The shape of events given to a storage (or to the engine's register),
// checked before anything is stored: a wrong value from a caller gets a
// TypeError naming the event and the field, and the storage is left as it
// was (events received from the network are checked by their decoder).

import { describe, jsonPayloadText } from "../../event/internal_mod.ts";
import {
  type Event,
  JsonTextPayload,
  type RegisterEvent,
  validateTimestamp,
} from "../../event/mod.ts";

function fail(i: number, problem: string): never {
  throw new TypeError(`Invalid event ${i}: ${problem}`);
}

function checkTimestamp(i: number, what: string, t: unknown): void {
  try {
    validateTimestamp(t as Event["timestamp"]);
  } catch (err) {
    fail(i, `${what}: ${(err as Error).message}`);
  }
}

/**
 * Checks type, source timestamp and payload of each event (and id and
 * timestamp when `withIds`).
 *
 * @throws {TypeError} For a value of the wrong shape.
 * @throws {EventPayloadError} For JSON data that has no JSON text.
 */
export function checkEvents(
  events: readonly (Event | RegisterEvent)[],
  withIds: boolean,
): void {
  if (!Array.isArray(events)) {
    throw new TypeError(
      `Invalid events: expected an array, got ${describe(events)}`,
    );
  }
  let prevType: unknown = null;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (typeof e !== "object" || e === null) {
      fail(i, `expected an object, got ${describe(e)}`);
    }
    const type = e.type;
    if (type !== prevType) {
      if (!Array.isArray(type)) {
        fail(i, `type must be an array of strings, got ${describe(type)}`);
      }
      for (let k = 0; k < type.length; k++) {
        if (typeof type[k] !== "string") {
          fail(
            i,
            `type segment ${k} must be a string, got ${describe(type[k])}`,
          );
        }
      }
      prevType = type;
    }
    if (withIds) {
      const { id, timestamp } = e as Event;
      if (
        typeof id !== "object" || id === null ||
        !Number.isSafeInteger(id.server) || !Number.isSafeInteger(id.session) ||
        !Number.isSafeInteger(id.instance)
      ) fail(i, "id must be { server, session, instance } of safe integers");
      checkTimestamp(i, "timestamp", timestamp);
    }
    const src = e.sourceTimestamp;
    if (src !== null) checkTimestamp(i, "sourceTimestamp", src);
    const p = e.payload;
    if (p === null || p instanceof JsonTextPayload) continue;
    if (typeof p !== "object") {
      fail(i, `payload must be an object or null, got ${describe(p)}`);
    }
    if (p.kind === "binary") {
      if (typeof p.type !== "string") {
        fail(
          i,
          `binary payload type must be a string, got ${describe(p.type)}`,
        );
      }
      if (!(p.data instanceof Uint8Array)) {
        fail(i, `binary payload data must be bytes, got ${describe(p.data)}`);
      }
    } else {
      // JSON data with a JSON text, or a TypeError for another kind.
      jsonPayloadText(p, "Event", `${i}.payload`);
    }
  }
}
