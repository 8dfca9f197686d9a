// A TCP relay for the redundancy tests: forwards each connection to a
// target, and can hold the first connection's server-to-client bytes after
// a given number (a peer that stalls mid-catch-up, deterministically),
// then cut every connection.

export interface Relay extends AsyncDisposable {
  /** `127.0.0.1:port` to connect to. */
  readonly address: string;
  /** Where new connections go. */
  target: { hostname: string; port: number };
  /** Server-to-client bytes forwarded on the first connection so far. */
  readonly forwarded: number;
  /** Resolves once the first connection's bytes are held. */
  readonly held: Promise<void>;
  /** Closes every open connection (new ones are still relayed). */
  cut(): void;
  close(): Promise<void>;
}

/**
 * Starts a relay to `target`; with `holdAfter`, the first connection's
 * bytes from the target stop after that many (until `cut()`).
 */
export function startRelay(
  target: { hostname: string; port: number },
  options: { holdAfter?: number } = {},
): Relay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const held = Promise.withResolvers<void>();
  let cuts = Promise.withResolvers<void>();
  let first = true;
  let forwarded = 0;

  const pipe = async (
    from: Deno.Conn,
    to: Deno.Conn,
    limit: number | null,
  ) => {
    const buf = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        let chunk = buf.subarray(0, n);
        if (limit !== null) {
          const room = limit - forwarded;
          if (chunk.length > room) chunk = chunk.subarray(0, room);
          forwarded += chunk.length;
        }
        for (let off = 0; off < chunk.length;) {
          off += await to.write(chunk.subarray(off));
        }
        if (limit !== null && forwarded >= limit) {
          held.resolve();
          // Held: nothing more goes through until the relay cuts it.
          await cuts.promise;
          break;
        }
      }
    } catch {
      // A closed end stops this direction.
    }
    for (const c of [from, to]) {
      if (open.delete(c)) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    }
  };

  const serve = async (down: Deno.Conn) => {
    let up: Deno.Conn;
    try {
      up = await Deno.connect(relay.target);
    } catch {
      down.close();
      return;
    }
    open.add(down);
    open.add(up);
    const limit = first && options.holdAfter !== undefined
      ? options.holdAfter
      : null;
    first = false;
    await Promise.all([pipe(down, up, null), pipe(up, down, limit)]);
  };

  const accepting = (async () => {
    for await (const conn of listener) {
      const task = serve(conn);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })();

  const cut = () => {
    for (const c of open) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    open.clear();
    cuts.resolve();
    cuts = Promise.withResolvers();
  };

  const relay: Relay = {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    target,
    get forwarded() {
      return forwarded;
    },
    held: held.promise,
    cut,
    async close() {
      try {
        listener.close();
      } catch {
        // already closed
      }
      cut();
      await accepting.catch(() => {});
      await Promise.all(tasks);
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  return relay;
}
