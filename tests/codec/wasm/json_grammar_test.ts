// The JSON grammar of the Wasm eventer core (assembly/json.ts) against the
// TypeScript validator it mirrors (event/_json_text.ts): each text is the
// JSON payload of a one-event MsgRegisterReq; the core must accept exactly
// what isPythonJsonText accepts, and flag as needing Python's tokens
// exactly what isJsonText refuses.

import assert from "node:assert/strict";
import {
  E_FLAGS,
  EventCore,
  F_PYTHON,
} from "../../../codec/wasm/event_core.ts";
import { Writer } from "../../../codec/mod.ts";
import { isJsonText, isPythonJsonText } from "../../../event/_json_text.ts";
import { Prng } from "../../_prng.ts";
import {
  mutate,
  randomValue,
  TOKENS,
  ws,
} from "../../event/_json_text_random.ts";
import { hex } from "../../event/_json_text_oracle.ts";

const encoder = new TextEncoder();
const core = new EventCore();
const batch = core.batch();

/** A MsgRegisterReq of one event whose JSON payload is `text`. */
function request(text: Uint8Array): Uint8Array {
  const w = new Writer();
  w.uint(1); // one event
  w.uint(0); // type []
  w.byte(0x80); // no source timestamp
  w.byte(0x81); // a payload
  w.byte(0x81); // JSON
  w.uint(text.length);
  w.raw(text);
  return w.finish();
}

/** The core's verdict: "invalid", "plain" or "python". */
function verdict(text: Uint8Array): string {
  batch.clear();
  const n = batch.scanRegister(request(text));
  if (n !== 1) return "invalid";
  const flags = core.i32[(batch.entry(0) + E_FLAGS) >> 2];
  return (flags & F_PYTHON) !== 0 ? "python" : "plain";
}

function expected(text: Uint8Array): string {
  if (!isPythonJsonText(text, 0, text.length)) return "invalid";
  return isJsonText(text, 0, text.length) ? "plain" : "python";
}

function agrees(text: Uint8Array): string {
  const want = expected(text);
  assert.equal(verdict(text), want, hex(text));
  return want;
}

Deno.test("the core's JSON grammar agrees with the TypeScript validator on random and mutated texts", () => {
  const rng = new Prng(1414);
  const seen = new Map<string, number>();
  for (let n = 0; n < 20_000; n++) {
    let text = ws(rng) + randomValue(rng, 0) + ws(rng);
    if (rng.next() < 0.1) {
      text = `[${rng.pick(["NaN", "-Infinity", "Infinity", "-Inf"])}${
        rng.pick(["", ",1", " ]"])
      }]`;
    }
    const bytes = encoder.encode(text);
    agrees(bytes);
    const got = agrees(mutate(rng, bytes));
    seen.set(got, (seen.get(got) ?? 0) + 1);
  }
  assert.ok(
    (seen.get("plain") ?? 0) > 1000 && (seen.get("invalid") ?? 0) > 5000 &&
      (seen.get("python") ?? 0) > 50,
    JSON.stringify([...seen]),
  );
});

Deno.test("the core's JSON grammar agrees with the TypeScript validator on token sequences", () => {
  const rng = new Prng(1415);
  const tokens = [...TOKENS, "NaN", "Infinity", "-Infinity", "Na", "Infinit"];
  for (let n = 0; n < 30_000; n++) {
    let text = "";
    for (let k = 1 + rng.int(8); k > 0; k--) text += rng.pick(tokens);
    agrees(encoder.encode(text));
  }
});

Deno.test("the core's JSON grammar takes deep nesting without recursion", () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  assert.equal(agrees(encoder.encode(deep)), "plain");
  const open = "[".repeat(100_000) + "]".repeat(99_999);
  assert.equal(agrees(encoder.encode(open)), "invalid");
  assert.equal(agrees(encoder.encode('{"a": [NaN]}')), "python");
});
