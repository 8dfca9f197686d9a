// Helpers of the hardening tests: raw TCP peers that speak just enough
// chatter to get through the eventer init, and then misbehave.

import { encodeFrame } from "../../chatter/frame.ts";
import { encodeMsg } from "../../chatter/msg_codec.ts";
import type { Address } from "../../chatter/mod.ts";
import type { Event, RegisterEvent } from "../../event/mod.ts";
import { encodeInitReq, MSG_TYPE } from "../../eventer/_messages.ts";
import type { QueryType } from "../../event/mod.ts";

/** The whole frame of a `MsgInitReq` with message id 1. */
export function initFrame(
  clientName: string,
  subscriptions: QueryType[] = [],
): Uint8Array {
  const data = encodeInitReq({
    clientName,
    clientToken: null,
    subscriptions,
    serverId: null,
    persisted: false,
  });
  return encodeFrame(encodeMsg({
    id: 1,
    first: 1,
    owner: true,
    token: true,
    last: false,
    data: { type: MSG_TYPE.INIT_REQ, data },
  }));
}

/** Writes all of `bytes`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Resolves once the peer closed `conn` (reads and drops until EOF). */
export async function readUntilClosed(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return;
  }
}

/** Connects a raw TCP socket. */
export function rawConnect(addr: Address): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: addr.hostname, port: addr.port });
}

/** Closes a socket that may already be closed. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/**
 * A register callback that gives each request's events ids of one session
 * and notifies them, as an event server does.
 */
export function registrar(
  notify: (events: Event[]) => unknown,
): (info: unknown, events: RegisterEvent[]) => Event[] {
  let session = 0;
  return (_info, registerEvents) => {
    session += 1;
    const events = registerEvents.map((e, i) => ({
      id: { server: 1, session, instance: i + 1 },
      timestamp: { s: 1_700_000_000, us: 0 },
      ...e,
    }));
    notify(events);
    return events;
  };
}
