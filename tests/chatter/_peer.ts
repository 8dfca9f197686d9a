// Test helpers: a chatter server that records its errors, and a raw TCP
// peer that reads and writes frames byte for byte.

import {
  type Connection,
  listen,
  type ListenOptions,
  type Server,
} from "../../chatter/mod.ts";
import { FrameParser } from "../../chatter/frame.ts";
import { decodeMsg, type WireMsg } from "../../chatter/msg_codec.ts";

export const LOOPBACK = { hostname: "127.0.0.1", port: 0 };

/** A server on a loopback port whose errors are collected in `errors`. */
export interface TestServer extends AsyncDisposable {
  server: Server;
  errors: unknown[];
  /** Accepted connections, in order. */
  accepted: Connection[];
  /** Resolves with the next accepted connection. */
  nextConnection(): Promise<Connection>;
}

export async function startServer(
  onConnection: (conn: Connection) => void | Promise<void> = () => {},
  options: ListenOptions = {},
): Promise<TestServer> {
  const errors: unknown[] = [];
  const accepted: Connection[] = [];
  let waiting: ((c: Connection) => void)[] = [];
  const server = await listen(
    (conn) => {
      accepted.push(conn);
      const w = waiting;
      waiting = [];
      for (const resolve of w) resolve(conn);
      return onConnection(conn);
    },
    LOOPBACK,
    { onError: (e) => errors.push(e), ...options },
  );
  return {
    server,
    errors,
    accepted,
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** A raw TCP connection that deals in frames. */
export class RawPeer implements AsyncDisposable {
  conn: Deno.Conn;
  #parser = new FrameParser();
  #frames: Uint8Array[] = [];
  #buf = new Uint8Array(64 * 1024);
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  static async connect(
    addr: Deno.NetAddr | { hostname: string; port: number },
  ) {
    return new RawPeer(
      await Deno.connect({ hostname: addr.hostname, port: addr.port }),
    );
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await this.conn.write(bytes.subarray(off));
    }
  }

  /** Reads exactly `n` raw bytes (do not mix with `readBody`). */
  async readExact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const got = await this.conn.read(out.subarray(off));
      if (got === null) throw new Error(`EOF after ${off} of ${n} bytes`);
      off += got;
    }
    return out;
  }

  /** Reads the next whole frame body, or `null` at EOF. */
  async readBody(): Promise<Uint8Array | null> {
    while (this.#frames.length === 0) {
      const n = await this.conn.read(this.#buf);
      if (n === null) return null;
      this.#parser.feed(
        this.#buf.subarray(0, n),
        (b) => this.#frames.push(b.slice()),
      );
    }
    return this.#frames.shift()!;
  }

  /** Reads and decodes the next message, or `null` at EOF. */
  async readMsg(): Promise<WireMsg | null> {
    const body = await this.readBody();
    return body === null ? null : decodeMsg(body);
  }

  /** Reads until EOF, discarding, and returns the number of bytes read. */
  async readToEnd(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.conn.read(this.#buf).catch(() => null);
      if (n === null) return total;
      total += n;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** A raw listener that hands out RawPeers, for testing the client side. */
export class RawListener implements AsyncDisposable {
  listener: Deno.TcpListener;

  constructor() {
    this.listener = Deno.listen(LOOPBACK);
  }

  get addr(): { hostname: string; port: number } {
    const a = this.listener.addr;
    return { hostname: a.hostname, port: a.port };
  }

  async accept(): Promise<RawPeer> {
    return new RawPeer(await this.listener.accept());
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.listener.close();
    return Promise.resolve();
  }
}

/** Waits one macrotask turn (lets pending I/O callbacks run). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
