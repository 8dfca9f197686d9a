/**
 * A specialized SBS codec for `HatChatter.Msg`, the body of every chatter
 * frame. It writes and reads exactly what the generic repository would for
 * this one fixed Record, without walking a schema, so the transport's hot
 * path does not depend on it.
 *
 * @module
 */

import { Reader, uintSize, Writer } from "../codec/internal_mod.ts";
import { frameHeaderSize, writeFrameHeader } from "./frame.ts";

/**
 * `HatChatter.Msg` in the SBS value form: the body of a frame as the sender
 * wrote it (sender's view of the conversation).
 */
export interface WireMsg {
  /** Sender's message counter on the connection, from 1. */
  id: number;
  /** `id` of the conversation's first message. */
  first: number;
  /** Whether the sender owns the conversation. */
  owner: boolean;
  /** Carried for the reference; eventer does not use it. */
  token: boolean;
  /** Whether this is the conversation's last message. */
  last: boolean;
  /** `HatChatter.Data`: payload type name and its SBS encoding. */
  data: { type: string; data: Uint8Array };
}

const PATH = "HatChatter.Msg";

function checkId(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) {
    throw new TypeError(`${PATH}.${name}: expected a safe integer, got ${v}`);
  }
}

/**
 * Appends `msg` as one whole frame (header and body) to `writer`. On a
 * `TypeError` (an id that is not a safe integer, a type with a lone
 * surrogate) nothing is appended.
 *
 * @example
 * ```ts
 * import { Writer } from "@hat/eventer/codec";
 * import { writeMsgFrame } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const w = new Writer();
 * writeMsgFrame(w, {
 *   id: 1, first: 1, owner: true, token: true, last: false,
 *   data: { type: "A", data: new Uint8Array([9]) },
 * });
 * assert.deepEqual(
 *   w.finish(),
 *   new Uint8Array([1, 9, 0x81, 0x81, 1, 1, 0, 0x81, 0x41, 0x81, 9]),
 * );
 * ```
 *
 * @param writer Destination; the frame starts at `writer.pos`.
 * @param msg The message.
 */
export function writeMsgFrame(writer: Writer, msg: WireMsg): void {
  const { id, first } = msg;
  const { type, data } = msg.data;
  checkId("id", id);
  checkId("first", first);
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`${PATH}.data.data: expected Uint8Array`);
  }
  if (typeof type !== "string") {
    throw new TypeError(`${PATH}.data.type: expected string`);
  }
  const start = writer.pos;
  // The header's size depends on the body's, which depends on the UTF-8 size
  // of `type`: reserve for an upper bound and move the body in the rare case
  // that the exact header is shorter.
  const maxBody = uintSize(Math.abs(id)) + uintSize(Math.abs(first)) +
    3 + uintSize(type.length * 3) + type.length * 3 + uintSize(data.length) +
    data.length;
  const reserved = frameHeaderSize(maxBody);
  writer.ensure(reserved + maxBody);
  writer.pos = start + reserved;
  writer.integer(id);
  writer.integer(first);
  const buf = writer.buf;
  buf[writer.pos] = msg.owner ? 1 : 0;
  buf[writer.pos + 1] = msg.token ? 1 : 0;
  buf[writer.pos + 2] = msg.last ? 1 : 0;
  writer.pos += 3;
  if (!writer.string(type)) {
    writer.pos = start;
    throw new TypeError(`${PATH}.data.type: string has a lone surrogate`);
  }
  writer.bytes(data);
  const bodyStart = start + reserved;
  const n = writer.pos - bodyStart;
  const header = frameHeaderSize(n);
  if (header !== reserved) {
    writer.buf.copyWithin(start + header, bodyStart, writer.pos);
    writer.pos = start + header + n;
  }
  writeFrameHeader(writer.buf, start, n);
}

/**
 * Encodes the body of a frame: the SBS encoding of `HatChatter.Msg`.
 *
 * @example
 * ```ts
 * import { encodeMsg } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const body = encodeMsg({
 *   id: 64, first: 64, owner: true, token: true, last: true,
 *   data: { type: "", data: new Uint8Array() },
 * });
 * assert.deepEqual(body, new Uint8Array([0, 0xc0, 0, 0xc0, 1, 1, 1, 0x80, 0x80]));
 * ```
 *
 * @param msg The message.
 * @returns The body bytes.
 */
export function encodeMsg(msg: WireMsg): Uint8Array {
  const w = new Writer(64 + msg.data.data.length);
  writeMsgFrame(w, msg);
  const frame = w.peek();
  return frame.slice(1 + frame[0]);
}

/** Remembered decoded type names (they repeat: a protocol has few). */
const TYPE_CACHE_SIZE = 32;

/**
 * Decodes frame bodies into its own fields, reused for every message, so
 * decoding allocates only the payload (a copy, or a view when asked) and
 * the type name the first time it is seen. Throws `SbsDecodeError` for a body that is not a
 * `HatChatter.Msg`; trailing bytes are ignored, as in the reference.
 *
 * @example
 * ```ts
 * import { MsgDecoder } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const d = new MsgDecoder();
 * d.decode(new Uint8Array([0x81, 0x81, 1, 1, 0, 0x81, 0x41, 0x81, 9]));
 * assert.equal(d.id, 1);
 * assert.equal(d.type, "A");
 * assert.deepEqual(d.data, new Uint8Array([9]));
 * ```
 */
export class MsgDecoder {
  /** `id` of the last decoded message. */
  id = 0;
  /** `first` of the last decoded message. */
  first = 0;
  /** `owner` of the last decoded message. */
  owner = false;
  /** `token` of the last decoded message. */
  token = false;
  /** `last` of the last decoded message. */
  last = false;
  /** `data.type` of the last decoded message. */
  type = "";
  /**
   * `data.data` of the last decoded message: in a buffer of its own, or a
   * view of the decoded bytes when `decode` was asked for one.
   */
  data: Uint8Array = new Uint8Array(0);
  #reader = new Reader(new Uint8Array(0));
  #typeBytes: Uint8Array[] = [];
  #typeNames: string[] = [];
  #typeNext = 0;

  /**
   * Decodes one body, `body[start, end)`, into the fields of this decoder.
   *
   * @param body Bytes holding the frame body.
   * @param start Where the body starts.
   * @param end Where the body ends.
   * @param view Make {@linkcode MsgDecoder.data} a view of `body` instead
   *   of a copy; only for bytes that are never written again.
   */
  decode(
    body: Uint8Array,
    start = 0,
    end: number = body.length,
    view = false,
  ): void {
    const r = this.#reader;
    r.reset(body, start, end);
    this.id = this.#id(r, "HatChatter.Msg.id");
    this.first = this.#id(r, "HatChatter.Msg.first");
    this.owner = r.boolean("HatChatter.Msg.owner");
    this.token = r.boolean("HatChatter.Msg.token");
    this.last = r.boolean("HatChatter.Msg.last");
    this.type = this.#type(r);
    this.data = view
      ? r.bytesView("HatChatter.Msg.data.data")
      : r.bytesCopy("HatChatter.Msg.data.data");
  }

  #id(r: Reader, path: string): number {
    const at = r.pos;
    const v = r.integer(path);
    if (typeof v !== "number") r.fail("limit", path, `${v} is beyond 2^53`, at);
    return v;
  }

  #type(r: Reader): string {
    const at = r.pos;
    const n = r.length("HatChatter.Msg.data.type");
    const start = r.pos;
    const bytes = r.bytes;
    const known = this.#typeBytes;
    search: for (let i = 0; i < known.length; i++) {
      const k = known[i];
      if (k.length !== n) continue;
      for (let j = 0; j < n; j++) {
        if (k[j] !== bytes[start + j]) continue search;
      }
      r.pos = start + n;
      return this.#typeNames[i];
    }
    r.pos = at;
    const name = r.string("HatChatter.Msg.data.type");
    if (n <= 256) {
      const slot = this.#typeNext;
      this.#typeBytes[slot] = bytes.slice(start, start + n);
      this.#typeNames[slot] = name;
      this.#typeNext = (slot + 1) % TYPE_CACHE_SIZE;
    }
    return name;
  }
}

/**
 * Decodes a frame body into the SBS value form of `HatChatter.Msg`.
 *
 * @example
 * ```ts
 * import { decodeMsg } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const msg = decodeMsg(new Uint8Array([0x82, 0x81, 0, 1, 1, 0x80, 0x80]));
 * assert.deepEqual(msg, {
 *   id: 2, first: 1, owner: false, token: true, last: true,
 *   data: { type: "", data: new Uint8Array() },
 * });
 * ```
 *
 * @param body The frame body.
 * @returns The message.
 */
export function decodeMsg(body: Uint8Array): WireMsg {
  const d = new MsgDecoder();
  d.decode(body);
  return {
    id: d.id,
    first: d.first,
    owner: d.owner,
    token: d.token,
    last: d.last,
    data: { type: d.type, data: d.data },
  };
}
