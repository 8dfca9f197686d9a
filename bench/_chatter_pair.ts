// A pair of chatter connections over loopback whose sockets do not keep the
// process alive (benchmarks have no teardown hook).

import { Connection, type ConnectionOptions } from "../chatter/mod.ts";

export async function connectedPair(
  options: ConnectionOptions = { pingDelay: null },
): Promise<[Connection, Connection, Deno.Conn, Deno.Conn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  listener.close();

  return [new Connection(a, options), new Connection(b, options), a, b];
}
