// A monitor that sends what a component does not expect: the connection
// that carried it is dropped with a clear error, the process goes on, and
// the component reconnects.

import assert from "node:assert/strict";
import { Repository } from "../../codec/mod.ts";
import { encodeFrame, ProtocolError } from "../../chatter/mod.ts";
import { OBSERVER_SBS, ObserverProtocolError } from "../../monitor/mod.ts";
import { within } from "../_within.ts";
import { MSG_SERVER, startMonitorServer } from "./_monitor_server.ts";
import { watchedComponent } from "./_components.ts";

const repo = new Repository(OBSERVER_SBS);

function msgServer(data: string): Uint8Array {
  return repo.encode(MSG_SERVER, {
    cid: 1,
    mid: 0,
    components: [{
      cid: 1,
      mid: 0,
      name: ["value", "a"],
      group: ["value", "event"],
      data,
      rank: 1,
      blessingReq: { token: ["none", null], timestamp: ["none", null] },
      blessingRes: { token: ["none", null], ready: true },
    }],
  });
}

const cases: [string, string, Uint8Array, RegExp][] = [
  [
    "a message type a component never receives",
    "HatObserver.MsgMaster",
    repo.encode("HatObserver.MsgMaster", { mid: 1, components: [] }),
    /HatObserver\.MsgMaster: a component receives only/,
  ],
  [
    "a MsgServer that does not decode",
    MSG_SERVER,
    new Uint8Array([0xff, 0xff, 0xff]),
    /HatObserver\.MsgServer/,
  ],
  [
    "a MsgServer with trailing bytes",
    MSG_SERVER,
    new Uint8Array([...msgServer("null"), 0]),
    /HatObserver\.MsgServer/,
  ],
  [
    "component data that is not JSON",
    MSG_SERVER,
    msgServer("{not json"),
    /components\[0\]\.data is not JSON/,
  ],
  [
    "a cid beyond 2^53",
    MSG_SERVER,
    repo.encode(MSG_SERVER, { cid: 2n ** 64n, mid: 0, components: [] }),
    /cid 18446744073709551616 is out of range/,
  ],
];

for (const [what, type, data, message] of cases) {
  Deno.test(`a component drops its connection on ${what} and reconnects`, async () => {
    await using monitor = await startMonitorServer();
    const a = await watchedComponent(monitor.addr, {
      name: "a",
      group: "g",
    });
    try {
      await a.until((s) => s.active, "active");
      const cid = a.component.state.cid!;
      await monitor.sendRaw(cid, type, data);
      await a.until((s) => s.active && s.cid !== cid, "active again");
      assert.equal(a.errors.length, 1);
      const error = a.errors[0];
      assert.ok(error instanceof ObserverProtocolError, String(error));
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.msgType, type);
      assert.match(error.message, message);
      assert.deepEqual(a.log, ["start", "stop", "start"]);
    } finally {
      await a.component.close();
    }
  });
}

Deno.test("a component drops a connection that sends bytes that are not chatter", async () => {
  // A raw server: answers the first MsgClient with a frame whose body is
  // not a HatChatter.Msg, then, on the next connection, stays silent.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = listener.addr as Deno.NetAddr;
  const served = (async () => {
    const conns: Deno.Conn[] = [];
    for await (const conn of listener) {
      conns.push(conn);
      if (conns.length === 1) {
        await conn.write(encodeFrame(new Uint8Array([0xff, 0x00, 0x13])));
      } else {
        break;
      }
    }
    return conns;
  })();
  const a = await watchedComponent(
    { hostname: addr.hostname, port: addr.port },
    { name: "a", group: "g" },
  );
  let conns: Deno.Conn[] = [];
  try {
    conns = await within(served, 10_000, "reconnected");
    assert.equal(a.errors.length, 1);
    assert.ok(a.errors[0] instanceof ProtocolError, String(a.errors[0]));
  } finally {
    await a.component.close();
    // Leaving the accept loop closed the listener.
    for (const c of conns) c.close();
  }
});
