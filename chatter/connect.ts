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

/** The socket being set up, so that an abort can close it. */
interface Attempt {
  conn?: Deno.Conn;
}

async function open(
  addr: Address,
  options: ConnectOptions,
  cancel: AbortSignal,
  attempt: Attempt,
): Promise<Deno.Conn> {
  const { hostname, port } = addr;
  const tcp = await Deno.connect({ hostname, port, signal: cancel });
  attempt.conn = tcp;
  // Here too for TLS: the TlsConn made from it has no setNoDelay.
  tcp.setNoDelay(true);
  const tls = options.tls;
  if (tls === undefined) return tcp;
  try {
    // startTls rather than connectTls: the name checked in the certificate
    // may differ from the address connected to.
    const conn = await Deno.startTls(tcp, {
      hostname: tls.hostname ?? hostname,
      caCerts: tls.caCerts,
    });
    attempt.conn = conn;
    // Handshake now, so that a bad certificate fails connect().
    await conn.handshake();
    return conn;
  } catch (e) {
    closeQuietly(attempt.conn!);
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

function fail(addr: Address, e: unknown): never {
  throw new ConnectionError(
    `Cannot connect to ${addr.hostname}:${addr.port}: ${
      (e as Error)?.message ?? e
    }`,
    { cause: e },
  );
}

/**
 * Connects to a chatter server at `addr` (over TLS when `options.tls` is
 * given). Rejects with {@linkcode ConnectionError} when the connection
 * cannot be made, or with the signal's reason when `options.signal` aborts
 * first.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@hat/eventer/chatter";
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
  const cancel = new AbortController();
  const attempt: Attempt = {};
  const opening = open(addr, options, cancel.signal, attempt);
  let conn: Deno.Conn;
  if (signal === undefined) {
    conn = await opening.catch((e) => fail(addr, e));
  } else {
    const aborted = Promise.withResolvers<void>();
    const onAbort = () => aborted.resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const won = await Promise.race([opening, aborted.promise]);
      if (won === undefined) {
        // Aborted: stop the attempt and wait for it, so nothing of it
        // outlives this call.
        cancel.abort();
        if (attempt.conn !== undefined) closeQuietly(attempt.conn);
        await opening.then(closeQuietly, () => {});
        throw signal.reason;
      }
      conn = won;
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      fail(addr, e);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
  return new Connection(conn, options);
}
