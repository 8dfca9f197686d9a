// Our component, given what the Python monitor sent to a Python Event
// Server, answers with the Python Event Server's MsgClient payloads, byte
// for byte (data text included), and becomes active, or closes on
// MsgClose, where it did.

import assert from "node:assert/strict";
import { type Connection, listen } from "../../chatter/mod.ts";
import {
  connectMonitor,
  eventServerData,
  type MonitorComponent,
} from "../../monitor/mod.ts";
import { within } from "../_within.ts";
import {
  fromHex,
  isFrame,
  loadTranscript,
  type Name,
  toHex,
} from "./_transcripts.ts";

interface Played {
  /** Our MsgClient payloads, as hex, in order. */
  sent: string[];
  /** The Python Event Server's, without its repeated first one. */
  expected: string[];
}

// Plays the monitor's side of a recorded connection: its frames in order,
// waiting for the component's answer where the component answered.
async function play(
  name: Name,
  conn: Connection,
  played: Played,
  beforeClose: () => Promise<void>,
): Promise<void> {
  let previous: string | undefined;
  for (const e of loadTranscript(name)) {
    if (!isFrame(e)) continue;
    if (e.dir === "s2c") {
      // The recorded server was active for 300 ms before the monitor's
      // MsgClose; here, for as long as it takes to become active.
      if (e.msg.type === "HatObserver.MsgClose") await beforeClose();
      await conn.send({ type: e.msg.type, data: fromHex(e.msg.data) });
      continue;
    }
    if (e.msg.data === previous) continue;
    previous = e.msg.data;
    played.expected.push(e.msg.data);
    const msg = await within(conn.receive(), 10_000, `${name}'s MsgClient`);
    assert.equal(msg.type, e.msg.type);
    assert.equal(msg.last, e.msg.last);
    assert.equal(msg.token, e.msg.token);
    assert.equal(msg.first, msg.conv.firstId > 0);
    played.sent.push(toHex(msg.data));
  }
}

// The data the recorded server published, rebuilt from its parts.
function recordedData(name: Name) {
  const first = loadTranscript(name).find((e) => isFrame(e) && e.dir === "c2s");
  assert.ok(first && isFrame(first));
  const inner = first.inner as { data: string };
  const data = JSON.parse(inner.data);
  return eventServerData({
    serverId: data.server_id,
    eventerServer: {
      hostname: data.eventer_server.host,
      port: data.eventer_server.port,
    },
    serverToken: data.server_token,
  });
}

interface Outcome {
  component: MonitorComponent;
  activations: boolean[];
  closeRequests: () => number;
}

async function run(
  name: Name,
  expectActive: boolean,
  check: (outcome: Outcome) => Promise<void>,
): Promise<void> {
  const played: Played = { sent: [], expected: [] };
  const done = Promise.withResolvers<void>();
  const active = Promise.withResolvers<void>();
  await using monitor = await listen(async (conn) => {
    try {
      await play(
        name,
        conn,
        played,
        () => within(active.promise, 10_000, "active before MsgClose"),
      );
      await conn.drain();
      done.resolve();
    } catch (e) {
      done.reject(e);
    }
  }, { hostname: "127.0.0.1", port: 0 });
  const activations: boolean[] = [];
  let closeRequests = 0;
  let component: MonitorComponent | undefined;
  try {
    component = await connectMonitor(monitor.addrs[0], {
      name,
      group: "event",
      data: recordedData(name),
      ready: true,
      reconnect: false,
      runner: () => {
        activations.push(true);
        active.resolve();
        return () => {};
      },
      onCloseRequest: () => {
        closeRequests++;
      },
    });
    await within(done.promise, 10_000, "the recorded monitor frames");
    assert.deepEqual(played.sent, played.expected);
    if (expectActive) {
      await within(
        (async () => {
          for await (const s of component!.states()) if (s.active) return;
        })(),
        10_000,
        "active",
      );
    }
    await check({
      component,
      activations,
      closeRequests: () => closeRequests,
    });
  } finally {
    await component?.close();
  }
}

Deno.test("a component answers event_a's recorded monitor as the Python Event Server did", async () => {
  await run("event_a", true, async ({ component, activations }) => {
    assert.equal(component.state.cid, 1);
    assert.deepEqual(activations, [true]);
    await component.close();
    assert.equal(component.state.connected, false);
  });
});

Deno.test("a component closes on event_b's recorded MsgClose, after its runner ran", async () => {
  await run("event_b", false, async (outcome) => {
    await within(outcome.component.closed, 10_000, "closed on MsgClose");
    assert.deepEqual(outcome.activations, [true]);
    assert.equal(outcome.closeRequests(), 1);
    assert.equal(outcome.component.isOpen, false);
    assert.equal(outcome.component.closeReason, undefined);
  });
});
