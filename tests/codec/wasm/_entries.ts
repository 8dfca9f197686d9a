// Reading the entries of an EventBatch back as plain values, and the same
// plain form of the TypeScript decoders' events, for the differential
// tests of the Wasm eventer core.

import {
  E_FLAGS,
  E_INSTANCE,
  E_NAME,
  E_PAY_LEN,
  E_PAY_START,
  E_SERVER,
  E_SESSION,
  E_SRC_S,
  E_SRC_US,
  E_TS_S,
  E_TS_US,
  E_TYPE,
  type EventBatch,
  F_BINARY,
  F_JSON,
  F_SRC,
} from "../../../codec/wasm/event_core.ts";
import type {
  Event,
  EventPayload,
  RegisterEvent,
  Timestamp,
} from "../../../event/mod.ts";
import { JsonTextPayload } from "../../../event/json_text_payload.ts";

/** An event in a form both sides can be compared in. */
export interface Plain {
  id?: [number, number, number];
  timestamp?: [string, number];
  type: readonly string[];
  source: [string, number] | null;
  payload:
    | null
    | { binary: string; data: number[] }
    | { json: string };
}

const utf8 = new TextDecoder();

function seconds(i32: Int32Array, at: number): string {
  const lo = BigInt(i32[at >> 2] >>> 0);
  const hi = BigInt(i32[(at >> 2) + 1]);
  return String((hi << 32n) + lo);
}

/** The events of a batch as plain values. */
export function fromBatch(batch: EventBatch, withIds: boolean): Plain[] {
  const core = batch.core;
  const out: Plain[] = [];
  for (let i = 0; i < batch.length; i++) {
    const e = batch.entry(i);
    const i32 = core.i32;
    const f64 = core.f64;
    const u8 = core.u8;
    const flags = i32[(e + E_FLAGS) >> 2];
    const plain: Plain = {
      type: core.typeStrings(i32[(e + E_TYPE) >> 2]),
      source: (flags & F_SRC) !== 0
        ? [seconds(i32, e + E_SRC_S), i32[(e + E_SRC_US) >> 2]]
        : null,
      payload: null,
    };
    const start = i32[(e + E_PAY_START) >> 2];
    const len = i32[(e + E_PAY_LEN) >> 2];
    if ((flags & F_BINARY) !== 0) {
      plain.payload = {
        binary: core.typeName(i32[(e + E_NAME) >> 2]),
        data: Array.from(u8.subarray(start, start + len)),
      };
    } else if ((flags & F_JSON) !== 0) {
      plain.payload = { json: utf8.decode(u8.subarray(start, start + len)) };
    }
    if (withIds) {
      plain.id = [
        f64[(e + E_SERVER) >> 3],
        f64[(e + E_SESSION) >> 3],
        f64[(e + E_INSTANCE) >> 3],
      ];
      plain.timestamp = [seconds(i32, e + E_TS_S), i32[(e + E_TS_US) >> 2]];
    }
    out.push(plain);
  }
  return out;
}

function ts(t: Timestamp): [string, number] {
  return [String(t.s), t.us];
}

function payload(p: EventPayload | null): Plain["payload"] {
  if (p === null) return null;
  if (p.kind === "binary") return { binary: p.type, data: Array.from(p.data) };
  if (p instanceof JsonTextPayload) return { json: p.text };
  return { json: JSON.stringify(p.data) };
}

/** Register events as plain values. */
export function fromRegisterEvents(events: readonly RegisterEvent[]): Plain[] {
  return events.map((e) => ({
    type: [...e.type],
    source: e.sourceTimestamp === null ? null : ts(e.sourceTimestamp),
    payload: payload(e.payload),
  }));
}

/** Events as plain values. */
export function fromEvents(events: readonly Event[]): Plain[] {
  return events.map((e) => ({
    type: [...e.type],
    source: e.sourceTimestamp === null ? null : ts(e.sourceTimestamp),
    payload: payload(e.payload),
    id: [e.id.server, e.id.session, e.id.instance],
    timestamp: ts(e.timestamp),
  }));
}
