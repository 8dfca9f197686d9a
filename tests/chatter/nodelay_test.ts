import assert from "node:assert/strict";
import { connect, Connection } from "../../chatter/mod.ts";
import { LOOPBACK, startServer } from "./_peer.ts";

// Deno offers no getsockopt: the calls of setNoDelay are what can be seen.
type TcpProto = { setNoDelay(this: Deno.TcpConn, noDelay?: boolean): void };

async function recordingNoDelay(
  body: (calls: [Deno.TcpConn, boolean | undefined][]) => Promise<void>,
): Promise<void> {
  const probe = Deno.listen(LOOPBACK);
  const conn = await Deno.connect({ port: probe.addr.port });
  const accepted = await probe.accept();
  const proto = Object.getPrototypeOf(conn) as TcpProto;
  conn.close();
  accepted.close();
  probe.close();
  const original = proto.setNoDelay;
  const calls: [Deno.TcpConn, boolean | undefined][] = [];
  proto.setNoDelay = function (noDelay) {
    calls.push([this, noDelay]);
    return original.call(this, noDelay);
  };
  try {
    await body(calls);
  } finally {
    proto.setNoDelay = original;
  }
}

Deno.test("connect() and listen() turn Nagle's algorithm off on both sockets", async () => {
  await recordingNoDelay(async (calls) => {
    await using server = await startServer();
    const accepted = server.nextConnection();
    await using client = await connect(server.server.addrs[0]);
    const serverSide = await accepted;
    const ports = calls.filter(([, on]) => on === true).map(([c]) =>
      (c.localAddr as Deno.NetAddr).port
    );
    assert.ok(ports.includes(client.localAddr.port), "client socket");
    assert.ok(ports.includes(serverSide.localAddr.port), "accepted socket");
  });
});

Deno.test("a Connection made from a TCP socket sets no-delay on it", async () => {
  using listener = Deno.listen(LOOPBACK);
  const tcp = await Deno.connect({ port: listener.addr.port });
  using other = await listener.accept();
  const calls: (boolean | undefined)[] = [];
  const original = tcp.setNoDelay.bind(tcp);
  tcp.setNoDelay = (noDelay) => {
    calls.push(noDelay);
    original(noDelay);
  };
  await using conn = new Connection(tcp, { pingDelay: null });
  assert.deepEqual(calls, [true]);
  assert.ok(conn.isOpen && other.localAddr !== undefined);
});
