// The SBS value form (the codec's `SbsValue`), until the codec's own type is
// on main; structurally identical to it.

/**
 * A value of some SBS type: None `null`, Boolean `boolean`, Integer
 * `number` when safe else `bigint`, Float `number`, String `string`, Bytes
 * `Uint8Array`, Array an array, Record a plain object, Choice
 * `[entryName, value]`.
 *
 * @example
 * ```ts
 * import type { SbsValue } from "./_sbs_value.ts";
 * import assert from "node:assert/strict";
 *
 * const status: SbsValue = ["operational", null];
 * assert.ok(Array.isArray(status));
 * ```
 */
export type SbsValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly SbsValue[]
  | { readonly [entry: string]: SbsValue };
