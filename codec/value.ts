/**
 * The JavaScript form of SBS values.
 *
 * @module
 */

/**
 * A value of some SBS type, as {@linkcode Repository.encode} takes it and
 * {@linkcode Repository.decode} returns it:
 *
 * | SBS type | JavaScript |
 * | --- | --- |
 * | None | `null` |
 * | Boolean | `boolean` |
 * | Integer | `number` when a safe integer, else `bigint` (encode takes both) |
 * | Float | `number` |
 * | String | `string` |
 * | Bytes | `Uint8Array` |
 * | Array(T) | array |
 * | Record | plain object, one property per entry |
 * | Choice | `[entryName, value]` |
 *
 * @example
 * ```ts
 * import type { SbsValue } from "@hat/eventer/codec";
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
