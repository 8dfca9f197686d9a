/**
 * The chatter schema (`HatChatter`), exactly as the Python reference uses it.
 *
 * @module
 */

/**
 * Text of `chatter.sbs`: module `HatChatter` with `Msg`, `Data`, `Ping` and
 * `Pong`.
 *
 * @example
 * ```ts
 * import { CHATTER_SBS } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * assert.match(CHATTER_SBS, /^module HatChatter/);
 * ```
 */
export const CHATTER_SBS = `module HatChatter

Msg = Record {
    id:     Integer
    first:  Integer
    owner:  Boolean
    token:  Boolean
    last:   Boolean
    data:   Data
}

Data = Record {
    type:   String
    data:   Bytes
}

Ping = None

Pong = None
`;
