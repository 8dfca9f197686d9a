/**
 * What the layers above the event model (the eventer, the Event Server)
 * use of it beyond its public API (`mod.ts`): the checks and parsers of
 * JSON text (also as Python writes it), JSON text payloads over text the
 * WebAssembly core checked, the description of a bad value for error
 * messages, and the JSON text of a payload. Not exported by the package;
 * see docs/architecture.md.
 *
 * @example
 * ```ts
 * import { isJsonText, parseJson } from "./internal_mod.ts";
 * import assert from "node:assert/strict";
 *
 * const text = new TextEncoder().encode("[1, 1e400]");
 * assert.equal(isJsonText(text, 0, text.length), true);
 * assert.deepEqual(parseJson("[NaN, 1e400]"), [NaN, Infinity]);
 * ```
 *
 * @module
 */

export { isJsonText } from "./_json_text.ts";
export { parseJson } from "./_python_json.ts";
export { describe } from "./_sbs_read.ts";
export { checkedJsonText } from "./json_text_payload.ts";
export { jsonPayloadText } from "./payload_json.ts";
