// Replays of the recorded Python sessions (tests/testdata/vectors/transcript*.json):
// our client, making the calls of the recorded Python client against a
// peer that plays the recorded server frames, must send the recorded client
// frames; our server, fed the recorded client frames, must answer with the
// recorded server frames (its callbacks reproduce ref_server.py from its
// logged calls).

import assert from "node:assert/strict";
import { connect, EventerInitError } from "../../client.ts";
import {
  type ConnectionInfo,
  listen,
  type ServerOptions,
} from "../../server.ts";
import type { Event, RegisterEvent, Status } from "../../event/mod.ts";
import { readVectors, toHex } from "../_vectors.ts";
import {
  event,
  type Json,
  params,
  registerEvent,
  result,
  timestamp,
} from "../_reference_log.ts";
import { deferred, LOOPBACK } from "./_helpers.ts";
import {
  assertSameFrame,
  type Entry,
  entryBytes,
  FrameSocket,
} from "./_wire.ts";

interface Meta {
  server_stdout_lines: string[];
  client_stdout: string;
}

async function meta(name: string): Promise<Meta> {
  const all = await readVectors<Record<string, Meta>>("transcripts_meta.json");
  return all[name];
}

function serverLog(m: Meta): Json[] {
  return m.server_stdout_lines.map((l) => JSON.parse(l));
}

// --- our client against the recorded server --------------------------------

/**
 * Plays the recorded server frames to our client (consecutive ones in one
 * write) and checks each frame our client sends; `run` makes the client's
 * calls and gets a promise of the end of the script.
 */
async function replayClient(
  name: string,
  run: (addr: Deno.NetAddr, scriptDone: Promise<void>) => Promise<void>,
): Promise<void> {
  const entries = await readVectors<Entry[]>(name);
  using listener = Deno.listen(LOOPBACK);
  const done = deferred();
  const script = (async () => {
    const sock = new FrameSocket(await listener.accept());
    try {
      for (let i = 0; i < entries.length;) {
        if (entries[i].dir === "c2s") {
          const frame = await sock.read();
          assert.ok(frame !== null, `EOF instead of frame ${entries[i].hex}`);
          assertSameFrame(frame, entries[i], { ignoreTimestamps: false });
          i++;
          continue;
        }
        const batch: Uint8Array[] = [];
        for (; i < entries.length && entries[i].dir === "s2c"; i++) {
          batch.push(entryBytes(entries[i]));
        }
        const bytes = new Uint8Array(batch.reduce((n, b) => n + b.length, 0));
        batch.reduce((off, b) => (bytes.set(b, off), off + b.length), 0);
        await sock.write(bytes);
      }
      done.resolve();
      assert.equal(await sock.read(), null, "the client closes at the end");
    } finally {
      done.resolve();
      sock.close();
    }
  })();
  await Promise.all([run(listener.addr as Deno.NetAddr, done.promise), script]);
}

const BASIC_EVENTS: RegisterEvent[] = [
  {
    type: ["a", "b", "1"],
    sourceTimestamp: { s: 1732540000, us: 123456 },
    payload: {
      kind: "json",
      data: {
        value: 21.5,
        quality: "good",
        list: [1, "two", null, true],
        unicode: "čćžšđ €",
      },
    },
  },
  {
    type: ["a", "b", "2"],
    sourceTimestamp: null,
    payload: {
      kind: "binary",
      type: "raw",
      data: new Uint8Array([0x00, 0x01, 0x02, 0x7f, 0x80, 0xff]),
    },
  },
  {
    type: ["a", "c"],
    sourceTimestamp: { s: 1732540001, us: 623456 },
    payload: null,
  },
];

/** The calls of `ref_client.py basic`. */
async function basicClient(
  addr: Deno.NetAddr,
  done: Promise<void>,
  recorded: Json,
  codec?: "wasm" | "ts",
): Promise<void> {
  const notified = deferred<Event[]>();
  await using client = await connect(addr, "ref_client", {
    codec,
    subscriptions: [["a", "*"]],
    onEvents: (_c, events) => notified.resolve(events),
  });
  assert.equal(client.status, recorded.init_status);
  const registered = await client.register(BASIC_EVENTS, {
    withResponse: true,
  });
  assert.deepEqual(registered, recorded.register_result.map(event));
  assert.deepEqual(await notified.promise, recorded.notified.map(event));
  const a = [["a", "*"]];
  assert.deepEqual(
    await client.query({ kind: "latest", eventTypes: a }),
    result(recorded.query_latest),
  );
  assert.deepEqual(
    await client.query({ kind: "timeseries", eventTypes: a, maxResults: 2 }),
    result(recorded.query_timeseries),
  );
  assert.deepEqual(
    await client.query({
      kind: "timeseries",
      eventTypes: a,
      maxResults: 2,
      lastEventId: { server: 1, session: 1, instance: 2 },
    }),
    result(recorded.query_timeseries_page2),
  );
  assert.deepEqual(
    await client.query({
      kind: "timeseries",
      eventTypes: a,
      sourceTFrom: { s: 1732540000, us: 123456 },
      order: "ascending",
      orderBy: "sourceTimestamp",
    }),
    result(recorded.query_timeseries_source),
  );
  assert.deepEqual(
    await client.query({ kind: "server", serverId: 1 }),
    result(recorded.query_server),
  );
  await done;
}

for (const name of ["transcript.json", "transcript_notify_ack.json"]) {
  Deno.test(`our client sends the frames of the Python client (${name})`, async () => {
    const recorded = JSON.parse((await meta(name)).client_stdout);
    await replayClient(name, (addr, done) => basicClient(addr, done, recorded));
  });
}

Deno.test("our client reads the recorded server frames alike under both codecs", async () => {
  for (const name of ["transcript.json", "transcript_notify_ack.json"]) {
    const recorded = JSON.parse((await meta(name)).client_stdout);
    for (const codec of ["wasm", "ts"] as const) {
      await replayClient(
        name,
        (addr, done) => basicClient(addr, done, recorded, codec),
      );
    }
  }
});

Deno.test("our client sends the frames of the Python client (transcript_bad_token.json)", async () => {
  await replayClient("transcript_bad_token.json", async (addr) => {
    await assert.rejects(
      connect(addr, "ref_client", { clientToken: "bad-token" }),
      (e) =>
        e instanceof EventerInitError && e.message === "invalid client token",
    );
  });
});

Deno.test("our client sends the frames of the Python client (transcript_status_ping.json)", async () => {
  await replayClient("transcript_status_ping.json", async (addr, done) => {
    const statuses: Status[] = [];
    await using client = await connect(addr, "ref_client", {
      pingDelay: 0.4,
      onStatus: (_c, status) => {
        statuses.push(status);
      },
    });
    assert.equal(client.status, "standby");
    await done;
    assert.deepEqual(statuses, ["operational", "standby"]);
  });
});

// --- our server fed the recorded client frames ------------------------------

/**
 * Writes the recorded client frames to our server and checks each frame it
 * answers; `beforeRead` runs before a server frame is awaited.
 */
async function replayServer(
  name: string,
  options: ServerOptions,
  beforeRead: (entry: Entry) => unknown = () => {},
): Promise<{ info: ConnectionInfo | null; exact: string[]; frames: string[] }> {
  const entries = await readVectors<Entry[]>(name);
  const exact: string[] = [];
  const frames: string[] = [];
  const disconnected = deferred<ConnectionInfo | null>();
  await using server = await listen(LOOPBACK, {
    ...options,
    onDisconnected: (info) => disconnected.resolve(info),
  });
  serverRef.current = server;
  const sock = new FrameSocket(await Deno.connect(server.addrs[0]));
  try {
    for (const entry of entries) {
      if (entry.dir === "c2s") {
        await sock.write(entryBytes(entry));
      } else {
        await beforeRead(entry);
        const frame = await sock.read();
        assert.ok(frame !== null, `EOF instead of ${entry.msg.data.type}`);
        frames.push(toHex(frame));
        if (assertSameFrame(frame, entry, { ignoreTimestamps: false })) {
          exact.push(entry.msg.data.type);
        }
      }
    }
  } finally {
    sock.close();
  }
  if (server.connInfos().length === 0) return { info: null, exact, frames };
  return { info: await disconnected.promise, exact, frames };
}

const serverRef: { current: Awaited<ReturnType<typeof listen>> | null } = {
  current: null,
};

/** Callbacks that do what the logged calls of `ref_server.py` did. */
function refServer(log: Json[], withAck: boolean, serverToken?: string) {
  const calls = {
    register: log.filter((l) => l.cb === "register"),
    query: log.filter((l) => l.cb === "query"),
  };
  const acked = deferred();
  const options: ServerOptions = {
    status: "operational",
    onConnected: (info) => {
      const line = log.find((l) => l.cb === "connected");
      assert.deepEqual(
        {
          id: info.id,
          client_name: info.clientName,
          client_token: info.clientToken,
          subscriptions: info.subscription.queryTypes(),
          server_id: info.serverId,
          persisted: info.persisted,
        },
        line.info,
      );
      if (serverToken !== undefined && info.clientToken !== serverToken) {
        throw new Error("invalid client token");
      }
    },
    onRegister: (_info, registerEvents) => {
      const line = calls.register.shift();
      assert.deepEqual(registerEvents, line.register_events.map(registerEvent));
      const events: Event[] = registerEvents.map((e, i) => ({
        id: line.events[i].id,
        timestamp: timestamp(line.events[i].timestamp)!,
        ...e,
      }));
      const server = serverRef.current!;
      if (withAck) {
        // ref_server spawns the notification: it goes out after the response.
        Promise.resolve().then(() =>
          server.notifyEvents(events, { withAck: true }).then(() =>
            acked.resolve()
          )
        );
      } else {
        server.notifyEvents(events);
      }
      return events;
    },
    onQuery: (_info, p) => {
      const line = calls.query.shift();
      assert.deepEqual(p, params(line.params));
      return result(line.result);
    },
  };
  return { options, acked: acked.promise, calls };
}

for (
  const [name, withAck] of [["transcript.json", false], [
    "transcript_notify_ack.json",
    true,
  ]] as const
) {
  Deno.test(`our server answers as the Python server (${name})`, async () => {
    const log = serverLog(await meta(name));
    const ref = refServer(log, withAck);
    const { info, exact } = await replayServer(name, ref.options);
    assert.deepEqual(ref.calls, { register: [], query: [] });
    assert.equal(info?.clientName, "ref_client");
    // The echoed events keep the client's bytes (its JSON text included):
    // these answers are the Python server's to the byte.
    for (const type of ["MsgEventsNotify", "MsgRegisterRes", "MsgInitRes"]) {
      assert.ok(exact.includes(`HatEventer.${type}`), type);
    }
    if (withAck) await ref.acked;
  });
}

Deno.test("our server answers as the Python server (transcript_bad_token.json)", async () => {
  const name = "transcript_bad_token.json";
  const ref = refServer(serverLog(await meta(name)), false, "secret");
  const { info, exact } = await replayServer(name, {
    ...ref.options,
    status: "standby",
  });
  assert.equal(info, null);
  assert.deepEqual(exact, ["HatEventer.MsgInitRes"]);
});

Deno.test("our server answers as the Python server (transcript_status_ping.json)", async () => {
  const name = "transcript_status_ping.json";
  const entries = await readVectors<Entry[]>(name);
  const statuses = entries.filter((e) =>
    e.msg.data.type === "HatEventer.MsgStatusNotify"
  )
    .map((e) => (e.inner as [Status, null])[0]);
  assert.deepEqual(statuses, ["operational", "standby"]);
  // Pings come pingDelay after the last message received (the chatter of
  // this build waits up to pingTimeout after a ping before the next one).
  const pings = { pingDelay: 0.05, pingTimeout: 0.5 };
  await replayServer(name, { status: "standby", ...pings }, (entry) => {
    if (entry.msg.data.type === "HatEventer.MsgStatusNotify") {
      return serverRef.current!.setStatus(statuses.shift()!);
    }
  });
});

Deno.test("our server answers every recorded session with the same bytes under both codecs", async () => {
  for (
    const [name, withAck] of [
      ["transcript.json", false],
      ["transcript_notify_ack.json", true],
    ] as const
  ) {
    const frames: string[][] = [];
    for (const codec of ["wasm", "ts"] as const) {
      const ref = refServer(serverLog(await meta(name)), withAck);
      frames.push((await replayServer(name, { ...ref.options, codec })).frames);
      if (withAck) await ref.acked;
    }
    assert.ok(frames[0].length > 3, name);
    assert.deepEqual(frames[0], frames[1], name);
  }
  const name = "transcript_bad_token.json";
  const frames: string[][] = [];
  for (const codec of ["wasm", "ts"] as const) {
    const ref = refServer(serverLog(await meta(name)), false, "secret");
    frames.push(
      (await replayServer(name, { ...ref.options, status: "standby", codec }))
        .frames,
    );
  }
  assert.deepEqual(frames[0], frames[1], name);
});
