// The client's register requests with codec "wasm": the events' strings
// and numbers staged in a RegisterWriter (codec/wasm/register.ts) and the
// request written by one call of the clients' core, the bytes of
// encodeRegisterReq (_messages.ts). Only what that is faster for goes this
// way (bench/README.md, "Client decode and register encode"): requests of
// types, source timestamps and JSON payloads. Binary payloads, what the
// TypeScript writer treats apart (JSON kept as text, bigint seconds, a
// timestamp not in its common form), anything invalid and a request of
// more than MAX_TEXT units of text go to the TypeScript writer, which also
// gives the reference error of a bad request.

import { RegisterWriter } from "../codec/wasm/internal_mod.ts";
import { jsonPayloadText } from "../event/internal_mod.ts";
import { JsonTextPayload, type RegisterEvent } from "../event/mod.ts";
import { clientCore } from "./_event_batch.ts";
import { encodeRegisterReq } from "./_messages.ts";

// Beyond this the text's one TextEncoder call no longer beats the
// writer's own (which takes long strings to TextEncoder anyway), and the
// core's memory would grow for it.
const MAX_TEXT = 1 << 20;

let writer: RegisterWriter | undefined;
// A toJSON that registers from inside JSON.stringify finds the writer
// busy: its request goes to the TypeScript writer.
let busy = false;

/**
 * Encodes `HatEventer.MsgRegisterReq` through the Wasm core where that is
 * faster, through the TypeScript writer otherwise: the bytes and errors of
 * `encodeRegisterReq`.
 */
export function encodeRegisterReqWasm(
  events: readonly RegisterEvent[],
): Uint8Array {
  return writeRegisterReqWasm(events) ?? encodeRegisterReq(events);
}

/**
 * Writes `HatEventer.MsgRegisterReq` through the Wasm core; `null` when
 * the request is not one for it (see the file's header). With `binary`,
 * binary payloads are taken too (for the benchmark that shows why they
 * are not).
 */
export function writeRegisterReqWasm(
  events: readonly RegisterEvent[],
  binary = false,
): Uint8Array | null {
  if (busy || !Array.isArray(events)) return null;
  busy = true;
  try {
    const w = writer ??= new RegisterWriter(clientCore());
    return stage(w, events, binary) ? w.write() : null;
  } finally {
    busy = false;
  }
}

function stage(
  w: RegisterWriter,
  events: readonly RegisterEvent[],
  binary: boolean,
): boolean {
  const n = events.length;
  w.events(n);
  for (let i = 0; i < n; i++) {
    const e = events[i];
    if (typeof e !== "object" || e === null) return false;
    const type = e.type;
    if (!Array.isArray(type)) return false;
    const segments = type.length;
    w.type(segments);
    for (let j = 0; j < segments; j++) {
      const segment = type[j];
      if (typeof segment !== "string" || !w.string(segment)) return false;
    }
    const t = e.sourceTimestamp;
    if (t == null) {
      w.noTimestamp();
    } else {
      const s = t.s;
      const us = t.us;
      if (
        typeof s !== "number" || !Number.isSafeInteger(s) ||
        typeof us !== "number" || !Number.isInteger(us) || us < 0 ||
        us > 999_999
      ) {
        return false;
      }
      w.timestamp(s, us);
    }
    const p = e.payload;
    if (p == null) {
      w.noPayload();
    } else if (p.kind === "json" && !(p instanceof JsonTextPayload)) {
      let text: string;
      try {
        text = jsonPayloadText(
          p,
          "HatEventer.EventPayload",
          "HatEventer.RegisterEvent.payload.value",
        );
      } catch {
        // The writer throws the error, or an earlier one of the request.
        return false;
      }
      if (!w.json(text)) return false;
    } else if (
      binary && p.kind === "binary" && typeof p.type === "string" &&
      p.data instanceof Uint8Array
    ) {
      if (!w.binary(p.type, p.data)) return false;
    } else {
      return false;
    }
    if (w.textLength > MAX_TEXT) return false;
  }
  return true;
}
