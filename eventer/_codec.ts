// The `codec` option of connect() and listen(): which implementation checks
// received eventer messages and writes outgoing ones. "wasm" is the
// WebAssembly core (codec/wasm/, docs/wasm.md); "ts" the TypeScript
// reference it is tested against. Both give the same values and bytes.

/**
 * Which codec reads and writes eventer messages: `"wasm"` (the WebAssembly
 * core) or `"ts"` (the TypeScript reference). Both accept and refuse the
 * same messages, give the same values and write the same bytes.
 */
export type Codec = "wasm" | "ts";

const VARIABLE = "HAT_EVENTER_CODEC";

// The default: "wasm", or the environment variable HAT_EVENTER_CODEC when it
// is readable (the test suite runs everything again under "ts" with it).
function defaultCodec(): Codec {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno === undefined) return "wasm";
  try {
    const state = deno.permissions.querySync({
      name: "env",
      variable: VARIABLE,
    }).state;
    if (state !== "granted") return "wasm";
    const value = deno.env.get(VARIABLE);
    return value === "ts" ? "ts" : "wasm";
  } catch {
    return "wasm";
  }
}

let fallback: Codec | undefined;

/**
 * Checks a `codec` option; absent, gives the default (`"wasm"`, or
 * `HAT_EVENTER_CODEC` when set to `"ts"` and readable).
 *
 * @throws {TypeError} For anything but "wasm", "ts" or undefined.
 */
export function resolveCodec(codec: unknown): Codec {
  if (codec === undefined) return fallback ??= defaultCodec();
  if (codec !== "wasm" && codec !== "ts") {
    throw new TypeError(
      `Invalid codec: expected "wasm" or "ts", got ${
        JSON.stringify(codec) ?? String(codec)
      }`,
    );
  }
  return codec;
}
