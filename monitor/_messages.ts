// The HatObserver messages of the component side: their type names, the
// MsgClient a component writes and the MsgServer it reads. The monitor's
// other messages (MsgSlave, MsgMaster) are not a component's business.

import { Repository, SbsError, type SbsValue } from "../codec/mod.ts";
import { ObserverProtocolError } from "./errors.ts";
import { OBSERVER_SBS } from "./observer_schema.ts";
import type {
  BlessingReq,
  BlessingRes,
  ComponentInfo,
  JsonValue,
} from "./types.ts";

/** The `data.type` names of the component side's messages. */
export const MSG_CLIENT = "HatObserver.MsgClient";
export const MSG_SERVER = "HatObserver.MsgServer";
export const MSG_CLOSE = "HatObserver.MsgClose";

const repo = new Repository(OBSERVER_SBS);

type Optional<T> = ["none", null] | ["value", T];

function optional<T>(value: T | null): Optional<T> {
  return value === null ? ["none", null] : ["value", value];
}

/** What a component publishes with each `MsgClient`. */
export interface ClientMessage {
  readonly name: string;
  readonly group: string;
  /** The data as JSON text (Python's `json.dumps` form). */
  readonly data: string;
  readonly blessingRes: BlessingRes;
}

/** Encodes a `HatObserver.MsgClient`. */
export function encodeMsgClient(msg: ClientMessage): Uint8Array {
  return repo.encode(MSG_CLIENT, {
    name: msg.name,
    group: msg.group,
    data: msg.data,
    blessingRes: {
      token: optional(msg.blessingRes.token),
      ready: msg.blessingRes.ready,
    },
  });
}

/** A decoded `HatObserver.MsgServer`. */
export interface ServerMessage {
  readonly cid: number;
  readonly mid: number;
  readonly components: ComponentInfo[];
}

interface SbsBlessingReq {
  token: Optional<number | bigint>;
  timestamp: Optional<number>;
}

interface SbsBlessingRes {
  token: Optional<number | bigint>;
  ready: boolean;
}

interface SbsComponentInfo {
  cid: number | bigint;
  mid: number | bigint;
  name: Optional<string>;
  group: Optional<string>;
  data: string;
  rank: number | bigint;
  blessingReq: SbsBlessingReq;
  blessingRes: SbsBlessingRes;
}

interface SbsMsgServer {
  cid: number | bigint;
  mid: number | bigint;
  components: SbsComponentInfo[];
}

function fail(problem: string, cause?: unknown): never {
  throw new ObserverProtocolError(MSG_SERVER, problem, { cause });
}

// SBS Integers beyond 2^53 decode as bigints: ids and tokens that large are
// not something a monitor hands out, and would not compare as numbers.
function int(value: number | bigint, what: string): number {
  if (typeof value === "bigint") fail(`${what} ${value} is out of range`);
  return value;
}

function maybeInt(value: Optional<number | bigint>, what: string) {
  return value[0] === "none" ? null : int(value[1], what);
}

function blessingReq(v: SbsBlessingReq, at: string): BlessingReq {
  return {
    token: maybeInt(v.token, `${at}.blessingReq.token`),
    timestamp: v.timestamp[1],
  };
}

function blessingRes(v: SbsBlessingRes, at: string): BlessingRes {
  return {
    token: maybeInt(v.token, `${at}.blessingRes.token`),
    ready: v.ready,
  };
}

function parseData(text: string, at: string): JsonValue {
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(`${at}.data is not JSON: ${JSON.stringify(text.slice(0, 64))}`, e);
  }
}

function componentInfo(v: SbsComponentInfo, i: number): ComponentInfo {
  const at = `components[${i}]`;
  return {
    cid: int(v.cid, `${at}.cid`),
    mid: int(v.mid, `${at}.mid`),
    name: v.name[1],
    group: v.group[1],
    data: parseData(v.data, at),
    rank: int(v.rank, `${at}.rank`),
    blessingReq: blessingReq(v.blessingReq, at),
    blessingRes: blessingRes(v.blessingRes, at),
  };
}

/**
 * Decodes a `HatObserver.MsgServer`.
 *
 * @throws {ObserverProtocolError} When the bytes are not one, or carry an
 * id out of range or data that is not JSON.
 */
export function decodeMsgServer(bytes: Uint8Array): ServerMessage {
  let value: SbsValue;
  try {
    value = repo.decode(MSG_SERVER, bytes);
  } catch (e) {
    if (!(e instanceof SbsError)) throw e;
    fail(e.message, e);
  }
  const msg = value as unknown as SbsMsgServer;
  return {
    cid: int(msg.cid, "cid"),
    mid: int(msg.mid, "mid"),
    components: msg.components.map(componentInfo),
  };
}
