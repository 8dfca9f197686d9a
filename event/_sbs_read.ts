// Shape checks for SBS values received from the wire. Each takes the value,
// the HatEventer type being converted (`t`) and the path of the value within
// it; paths are joined only when an error is thrown.

import { EventSbsError } from "./errors.ts";
import type { SbsValue } from "../codec/mod.ts";

export type SbsRecord = { readonly [entry: string]: SbsValue };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function join(path: string, sub: string): string {
  return path === "" ? sub : sub === "" ? path : `${path}.${sub}`;
}

/**
 * What a value is, for error messages: `null`, `number 3`, `a string`,
 * `bytes`...
 *
 * @param v Any value.
 * @returns A short description (the value itself only for numbers and
 * booleans).
 */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Uint8Array) return "bytes";
  switch (typeof v) {
    case "number":
      return `number ${v}`;
    case "bigint":
      return `integer ${v}`;
    case "string":
      return "a string";
    case "boolean":
      return `${v}`;
    case "object":
      return "a record";
    default:
      return typeof v;
  }
}

export function fail(
  t: string,
  path: string,
  problem: string,
  options?: ErrorOptions,
): never {
  throw new EventSbsError(t, path, problem, options);
}

export function asRecord(v: SbsValue, t: string, path: string): SbsRecord {
  if (
    typeof v !== "object" || v === null || Array.isArray(v) ||
    v instanceof Uint8Array
  ) {
    fail(t, path, `expected a record, got ${describe(v)}`);
  }
  return v as SbsRecord;
}

export function asSafeInt(v: SbsValue, t: string, path: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "bigint") {
    if (v >= -9007199254740991n && v <= 9007199254740991n) return Number(v);
    fail(t, path, `integer ${v} is outside the safe integer range`);
  }
  fail(t, path, `expected an integer, got ${describe(v)}`);
}

export function asInt64(v: SbsValue, t: string, path: string): number | bigint {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "bigint") {
    if (v >= -9007199254740991n && v <= 9007199254740991n) return Number(v);
    if (v >= INT64_MIN && v <= INT64_MAX) return v;
    fail(t, path, `integer ${v} is outside signed 64 bits`);
  }
  fail(t, path, `expected an integer, got ${describe(v)}`);
}

export function asString(v: SbsValue, t: string, path: string): string {
  if (typeof v === "string") return v;
  fail(t, path, `expected a string, got ${describe(v)}`);
}

export function asBoolean(v: SbsValue, t: string, path: string): boolean {
  if (typeof v === "boolean") return v;
  fail(t, path, `expected a boolean, got ${describe(v)}`);
}

export function asArray(
  v: SbsValue,
  t: string,
  path: string,
): readonly SbsValue[] {
  if (Array.isArray(v)) return v;
  fail(t, path, `expected an array, got ${describe(v)}`);
}

/** Checks a Choice value and returns its entry name. */
export function choiceName(v: SbsValue, t: string, path: string): string {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string") {
    return v[0];
  }
  fail(t, path, `expected a choice [name, value], got ${describe(v)}`);
}

/** The value of an `Optional(T)`, or `undefined` for `none`. */
export function optional(
  v: SbsValue,
  t: string,
  path: string,
): SbsValue | undefined {
  const name = choiceName(v, t, path);
  const value = (v as readonly SbsValue[])[1];
  if (name === "value") return value;
  if (name === "none" && value === null) return undefined;
  fail(
    t,
    path,
    name === "none"
      ? `optional none must hold null, got ${describe(value)}`
      : `expected optional "none" or "value", got "${name}"`,
  );
}

/** Checks a Choice of None values; returns the name when in `names`. */
export function enumChoice<N extends string>(
  v: SbsValue,
  names: readonly N[],
  t: string,
  path: string,
): N {
  const name = choiceName(v, t, path) as N;
  if (!names.includes(name)) {
    fail(
      t,
      path,
      `expected one of ${names.join(", ")}, got "${name}"`,
    );
  }
  if ((v as readonly SbsValue[])[1] !== null) {
    fail(t, path, `choice ${name} must hold null`);
  }
  return name;
}

/** Rethrows an error of a nested value with the path of that value. */
export function nest(err: unknown, prefix: string): never {
  if (err instanceof EventSbsError) {
    const Ctor = err.constructor as typeof EventSbsError;
    throw new Ctor(err.sbsType, join(prefix, err.path), err.problem, {
      cause: err.cause,
    });
  }
  throw err;
}
