// Socket helpers of a chatter connection (chatter/connection.ts): its
// addresses and TCP_NODELAY.

import type { Address } from "./types.ts";

/** The address of a socket end, or an empty one when it has no hostname. */
export function toAddress(addr: Deno.Addr): Address {
  return "hostname" in addr
    ? { hostname: addr.hostname, port: addr.port }
    : { hostname: "", port: 0 };
}

/**
 * Turns Nagle's algorithm off on a TCP socket: a message written right after
 * another (a notification, then a response) must not wait for the peer's
 * delayed ACK (~40 ms). Deno's `TlsConn` has no such method; `connect` sets
 * it on the TCP socket before starting TLS, accepted TLS sockets keep the
 * system default.
 */
export function setNoDelay(conn: Deno.Conn): void {
  const tcp = conn as Partial<Deno.TcpConn>;
  if (typeof tcp.setNoDelay !== "function") return;
  try {
    tcp.setNoDelay(true);
  } catch {
    // A socket already closed by the peer: reading it will tell.
  }
}
