/**
 * The `synced` events of hat-event 0.9 (`events.yaml`): how far a server's
 * sync from a peer got. Type `["event", "<local id>", "synced", "<remote
 * id>"]`, JSON payload `{"state": "CONNECTED"}`, `{"state": "SYNCING"}` or
 * `{"state": "SYNCED", "count": N}` (N: the events the catch-up received;
 * `null` when repeated to a peer that became operational).
 *
 * @example
 * ```ts
 * import { syncedEvent } from "./synced_event.ts";
 * import assert from "node:assert/strict";
 *
 * const e = syncedEvent(2, 1, "SYNCED", 40);
 * assert.deepEqual(e.type, ["event", "2", "synced", "1"]);
 * assert.deepEqual(e.payload, { kind: "json", data: { state: "SYNCED", count: 40 } });
 * ```
 *
 * @module
 */

import type { RegisterEvent } from "../../event/mod.ts";

/** The states of a sync, in the order they are reached. */
export type SyncedState = "CONNECTED" | "SYNCING" | "SYNCED";

/**
 * The `synced` event of a sync from `remoteId` to `localId`.
 *
 * @param localId The id of the server that syncs.
 * @param remoteId The id of the peer it syncs from.
 * @param state How far it got.
 * @param count With `SYNCED`: the events the catch-up received (or
 * `null`); ignored otherwise.
 * @returns The register event.
 *
 * @example
 * ```ts
 * import { syncedEvent } from "./synced_event.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(syncedEvent(1, 2, "CONNECTED").payload, {
 *   kind: "json",
 *   data: { state: "CONNECTED" },
 * });
 * ```
 */
export function syncedEvent(
  localId: number,
  remoteId: number,
  state: SyncedState,
  count: number | null = null,
): RegisterEvent {
  return {
    type: ["event", String(localId), "synced", String(remoteId)],
    sourceTimestamp: null,
    payload: {
      kind: "json",
      data: state === "SYNCED" ? { state, count } : { state },
    },
  };
}
