/**
 * The event model of the Hat Event Server (Python `hat.event.common`):
 * event types and query types, timestamps, events and their order,
 * subscriptions and a subscription index for fan-out, query parameters, and
 * the exact conversions to and from the SBS values of `eventer.sbs`.
 *
 * Limits: timestamps convert to `Date` with millisecond resolution only;
 * event ids beyond `Number.MAX_SAFE_INTEGER` are refused when received.
 *
 * @example Subscriptions and the fan-out index
 * ```ts
 * import { Subscription, SubscriptionIndex } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const sub = new Subscription([["gateway", "?", "data", "*"]]);
 * assert.equal(sub.matches(["gateway", "dev1", "data", "temp"]), true);
 *
 * const index = new SubscriptionIndex<string>();
 * index.add("client1", sub);
 * index.add("client2", new Subscription([["*"]]));
 * assert.deepEqual(index.match(["gateway", "dev1", "data"]).sort(), ["client1", "client2"]);
 * assert.deepEqual(index.match(["other"]), ["client2"]);
 * ```
 *
 * @example Events to SBS values and back
 * ```ts
 * import {
 *   eventFromSbs,
 *   eventToSbs,
 *   now,
 *   type Event,
 * } from "@hat/eventer/event";
 * import assert from "node:assert/strict";
 *
 * const event: Event = {
 *   id: { server: 1, session: 1, instance: 1 },
 *   type: ["a", "b"],
 *   timestamp: now(),
 *   sourceTimestamp: null,
 *   payload: { kind: "json", data: { value: 21.5 } },
 * };
 * assert.deepEqual(eventFromSbs(eventToSbs(event)), event);
 * ```
 *
 * @module
 */

export type * from "./types.ts";
export * from "./errors.ts";
export * from "./timestamp.ts";
export * from "./order.ts";
export * from "./query_type.ts";
export * from "./query_params.ts";
export * from "./subscription.ts";
export * from "./subscription_index.ts";
export * from "./eventer_schema.ts";
export * from "./sbs.ts";
export { JsonTextPayload } from "./json_text_payload.ts";
