/**
 * Reading a monitor group's state: which component is active, as the
 * reference decides it.
 *
 * @module
 */

import type { ComponentInfo } from "./types.ts";

/**
 * Whether a component is active as the monitor lists it: its blessing
 * request carries a token and its response accepted that token (what
 * `hat.event.component` looks for in a server group).
 *
 * @param info A component of the monitor's state.
 * @returns `true` when blessed and accepted.
 *
 * @example
 * ```ts
 * import { isActive, type ComponentInfo } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * const info: ComponentInfo = {
 *   cid: 1, mid: 0, name: "a", group: "event", data: null, rank: 1,
 *   blessingReq: { token: 3, timestamp: 1.5 },
 *   blessingRes: { token: 3, ready: true },
 * };
 * assert.equal(isActive(info), true);
 * assert.equal(
 *   isActive({ ...info, blessingRes: { token: null, ready: true } }),
 *   false,
 * );
 * ```
 */
export function isActive(info: ComponentInfo): boolean {
  const token = info.blessingReq.token;
  return token !== null && token === info.blessingRes.token;
}

/**
 * The first active component of `group`, in the monitor's order (with
 * `BLESS_ONE` there is at most one; with `BLESS_ALL` every ready one is).
 *
 * @param components The monitor's components (`state.components`).
 * @param group The group to look in.
 * @returns The active component, or `null`.
 *
 * @example
 * ```ts
 * import { activeComponent, type ComponentInfo } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * const base: ComponentInfo = {
 *   cid: 1, mid: 0, name: "a", group: "event", data: null, rank: 1,
 *   blessingReq: { token: null, timestamp: null },
 *   blessingRes: { token: null, ready: true },
 * };
 * const b: ComponentInfo = {
 *   ...base, cid: 2, name: "b",
 *   blessingReq: { token: 4, timestamp: 2.0 },
 *   blessingRes: { token: 4, ready: true },
 * };
 * assert.equal(activeComponent([base, b], "event")?.name, "b");
 * assert.equal(activeComponent([base, b], "other"), null);
 * ```
 */
export function activeComponent(
  components: readonly ComponentInfo[],
  group: string,
): ComponentInfo | null {
  return components.find((i) => i.group === group && isActive(i)) ?? null;
}
