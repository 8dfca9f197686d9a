// Raw chatter frames for the transcript tests: a socket that reads whole
// frames, and the comparison of a frame with a recorded one
// (tests/testdata/vectors/README.md: event timestamps aside, JSON payloads by
// parsed value).

import assert from "node:assert/strict";
import { Repository, type SbsValue } from "../../codec/mod.ts";
import { CHATTER_SBS } from "../../chatter/mod.ts";
import {
  EVENTER_SBS,
  eventsFromSbs,
  queryParamsFromSbs,
  queryResultFromSbs,
  registerEventsFromSbs,
} from "../../event/mod.ts";
import { fromJsonForm } from "../codec/_json_form.ts";
import { fromHex, toHex } from "../_vectors.ts";

/** One recorded frame of a transcript. */
export interface Entry {
  dir: "c2s" | "s2c";
  hex: string;
  t_ms: number;
  msg: {
    id: number;
    first: number;
    owner: boolean;
    token: boolean;
    last: boolean;
    data: { type: string; data: unknown };
  };
  inner?: unknown;
}

const chatterRepo = new Repository(CHATTER_SBS);
const eventerRepo = new Repository(EVENTER_SBS);

/** Reads whole chatter frames from a TCP connection. */
export class FrameSocket {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The next whole frame (header included), or null at EOF. */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const size = this.#frameSize();
      if (size !== undefined && this.#buf.length >= size) {
        const frame = this.#buf.slice(0, size);
        this.#buf = this.#buf.slice(size);
        return frame;
      }
      const chunk = new Uint8Array(65536);
      const n = await this.#conn.read(chunk);
      if (n === null) return null;
      const next = new Uint8Array(this.#buf.length + n);
      next.set(this.#buf);
      next.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = next;
    }
  }

  #frameSize(): number | undefined {
    const b = this.#buf;
    if (b.length < 1 || b.length < 1 + b[0]) return undefined;
    let n = 0;
    for (let i = 1; i <= b[0]; i++) n = n * 256 + b[i];
    return 1 + b[0] + n;
  }

  /** Writes bytes. */
  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await this.#conn.write(bytes.subarray(off));
    }
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** The recorded bytes of an entry. */
export function entryBytes(entry: Entry): Uint8Array {
  return fromHex(entry.hex);
}

// The model value of a decoded payload, where JSON payloads are parsed.
const TO_MODEL: Record<string, (v: SbsValue) => unknown> = {
  "HatEventer.MsgEventsNotify": eventsFromSbs,
  "HatEventer.MsgRegisterReq": registerEventsFromSbs,
  "HatEventer.MsgRegisterRes": (v) => {
    const [name, x] = v as [string, SbsValue];
    return name === "events" ? [name, eventsFromSbs(x)] : v;
  },
  "HatEventer.MsgQueryReq": queryParamsFromSbs,
  "HatEventer.MsgQueryRes": queryResultFromSbs,
};

function withoutTimestamps(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutTimestamps);
  if (typeof v !== "object" || v === null || v instanceof Uint8Array) return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = withoutTimestamps(x);
  if ("id" in o && "type" in o && "timestamp" in o) out.timestamp = null;
  return out;
}

function model(type: string, sbs: SbsValue, ignoreTimestamps: boolean) {
  const m = (TO_MODEL[type] ?? ((x: SbsValue) => x))(sbs);
  return ignoreTimestamps ? withoutTimestamps(m) : m;
}

/** Whether a recorded payload holds a JSON payload (text may differ). */
function hasJson(entry: Entry): boolean {
  return /"json"/.test(JSON.stringify(entry.inner ?? null));
}

/**
 * Asserts that `frame` is the recorded frame: the same bytes, or, where
 * the recorded payload holds JSON payloads or server timestamps that may
 * differ, the same chatter fields and the same payload model.
 *
 * @returns Whether the bytes were identical.
 */
export function assertSameFrame(
  frame: Uint8Array,
  entry: Entry,
  options: { ignoreTimestamps: boolean },
): boolean {
  const exact = toHex(frame) === entry.hex;
  const body = frame.subarray(1 + frame[0]);
  const msg = chatterRepo.decode("HatChatter.Msg", body) as {
    id: number;
    first: number;
    owner: boolean;
    token: boolean;
    last: boolean;
    data: { type: string; data: Uint8Array };
  };
  const where = `frame ${entry.msg.id} ${entry.dir} ${entry.msg.data.type}`;
  assert.deepEqual(
    [msg.id, msg.first, msg.owner, msg.token, msg.last, msg.data.type],
    [
      entry.msg.id,
      entry.msg.first,
      entry.msg.owner,
      entry.msg.token,
      entry.msg.last,
      entry.msg.data.type,
    ],
    where,
  );
  const type = msg.data.type;
  if (type.startsWith("HatEventer.")) {
    const actual = eventerRepo.decode(type, msg.data.data);
    const recorded = fromJsonForm(eventerRepo.resolve(type), entry.inner);
    assert.deepEqual(
      model(type, actual, options.ignoreTimestamps),
      model(type, recorded, options.ignoreTimestamps),
      where,
    );
  } else {
    assert.equal(msg.data.data.length, 0, where);
  }
  const eventsWithTimestamps = options.ignoreTimestamps &&
    /"timestamp"/.test(JSON.stringify(entry.inner ?? null));
  if (!hasJson(entry) && !eventsWithTimestamps) {
    assert.ok(exact, `${where}: bytes differ\n${toHex(frame)}\n${entry.hex}`);
  }
  return exact;
}
