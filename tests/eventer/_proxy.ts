// A TCP proxy on loopback for the reconnect tests: it forwards each
// connection to a target, and on demand cuts every connection and turns
// clients away (accepts and closes at once, counting them) until told to
// forward again. Its port never changes, so a client's attempts while the
// "server is down" are each counted.

import type { Address } from "../../chatter/mod.ts";

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** A proxy listening on 127.0.0.1, port from 0. */
export class Proxy implements AsyncDisposable {
  readonly addr: Address;
  #listener: Deno.Listener;
  #target: Address;
  #forwarding = true;
  #pairs = new Set<[Deno.Conn, Deno.Conn]>();
  #tasks = new Set<Promise<void>>();
  #refused = 0;
  #refusedWaiters: { n: number; resolve: () => void }[] = [];
  #accepting: Promise<void>;

  constructor(target: Address) {
    this.#target = target;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const a = this.#listener.addr as Deno.NetAddr;
    this.addr = { hostname: a.hostname, port: a.port };
    this.#accepting = this.#accept();
  }

  /** Clients turned away since the proxy was made. */
  get refused(): number {
    return this.#refused;
  }

  /** Connections being forwarded. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Points new connections at another target. */
  retarget(target: Address): void {
    this.#target = target;
  }

  /** Cuts every forwarded connection; new ones are still forwarded. */
  cut(): void {
    for (const [a, b] of this.#pairs) {
      closeQuietly(a);
      closeQuietly(b);
    }
    this.#pairs.clear();
  }

  /** Cuts every connection and turns new ones away. */
  refuse(): void {
    this.#forwarding = false;
    this.cut();
  }

  /** Forwards new connections again. */
  forward(): void {
    this.#forwarding = true;
  }

  /** Resolves once `n` clients in all were turned away. */
  untilRefused(n: number): Promise<void> {
    if (this.#refused >= n) return Promise.resolve();
    return new Promise((resolve) => this.#refusedWaiters.push({ n, resolve }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    this.cut();
    await Promise.all(this.#tasks);
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      if (!this.#forwarding) {
        closeQuietly(conn);
        this.#refused++;
        this.#refusedWaiters = this.#refusedWaiters.filter((w) => {
          if (this.#refused < w.n) return true;
          w.resolve();
          return false;
        });
        continue;
      }
      this.#track(this.#open(conn));
    }
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  async #open(client: Deno.Conn): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect(this.#target);
    } catch {
      closeQuietly(client);
      return;
    }
    const pair: [Deno.Conn, Deno.Conn] = [client, server];
    this.#pairs.add(pair);
    await Promise.all([
      this.#pipe(client, server, pair),
      this.#pipe(server, client, pair),
    ]);
  }

  async #pipe(
    from: Deno.Conn,
    to: Deno.Conn,
    pair: [Deno.Conn, Deno.Conn],
  ): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch {
      // cut, or the other side went away
    }
    if (this.#pairs.delete(pair)) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }
}
