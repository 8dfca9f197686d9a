// The prototype Wasm encoder of MsgRegisterReq (bench/_register_encoder/,
// compiled here at load with the same AssemblyScript as the core) and the
// staging of a request into its memory by JavaScript: the client register
// encode group of bench/eventer_bench.ts compares it with the TypeScript
// Writer. Sized for the benchmark's requests; bench/README.md has what it
// showed.

import assert from "node:assert/strict";
import asc from "npm:assemblyscript@0.28.20/asc";
import type { RegisterEvent } from "../event/mod.ts";
import { encodeRegisterReq } from "../eventer/_messages.ts";

const dir = new URL("./_register_encoder/", import.meta.url);

async function compile(): Promise<Uint8Array> {
  let wasm: Uint8Array | undefined;
  const stderr: string[] = [];
  const result = await asc.main([
    "index.ts",
    "--config",
    "asconfig.json",
    "--outFile",
    "encoder.wasm",
  ], {
    readFile: (name: string, baseDir: string) => {
      try {
        return Deno.readTextFileSync(new URL(`${baseDir}/${name}`, dir));
      } catch {
        return null;
      }
    },
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith(".wasm") && typeof contents !== "string") {
        wasm = contents;
      }
    },
    listFiles: () => [],
    stdout: { write: () => true } as never,
    stderr: {
      write: (s: string | Uint8Array) => {
        stderr.push(typeof s === "string" ? s : new TextDecoder().decode(s));
        return true;
      },
    } as never,
  });
  if (result.error !== null || wasm === undefined) {
    throw new Error(`${result.error}\n${stderr.join("")}`);
  }
  return wasm;
}

interface Exports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  encode8(s: number, n: number, out: number): number;
  encode16(s: number, n: number, out: number): number;
  encodeJoined(s: number, n: number, out: number, data: number): number;
}

const wasm = await compile();
const instance = await WebAssembly.instantiate(
  await WebAssembly.compile(wasm.slice().buffer),
);
const core = instance.exports as unknown as Exports;
const STRINGS = core.alloc(1 << 20);
const NUMBERS = core.alloc(1 << 19);
const OUT = core.alloc(1 << 20);
const DATA = core.alloc(1 << 20);
// The module's memory never grows after these: the views stay valid.
const bytes = new Uint8Array(core.memory.buffer);
const units = new Uint16Array(core.memory.buffer, STRINGS, 1 << 19);
const numbers = new Float64Array(core.memory.buffer, NUMBERS, 1 << 16);

function lone(): never {
  throw new TypeError("String holds a lone surrogate");
}

// The Writer's short-string loop (codec/writer.ts, `string`), without its
// length prefix; `p` and the result are offsets from STRINGS.
function stageUtf8(s: string, p: number): number {
  const buf = bytes;
  const len = s.length;
  let at = STRINGS + p;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[at++] = c;
    } else if (c < 0x800) {
      buf[at++] = 0xc0 | (c >> 6);
      buf[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[at++] = 0xe0 | (c >> 12);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
      buf[at++] = 0x80 | (c & 0x3f);
    } else {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (c >= 0xdc00 || d < 0xdc00 || d > 0xdfff) lone();
      i++;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      buf[at++] = 0xf0 | (c >> 18);
      buf[at++] = 0x80 | ((c >> 12) & 0x3f);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
      buf[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at - STRINGS;
}

// The units as they are (a pair checked whole); offsets in units.
function stageUtf16(s: string, p: number): number {
  const buf = units;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (c >= 0xdc00 || d < 0xdc00 || d > 0xdfff) lone();
      buf[p++] = c;
      buf[p++] = d;
      i++;
    } else {
      buf[p++] = c;
    }
  }
  return p;
}

/** How the prototype's strings reach the module's memory. */
export type Staging = "UTF-8" | "UTF-16" | "joined";
/** Every staging, in the benchmark's order. */
export const STAGINGS: readonly Staging[] = ["UTF-8", "UTF-16", "joined"];

function stageEach(
  events: readonly RegisterEvent[],
  stage: (s: string, p: number) => number,
  unit: number,
): number {
  let p = 0;
  let q = 0;
  numbers[q++] = events.length;
  for (const e of events) {
    numbers[q++] = e.type.length;
    for (const segment of e.type) {
      p = stage(segment, p);
      numbers[q++] = p;
    }
    q = stageTimestamp(e, q);
    const payload = e.payload;
    if (payload == null) {
      numbers[q++] = 0;
    } else if (payload.kind === "json") {
      numbers[q++] = 2;
      p = stage(JSON.stringify(payload.data), p);
      numbers[q++] = p;
    } else {
      numbers[q++] = 1;
      p = stage(payload.type, p);
      numbers[q++] = p;
      const data = payload.data;
      numbers[q++] = data.length;
      bytes.set(data, STRINGS + p * unit);
      p += (data.length + unit - 1) / unit | 0;
    }
  }
  return q;
}

function stageTimestamp(e: RegisterEvent, q: number): number {
  const t = e.sourceTimestamp;
  if (t == null) {
    numbers[q++] = 0;
  } else {
    numbers[q++] = 1;
    numbers[q++] = Number(t.s);
    numbers[q++] = t.us;
  }
  return q;
}

const utf8 = new TextEncoder();
const text = bytes.subarray(STRINGS, STRINGS + (1 << 20));

// The strings joined (their UTF-16 lengths in the numbers), checked and
// encoded by one TextEncoder call; binary data apart, at DATA.
function stageJoined(events: readonly RegisterEvent[]): number {
  let joined = "";
  let d = DATA;
  let q = 0;
  numbers[q++] = events.length;
  for (const e of events) {
    numbers[q++] = e.type.length;
    for (const segment of e.type) {
      joined += segment;
      numbers[q++] = segment.length;
    }
    q = stageTimestamp(e, q);
    const payload = e.payload;
    if (payload == null) {
      numbers[q++] = 0;
    } else if (payload.kind === "json") {
      numbers[q++] = 2;
      const json = JSON.stringify(payload.data);
      joined += json;
      numbers[q++] = json.length;
    } else {
      numbers[q++] = 1;
      joined += payload.type;
      numbers[q++] = payload.type.length;
      numbers[q++] = payload.data.length;
      bytes.set(payload.data, d);
      d += payload.data.length;
    }
  }
  if (!joined.isWellFormed()) lone();
  utf8.encodeInto(joined, text);
  return q;
}

/**
 * Stages a request into the module's memory (layout: the header of
 * bench/_register_encoder/index.ts); returns the count of numbers. Values
 * are not checked beyond their strings: a lower bound of what JavaScript
 * must do before any Wasm encoder can start.
 */
export function stageRequest(
  events: readonly RegisterEvent[],
  staging: Staging,
): number {
  if (staging === "joined") return stageJoined(events);
  return staging === "UTF-8"
    ? stageEach(events, stageUtf8, 1)
    : stageEach(events, stageUtf16, 2);
}

/**
 * The request's bytes from the prototype: staged, written by one call,
 * copied out of the module's memory.
 */
export function encodeRegisterReqWasm(
  events: readonly RegisterEvent[],
  staging: Staging,
): Uint8Array {
  stageRequest(events, staging);
  const n = staging === "UTF-8"
    ? core.encode8(STRINGS, NUMBERS, OUT)
    : staging === "UTF-16"
    ? core.encode16(STRINGS, NUMBERS, OUT)
    : core.encodeJoined(STRINGS, NUMBERS, OUT, DATA);
  return bytes.slice(OUT, OUT + n);
}

// `deno run -A bench/_wasm_register_encoder.ts` checks the prototype against
// the Writer on strings the benchmark does not have (kept out of it: they
// change what V8 makes of the Writer's loop, see bench/README.md).
if (import.meta.main) {
  const events: RegisterEvent[] = [
    { type: ["é", "€", "😀", ""], sourceTimestamp: null, payload: null },
    {
      type: ["a".repeat(300), "x"],
      sourceTimestamp: { s: -1, us: 999_999 },
      payload: { kind: "json", data: { "ü": ["😀", 1e300, null] } },
    },
    {
      type: [],
      sourceTimestamp: { s: 2 ** 40, us: 5 },
      payload: { kind: "binary", type: "ñ", data: new Uint8Array(77) },
    },
  ];
  for (const staging of STAGINGS) {
    assert.deepEqual(
      encodeRegisterReqWasm(events, staging),
      encodeRegisterReq(events),
    );
  }
  console.log("the prototype writes the Writer's bytes");
}
