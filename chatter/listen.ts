/**
 * A chatter server: accepts connections and hands each to a callback.
 *
 * @module
 */

import { Connection } from "./connection.ts";
import { ProtocolError } from "./errors.ts";
import { resolveOptions } from "./_options.ts";
import type { Address, ConnectionOptions } from "./types.ts";

/** TLS settings of a server. */
export interface ListenTlsOptions {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
}

/** Options of {@linkcode listen}; the connection options apply to every accepted connection. */
export interface ListenOptions extends ConnectionOptions {
  /** Accept TLS with this certificate; plain TCP when absent. */
  tls?: ListenTlsOptions;
  /**
   * Told about what goes wrong without stopping the server: a callback that
   * throws or rejects (its connection is closed), a connection closed for a
   * `ProtocolError`, a failed accept.
   *
   * @default {(error) => console.error("chatter:", error)}
   */
  onError?: (error: unknown, conn: Connection | undefined) => void;
}

/** Called with every accepted connection. */
export type ConnectionCallback = (conn: Connection) => void | Promise<void>;

function defaultOnError(error: unknown): void {
  console.error("chatter:", error);
}

/**
 * A listening chatter server. Closing it stops accepting and closes every
 * connection it accepted.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * const accepted = Promise.withResolvers<void>();
 * const server = await listen(() => accepted.resolve(), {
 *   hostname: "127.0.0.1",
 *   port: 0,
 * });
 * const conn = await connect(server.addrs[0]);
 * await accepted.promise;
 * assert.equal(server.connections.size, 1);
 * await server.close();
 * await conn.closed;
 * assert.equal(conn.isOpen, false);
 * ```
 */
export class Server {
  #listener: Deno.Listener;
  #onConnection: ConnectionCallback;
  #options: ListenOptions;
  #onError: (error: unknown, conn: Connection | undefined) => void;
  #connections = new Set<Connection>();
  #addrs: Address[];
  #closing = false;
  #acceptLoop: Promise<void>;
  #closed: Promise<void> | undefined;

  /**
   * Serves connections accepted by `listener` (use {@linkcode listen}).
   *
   * @param listener An open TCP or TLS listener; the server owns it.
   * @param onConnection Called with every accepted connection.
   * @param options Connection options and error reporting.
   */
  constructor(
    listener: Deno.Listener,
    onConnection: ConnectionCallback,
    options: ListenOptions = {},
  ) {
    resolveOptions(options);
    this.#listener = listener;
    this.#onConnection = onConnection;
    this.#options = options;
    this.#onError = options.onError ?? defaultOnError;
    const addr = listener.addr as Deno.NetAddr;
    this.#addrs = [{ hostname: addr.hostname, port: addr.port }];
    this.#acceptLoop = this.#accept();
  }

  /** Addresses the server listens on (with the actual port when 0 was asked). */
  get addrs(): Address[] {
    return this.#addrs.map((a) => ({ ...a }));
  }

  /** The open connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** Whether the server is still accepting connections. */
  get isOpen(): boolean {
    return !this.#closing;
  }

  /** Resolves (never rejects) once the server and all its connections are closed. */
  get closed(): Promise<void> {
    return this.#closed ?? this.#acceptLoop.then(() => this.#closed);
  }

  /** Stops accepting and closes every connection; resolves when all are closed. */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closing = true;
      try {
        this.#listener.close();
      } catch {
        // Already closed.
      }
      this.#closed = this.#acceptLoop.then(() =>
        Promise.all([...this.#connections].map((c) => c.close()))
      ).then(() => {});
    }
    return this.#closed;
  }

  /** Closes the server (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #accept(): Promise<void> {
    while (!this.#closing) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#closing) return;
        if (e instanceof Deno.errors.BadResource) {
          // The listener is gone; nothing more can be accepted.
          this.#onError(e, undefined);
          this.close();
          return;
        }
        this.#onError(e, undefined);
        continue;
      }
      if (this.#closing) {
        conn.close();
        return;
      }
      this.#serve(new Connection(conn, this.#options));
    }
  }

  async #serve(conn: Connection): Promise<void> {
    this.#connections.add(conn);
    conn.closed.then(() => {
      this.#connections.delete(conn);
      const reason = conn.closeReason;
      if (reason instanceof ProtocolError) this.#onError(reason, conn);
    });
    try {
      await this.#onConnection(conn);
    } catch (e) {
      this.#onError(e, conn);
      await conn.close();
    }
  }
}

/**
 * Listens for chatter connections on `addr` (over TLS when `options.tls` is
 * given) and calls `onConnection` with each. A callback that throws or
 * rejects closes only its own connection; one returning normally leaves its
 * connection open.
 *
 * @example Echo server
 * ```ts
 * import { connect, listen } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen(async (conn) => {
 *   for await (const msg of conn) await conn.send(msg, { conv: msg.conv });
 * }, { hostname: "127.0.0.1", port: 0 });
 * assert.notEqual(server.addrs[0].port, 0);
 * await using conn = await connect(server.addrs[0]);
 * await conn.send({ type: "Text", data: new TextEncoder().encode("hi") });
 * const echo = await conn.receive();
 * assert.equal(new TextDecoder().decode(echo.data), "hi");
 * ```
 *
 * @param onConnection Called with every accepted connection.
 * @param addr Address to listen on; port 0 picks a free port.
 * @param options Connection, TLS and error-reporting options.
 * @returns The listening server.
 */
export function listen(
  onConnection: ConnectionCallback,
  addr: Address,
  options: ListenOptions = {},
): Promise<Server> {
  try {
    resolveOptions(options);
    const { hostname, port } = addr;
    const listener = options.tls === undefined
      ? Deno.listen({ hostname, port })
      : Deno.listenTls({
        hostname,
        port,
        cert: options.tls.cert,
        key: options.tls.key,
      });
    return Promise.resolve(new Server(listener, onConnection, options));
  } catch (e) {
    return Promise.reject(e);
  }
}
