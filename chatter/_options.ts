// Defaults and validation of ConnectionOptions, in one place.

import { DEFAULT_MAX_MESSAGE_SIZE } from "./frame.ts";
import type { ConnectionOptions } from "./types.ts";

export interface ResolvedOptions {
  /** Milliseconds; 0 turns keep-alive off. */
  pingDelay: number;
  /** Milliseconds. */
  pingTimeout: number;
  receiveQueueSize: number;
  sendQueueSize: number;
  sendQueueBytes: number;
  maxMessageSize: number;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`Invalid ${name} ${v}: expected a positive integer`);
  }
  return v;
}

function milliseconds(name: string, v: number): number {
  if (typeof v !== "number" || !(v >= 0) || v === Infinity) {
    throw new RangeError(`Invalid ${name} ${v}: expected seconds >= 0`);
  }
  return v * 1000;
}

export function resolveOptions(options: ConnectionOptions): ResolvedOptions {
  return {
    pingDelay: options.pingDelay === null
      ? 0
      : milliseconds("pingDelay", options.pingDelay ?? 20),
    pingTimeout: milliseconds("pingTimeout", options.pingTimeout ?? 20),
    receiveQueueSize: positiveInt(
      "receiveQueueSize",
      options.receiveQueueSize ?? 1024,
    ),
    sendQueueSize: positiveInt("sendQueueSize", options.sendQueueSize ?? 1024),
    sendQueueBytes: positiveInt(
      "sendQueueBytes",
      options.sendQueueBytes ?? 4 * 1024 * 1024,
    ),
    maxMessageSize: positiveInt(
      "maxMessageSize",
      options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    ),
  };
}
