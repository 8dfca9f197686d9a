// The HatEventer messages: their type names and their encodings. Events and
// register events take the direct path of _event_write.ts and
// _event_read.ts; the query parameters, which need the model's defaults
// and checks, take the reference path (Repository + the model's SBS
// conversions).

import {
  Reader,
  Repository,
  SbsDecodeError,
  type SbsValue,
  WasmDecoder,
  Writer,
} from "../codec/mod.ts";
import {
  type Event,
  EVENTER_SBS,
  EventSbsError,
  type QueryParams,
  queryParamsFromSbs,
  queryParamsToSbs,
  type QueryResult,
  type QueryType,
  type RegisterEvent,
  type Status,
} from "../event/mod.ts";
import {
  writeEvents,
  writeEventType,
  writeRegisterEvents,
} from "./_event_write.ts";
import {
  readEvents,
  readEventType,
  readRegisterEvents,
} from "./_event_read.ts";

/** The `data.type` names of the eventer messages. */
export const MSG_TYPE = {
  INIT_REQ: "HatEventer.MsgInitReq",
  INIT_RES: "HatEventer.MsgInitRes",
  STATUS_NOTIFY: "HatEventer.MsgStatusNotify",
  EVENTS_NOTIFY: "HatEventer.MsgEventsNotify",
  EVENTS_ACK: "HatEventer.MsgEventsAck",
  REGISTER_REQ: "HatEventer.MsgRegisterReq",
  REGISTER_RES: "HatEventer.MsgRegisterRes",
  QUERY_REQ: "HatEventer.MsgQueryReq",
  QUERY_RES: "HatEventer.MsgQueryRes",
} as const;

/** Empty payload (`HatEventer.MsgEventsAck` is None). */
export const EMPTY: Uint8Array = new Uint8Array(0);

const STATUSES: readonly Status[] = [
  "standby",
  "starting",
  "operational",
  "stopping",
];

/** The decoded `HatEventer.MsgInitReq`. */
export interface InitRequest {
  readonly clientName: string;
  readonly clientToken: string | null;
  readonly subscriptions: readonly QueryType[];
  readonly serverId: number | null;
  readonly persisted: boolean;
}

/** The decoded `HatEventer.MsgInitRes`. */
export type InitResponse =
  | { readonly kind: "success"; readonly status: Status }
  | { readonly kind: "error"; readonly message: string };

let repository: Repository | undefined;

function repo(): Repository {
  return repository ??= new Repository(EVENTER_SBS);
}

const shared = new Writer(1 << 16);
let sharedBusy = false;

// Encoded messages are handed out as views of a slab: one ArrayBuffer per
// 256 KiB of messages instead of one per message (an ArrayBuffer is costly
// to make and to collect; chatter copies a message into its frame anyway).
const SLAB_SIZE = 256 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabPos = 0;

function copyOut(w: Writer): Uint8Array {
  const n = w.pos;
  if (n > SLAB_SIZE / 8) return w.finish();
  if (slabPos + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabPos = 0;
  }
  const out = slab.subarray(slabPos, slabPos + n);
  out.set(w.buf.subarray(0, n));
  slabPos += n;
  return out;
}

/** Runs `fn` on an empty writer and returns a copy of what it wrote. */
function encode(fn: (w: Writer) => void): Uint8Array {
  if (sharedBusy) {
    // Re-entered (from a toJSON of a payload): use a writer of its own.
    const w = new Writer();
    fn(w);
    return w.finish();
  }
  sharedBusy = true;
  try {
    shared.reset();
    fn(shared);
    return copyOut(shared);
  } finally {
    sharedBusy = false;
  }
}

function end(r: Reader, type: string): void {
  if (r.pos !== r.end) {
    r.fail("trailing", type, `${r.end - r.pos} bytes after the value`);
  }
}

function choice(r: Reader, type: string, count: number): number {
  const at = r.pos;
  const c = r.integer(type);
  if (typeof c !== "number" || c < 0 || c >= count) {
    r.fail("choice", type, `invalid choice index ${c}`, at);
  }
  return c;
}

function writeStatus(w: Writer, status: Status): void {
  const i = STATUSES.indexOf(status);
  if (i < 0) {
    throw new TypeError(
      `Invalid status: expected one of ${STATUSES.join(", ")}, got ${
        JSON.stringify(status) ?? String(status)
      }`,
    );
  }
  w.uint(i);
}

/** Encodes `HatEventer.MsgInitReq`. */
export function encodeInitReq(req: InitRequest): Uint8Array {
  return encode((w) => {
    if (!w.string(req.clientName)) {
      throw new TypeError("Invalid client name: holds a lone surrogate");
    }
    if (req.clientToken == null) {
      w.byte(0x80);
    } else {
      w.byte(0x81);
      if (!w.string(req.clientToken)) {
        throw new TypeError("Invalid client token: holds a lone surrogate");
      }
    }
    w.uint(req.subscriptions.length);
    for (const q of req.subscriptions) {
      writeEventType(w, q, "HatEventer.MsgInitReq.subscriptions");
    }
    if (req.serverId == null) {
      w.byte(0x80);
    } else {
      w.byte(0x81);
      w.integer(req.serverId);
    }
    w.boolean(req.persisted);
  });
}

/** Decodes `HatEventer.MsgInitReq`. */
export function decodeInitReq(data: Uint8Array): InitRequest {
  const t = "HatEventer.MsgInitReq";
  const r = new Reader(data);
  const clientName = r.string(`${t}.clientName`);
  const clientToken = choice(r, `${t}.clientToken`, 2) === 1
    ? r.string(`${t}.clientToken`)
    : null;
  const n = r.length(`${t}.subscriptions`, 1);
  const subscriptions: QueryType[] = new Array(n);
  for (let i = 0; i < n; i++) {
    subscriptions[i] = readEventType(r, `${t}.subscriptions`);
  }
  let serverId: number | null = null;
  if (choice(r, `${t}.serverId`, 2) === 1) {
    const v = r.integer(`${t}.serverId`);
    if (typeof v !== "number") {
      throw new EventSbsError(
        t,
        "serverId.value",
        `integer ${v} is outside the safe integer range`,
      );
    }
    serverId = v;
  }
  const persisted = r.boolean(`${t}.persisted`);
  end(r, t);
  return { clientName, clientToken, subscriptions, serverId, persisted };
}

/** Encodes `HatEventer.MsgInitRes`. */
export function encodeInitRes(res: InitResponse): Uint8Array {
  return encode((w) => {
    if (res.kind === "success") {
      w.byte(0x80);
      writeStatus(w, res.status);
    } else {
      w.byte(0x81);
      // A message with a lone surrogate is sent with it replaced.
      if (!w.string(res.message)) w.string(res.message.toWellFormed());
    }
  });
}

/** Decodes `HatEventer.MsgInitRes`. */
export function decodeInitRes(data: Uint8Array): InitResponse {
  const t = "HatEventer.MsgInitRes";
  const r = new Reader(data);
  let res: InitResponse;
  if (choice(r, t, 2) === 0) {
    res = { kind: "success", status: STATUSES[choice(r, `${t}.success`, 4)] };
  } else {
    res = { kind: "error", message: r.string(`${t}.error`) };
  }
  end(r, t);
  return res;
}

/** Encodes `HatEventer.MsgStatusNotify`. */
export function encodeStatus(status: Status): Uint8Array {
  return encode((w) => writeStatus(w, status));
}

/** Decodes `HatEventer.MsgStatusNotify`. */
export function decodeStatus(data: Uint8Array): Status {
  const t = "HatEventer.MsgStatusNotify";
  const r = new Reader(data);
  const status = STATUSES[choice(r, t, 4)];
  end(r, t);
  return status;
}

/** Encodes `HatEventer.MsgEventsNotify`. */
export function encodeEvents(events: readonly Event[]): Uint8Array {
  return encode((w) => writeEvents(w, events));
}

/** Decodes `HatEventer.MsgEventsNotify`. */
export function decodeEvents(data: Uint8Array): Event[] {
  const t = "HatEventer.MsgEventsNotify";
  const r = new Reader(data);
  const events = readEvents(r, t);
  end(r, t);
  return events;
}

/** Encodes `HatEventer.MsgRegisterReq`. */
export function encodeRegisterReq(
  events: readonly RegisterEvent[],
): Uint8Array {
  return encode((w) => writeRegisterEvents(w, events));
}

/**
 * Decodes `HatEventer.MsgRegisterReq`; with `keepRaw` the events remember
 * their bytes (see `readRegisterEvent`), so `data` must never change; with
 * `jsonText` JSON payloads are kept as text (`JsonTextPayload`).
 */
export function decodeRegisterReq(
  data: Uint8Array,
  keepRaw: boolean,
  jsonText = false,
): RegisterEvent[] {
  const t = "HatEventer.MsgRegisterReq";
  const r = new Reader(data);
  const events = readRegisterEvents(r, t, keepRaw, jsonText);
  end(r, t);
  return events;
}

/** Encodes `HatEventer.MsgRegisterRes` (`null`: `failure`). */
export function encodeRegisterRes(events: readonly Event[] | null): Uint8Array {
  return encode((w) => {
    if (events === null) {
      w.byte(0x81);
    } else {
      w.byte(0x80);
      writeEvents(w, events);
    }
  });
}

/** Decodes `HatEventer.MsgRegisterRes` (`null`: `failure`). */
export function decodeRegisterRes(data: Uint8Array): Event[] | null {
  const t = "HatEventer.MsgRegisterRes";
  const r = new Reader(data);
  const events = choice(r, t, 2) === 0 ? readEvents(r, `${t}.events`) : null;
  end(r, t);
  return events;
}

/** Encodes `HatEventer.MsgQueryReq`. */
export function encodeQueryReq(params: QueryParams): Uint8Array {
  return repo().encode("HatEventer.MsgQueryReq", queryParamsToSbs(params));
}

/** Decodes `HatEventer.MsgQueryReq`, with the Python defaults filled in. */
export function decodeQueryReq(data: Uint8Array): QueryParams {
  const v: SbsValue = repo().decode("HatEventer.MsgQueryReq", data);
  return queryParamsFromSbs(v);
}

let wasmDecoder: WasmDecoder | undefined;

/**
 * Decodes `HatEventer.MsgQueryReq` through the Wasm core's SBS decoder
 * (codec "wasm"): one call checks it, the value is built from its tape;
 * the same values and errors as {@linkcode decodeQueryReq} (which gives
 * the error of what the Wasm decoder refuses).
 */
export function decodeQueryReqWasm(data: Uint8Array): QueryParams {
  wasmDecoder ??= new WasmDecoder(repo());
  let v: SbsValue;
  try {
    v = wasmDecoder.decode("HatEventer.MsgQueryReq", data);
  } catch (e) {
    // Refused: the reference decoder throws its own error (same reason
    // and offset, its path and words).
    if (e instanceof SbsDecodeError) return decodeQueryReq(data);
    throw e;
  }
  return queryParamsFromSbs(v);
}

/** Encodes `HatEventer.MsgQueryRes`. */
export function encodeQueryRes(result: QueryResult): Uint8Array {
  if (typeof result !== "object" || result === null) {
    throw new TypeError(
      `Invalid query result: expected { events, moreFollows }, got ${result}`,
    );
  }
  if (typeof result.moreFollows !== "boolean") {
    throw new TypeError(
      `Invalid query result: moreFollows must be a boolean, got ${typeof result
        .moreFollows}`,
    );
  }
  return encode((w) => {
    writeEvents(w, result.events);
    w.boolean(result.moreFollows);
  });
}

/** Decodes `HatEventer.MsgQueryRes`. */
export function decodeQueryRes(data: Uint8Array): QueryResult {
  const t = "HatEventer.MsgQueryRes";
  const r = new Reader(data);
  const events = readEvents(r, `${t}.events`);
  const moreFollows = r.boolean(`${t}.moreFollows`);
  end(r, t);
  return { events, moreFollows };
}
