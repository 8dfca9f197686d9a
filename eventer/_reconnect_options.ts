// The reconnect options of the eventer client, their defaults and
// validation in one place, and the backoff they describe; public types,
// exported from client.ts. See docs/failover.md.

import type { Address } from "../chatter/mod.ts";
import type { Client } from "./_client_interface.ts";

/**
 * How a client made with `reconnect` looks for a server again.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@hat/eventer";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen({ hostname: "127.0.0.1", port: 0 });
 * await using client = await connect([server.addrs[0]], "gateway", {
 *   reconnect: { delay: 0.1, maxDelay: 5, connectTimeout: 2 },
 *   requestTimeout: 30,
 *   onReconnect: (_client, info) => assert.ok(info.attempts >= 1),
 * });
 * assert.equal(client.connectionState, "connected");
 * ```
 */
export interface ReconnectOptions {
  /**
   * Seconds to wait after the first round of attempts that found no
   * server; each further round waits twice as long, up to `maxDelay`. Each
   * wait is jittered: a random time between half of it and all of it. This
   * is the reference component's `reconnect_delay`.
   * @default {0.5}
   */
  delay?: number;
  /**
   * The longest wait between two rounds, in seconds. A connection that
   * stayed up this long starts the backoff over; one that dropped sooner
   * (a server that accepts clients and then fails) goes on with it.
   * @default {10}
   */
  maxDelay?: number;
  /**
   * Seconds one attempt (TCP, TLS and the init exchange) may take before
   * the next address is tried.
   * @default {10}
   */
  connectTimeout?: number;
}

/** What {@linkcode ReconnectCallback} is told of a reconnect. */
export interface ReconnectInfo {
  /** The address connected to. */
  readonly address: Address;
  /** Connection attempts since the connection dropped, this one included. */
  readonly attempts: number;
  /** The waits between rounds of attempts, in seconds, in order. */
  readonly delays: readonly number[];
}

/**
 * Called when a client made with `reconnect` is connected again (after
 * the init exchange, before the catch-up of a persisted subscriber ends).
 * An error it throws is reported to `onError`; the client goes on.
 */
export type ReconnectCallback = (client: Client, info: ReconnectInfo) => void;

/**
 * Called when the connection of a client made with `reconnect` drops and
 * it starts reconnecting. An error it throws is reported to `onError`.
 */
export type DisconnectCallback = (client: Client) => void;

/** Validated reconnect settings, in milliseconds. */
export interface ReconnectPolicy {
  readonly delay: number;
  readonly maxDelay: number;
  readonly connectTimeout: number;
  readonly requestTimeout: number;
}

const DEFAULTS = {
  delay: 0.5,
  maxDelay: 10,
  connectTimeout: 10,
  requestTimeout: 10,
} as const;

function seconds(name: string, v: unknown, infinite: boolean): number {
  if (
    typeof v !== "number" || !(v > 0) || (v === Infinity && !infinite)
  ) {
    throw new RangeError(
      `Invalid ${name} ${String(v)}: expected seconds > 0${
        infinite ? " (or Infinity)" : ""
      }`,
    );
  }
  return v * 1000;
}

/**
 * Validates `reconnect` and `requestTimeout`; `null` when the client does
 * not reconnect. Throws `TypeError`/`RangeError` naming the bad option.
 */
export function resolveReconnect(
  reconnect: boolean | ReconnectOptions | undefined,
  requestTimeout: number | undefined,
): ReconnectPolicy | null {
  const timeout = seconds(
    "requestTimeout",
    requestTimeout ?? DEFAULTS.requestTimeout,
    true,
  );
  if (reconnect === undefined || reconnect === false) return null;
  if (reconnect !== true && (typeof reconnect !== "object" || !reconnect)) {
    throw new TypeError(
      `Invalid reconnect: expected a boolean or { delay, maxDelay, connectTimeout }, got ${typeof reconnect}`,
    );
  }
  const o = reconnect === true ? {} : reconnect;
  const delay = seconds("reconnect.delay", o.delay ?? DEFAULTS.delay, false);
  const maxDelay = seconds(
    "reconnect.maxDelay",
    o.maxDelay ?? Math.max(DEFAULTS.maxDelay, delay / 1000),
    false,
  );
  if (maxDelay < delay) {
    throw new RangeError(
      `Invalid reconnect.maxDelay ${maxDelay / 1000}: less than delay ${
        delay / 1000
      }`,
    );
  }
  return {
    delay,
    maxDelay,
    connectTimeout: seconds(
      "reconnect.connectTimeout",
      o.connectTimeout ?? DEFAULTS.connectTimeout,
      true,
    ),
    requestTimeout: timeout,
  };
}

/**
 * The wait (ms) after round `round` (from 0) of attempts that all failed:
 * `delay * 2^round`, capped at `maxDelay`, times a random factor in
 * [0.5, 1) so that clients dropped together do not come back together.
 */
export function backoffDelay(
  round: number,
  policy: Pick<ReconnectPolicy, "delay" | "maxDelay">,
  random: () => number = Math.random,
): number {
  const full = Math.min(
    policy.maxDelay,
    policy.delay * 2 ** Math.min(round, 52),
  );
  return full * (0.5 + 0.5 * random());
}
