/**
 * Opening a chatter connection to a server.
 *
 * @module
 */

import { Connection } from "./connection.ts";
import { ConnectionError } from "./errors.ts";
import { resolveOptions } from "./_options.ts";
import type { Address, ConnectionOptions } from "./types.ts";

/** TLS settings of a client. */
export interface ConnectTlsOptions {
  /**
   * Extra root certificates (PEM) to trust, e.g. a private CA.
   *
   * @default {[]}
   */
  caCerts?: string[];
  /**
   * Name the server's certificate must carry, when it differs from the
   * address connected to (e.g. `localhost` when connecting to `127.0.0.1`).
   *
   * @default {addr.hostname}
   */
  hostname?: string;
}

/** Options of {@linkcode connect}. */
export interface ConnectOptions extends ConnectionOptions {
  /** Aborts connecting (not the connection once made). */
  signal?: AbortSignal;
  /** Connect over TLS with these settings; plain TCP when absent. */
  tls?: ConnectTlsOptions;
}

async function open(
  addr: Address,
  options: ConnectOptions,
): Promise<Deno.Conn> {
  const { hostname, port } = addr;
  const tls = options.tls;
  if (tls === undefined) return await Deno.connect({ hostname, port });
  if (tls.hostname === undefined || tls.hostname === hostname) {
    const conn = await Deno.connectTls({
      hostname,
      port,
      caCerts: tls.caCerts,
    });
    return await handshake(conn);
  }
  const tcp = await Deno.connect({ hostname, port });
  try {
    const conn = await Deno.startTls(tcp, {
      hostname: tls.hostname,
      caCerts: tls.caCerts,
    });
    return await handshake(conn);
  } catch (e) {
    closeQuietly(tcp);
    throw e;
  }
}

/** Completes the handshake now, so a bad certificate fails `connect`. */
async function handshake(conn: Deno.TlsConn): Promise<Deno.Conn> {
  try {
    await conn.handshake();
    return conn;
  } catch (e) {
    closeQuietly(conn);
    throw e;
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/**
 * Connects to a chatter server at `addr` (over TLS when `options.tls` is
 * given). Rejects with {@linkcode ConnectionError} when the connection
 * cannot be made, or with the signal's reason when `options.signal` aborts
 * first.
 *
 * @example
 * ```ts
 * import { connect, listen } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen(() => {}, { hostname: "127.0.0.1", port: 0 });
 * await using conn = await connect(server.addrs[0], { pingDelay: 5 });
 * assert.ok(conn.isOpen);
 * assert.equal(conn.remoteAddr.port, server.addrs[0].port);
 * ```
 *
 * @param addr Server address.
 * @param options Connection, TLS and abort options.
 * @returns The open connection.
 */
export async function connect(
  addr: Address,
  options: ConnectOptions = {},
): Promise<Connection> {
  const signal = options.signal;
  signal?.throwIfAborted();
  // Invalid options fail before any socket exists.
  resolveOptions(options);
  let pending: Promise<Deno.Conn> = open(addr, options).catch((e) => {
    throw new ConnectionError(
      `Cannot connect to ${addr.hostname}:${addr.port}: ${e?.message ?? e}`,
      { cause: e },
    );
  });
  if (signal !== undefined) {
    const { promise: aborted, reject } = Promise.withResolvers<never>();
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const connecting = pending;
    pending = Promise.race([connecting, aborted]).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
    // A connection that completes after the abort is closed at once.
    pending.catch(() => connecting.then(closeQuietly, () => {}));
  }
  return new Connection(await pending, options);
}
