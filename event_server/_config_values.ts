// Checks of the config file's values (config.ts): each names the key and
// what was expected when a value is wrong.

import { ConfigError } from "./errors.ts";

/** `v` when it is one of `allowed`; a ConfigError naming `key` otherwise. */
export function oneOf<T extends string>(
  key: string,
  v: unknown,
  allowed: string[],
): T {
  if (typeof v !== "string" || !allowed.includes(v)) {
    throw new ConfigError(
      key,
      `expected one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}

/** `v` when it is an integer in `min..max`; a ConfigError otherwise. */
export function integer(
  key: string,
  v: unknown,
  min: number,
  max: number,
): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(
      key,
      `expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

// Timers take at most 2^31 - 1 ms; a longer delay fires at once (so a
// pingDelay of 1e9 s would ping every millisecond).
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** `v` when it is seconds a timer can wait (0 included). */
export function seconds(key: string, v: unknown): number {
  if (typeof v !== "number" || !(v >= 0 && v <= MAX_TIMER_SECONDS)) {
    throw new ConfigError(
      key,
      `expected seconds in 0..${MAX_TIMER_SECONDS}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** `v` when it is more than 0 seconds a timer can wait. */
export function positiveSeconds(key: string, v: unknown): number {
  if (typeof v !== "number" || !(v > 0 && v <= MAX_TIMER_SECONDS)) {
    throw new ConfigError(
      key,
      `expected seconds in (0, ${MAX_TIMER_SECONDS}], got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** `v` when it is a non-empty string. */
export function text(key: string, v: unknown): string {
  if (typeof v !== "string" || v === "") {
    throw new ConfigError(
      key,
      `expected a non-empty string, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
