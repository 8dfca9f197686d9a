// The Event Server under both codecs, side by side: the same requests,
// with the same clock, get the same bytes on the wire (responses,
// notifications, query answers), and damaged requests the same decision
// (an answer, or the connection closed) with the same error reported.
// (The whole Event Server suite also runs under both: `deno task test`.)

import assert from "node:assert/strict";
import { encodeFrame } from "../../chatter/frame.ts";
import { encodeMsg } from "../../chatter/msg_codec.ts";
import type { QueryParams, RegisterEvent } from "../../event/mod.ts";
import { startEngine } from "../../event_server/engine.ts";
import { MemoryStorage } from "../../event_server/storage/memory.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import type { Storage } from "../../event_server/storage/storage.ts";
import {
  encodeInitReq,
  encodeQueryReq,
  encodeRegisterReq,
  MSG_TYPE,
} from "../../eventer/_messages.ts";
import { Prng } from "../_prng.ts";
import { toHex } from "../_vectors.ts";
import { mutate } from "../codec/wasm/_mutate.ts";
import { randomRegisterEvents } from "../codec/wasm/_events_random.ts";
import { FrameSocket } from "../eventer/_wire.ts";
import { initFrame } from "../hardening/_peers.ts";

const ANY = { hostname: "127.0.0.1", port: 0 };

/** A raw eventer client: init done, then frames one by one. */
class RawClient {
  #sock: FrameSocket;
  #id = 1;

  constructor(sock: FrameSocket) {
    this.#sock = sock;
  }

  static async open(
    addr: Deno.NetAddr,
    name: string,
    subscriptions: string[][] = [],
    persisted = false,
  ): Promise<RawClient> {
    const sock = new FrameSocket(
      await Deno.connect({ hostname: addr.hostname, port: addr.port }),
    );
    await sock.write(
      persisted
        ? encodeFrame(encodeMsg({
          id: 1,
          first: 1,
          owner: true,
          token: true,
          last: false,
          data: {
            type: MSG_TYPE.INIT_REQ,
            data: encodeInitReq({
              clientName: name,
              clientToken: null,
              subscriptions,
              serverId: null,
              persisted: true,
            }),
          },
        }))
        : initFrame(name, subscriptions),
    );
    const res = await sock.read();
    assert.ok(res !== null, "no init response");
    return new RawClient(sock);
  }

  /** Sends a request that wants an answer. */
  send(type: string, data: Uint8Array): Promise<void> {
    const id = ++this.#id;
    return this.#sock.write(encodeFrame(encodeMsg({
      id,
      first: id,
      owner: true,
      token: true,
      last: false,
      data: { type, data },
    })));
  }

  /** The next frame as hex, or "closed". */
  async read(): Promise<string> {
    const frame = await this.#sock.read();
    return frame === null ? "closed" : toHex(frame);
  }

  close(): void {
    this.#sock.close();
  }
}

/** Session timestamps that repeat from run to run. */
function fixedClock() {
  let k = 0;
  return () => {
    k++;
    return { s: 1_700_000_000 + (k >> 2), us: (k * 7919) % 1_000_000 };
  };
}

/** Sessions from a steady gateway: values that fit the compact chunks. */
function requests(rng: Prng, n: number): RegisterEvent[][] {
  return Array.from(
    { length: n },
    () =>
      randomRegisterEvents(rng, 1 + rng.int(20)).map((e) => ({
        ...e,
        type: ["x", ...e.type],
        sourceTimestamp: e.sourceTimestamp === null
          ? null
          : { s: 1_690_000_000 + rng.int(1000), us: e.sourceTimestamp.us },
      })),
  );
}

const QUERIES: QueryParams[] = [
  { kind: "latest" },
  { kind: "latest", eventTypes: [["x", "*"]] },
  { kind: "timeseries" },
  { kind: "timeseries", order: "ascending", maxResults: 7 },
  { kind: "timeseries", eventTypes: [["x", "gateway", "*"]] },
  {
    kind: "timeseries",
    orderBy: "sourceTimestamp",
    lastEventId: { server: 1, session: 5, instance: 1 },
  },
  { kind: "server", serverId: 1 },
  {
    kind: "server",
    serverId: 1,
    maxResults: 3,
    lastEventId: { server: 1, session: 10, instance: 2 },
  },
];

/** Runs the script against an engine of `codec`; gives every frame read. */
async function run(
  codec: "wasm" | "ts",
  storage: Storage,
  script: (
    reg: RawClient,
    sub: RawClient,
    frames: string[],
    addr: Deno.NetAddr,
    persisted: RawClient,
  ) => Promise<void>,
): Promise<{ frames: string[]; errors: string[] }> {
  const errors: string[] = [];
  await using engine = await startEngine(ANY, {
    storage,
    codec,
    clock: fixedClock(),
    onError: (error) =>
      void errors.push((error as Error).constructor?.name ?? String(error)),
  });
  assert.equal(engine.codec, codec);
  const addr = engine.addrs[0] as Deno.NetAddr;
  const sub = await RawClient.open(addr, "sub", [["x", "*"]]);
  // Persisted: told after each commit, of a part of the events only.
  const stored = await RawClient.open(
    addr,
    "stored",
    [["x", "gateway", "*"]],
    true,
  );
  const reg = await RawClient.open(addr, "reg");
  const frames: string[] = [];
  try {
    await script(reg, sub, frames, addr, stored);
  } finally {
    reg.close();
    sub.close();
    stored.close();
  }
  return { frames, errors };
}

function sameRuns(
  a: { frames: string[]; errors: string[] },
  b: { frames: string[]; errors: string[] },
): void {
  assert.equal(a.frames.length, b.frames.length);
  for (let i = 0; i < a.frames.length; i++) {
    assert.equal(a.frames[i], b.frames[i], `frame ${i}`);
  }
  assert.deepEqual(a.errors, b.errors);
}

for (const kind of ["memory", "sqlite"] as const) {
  Deno.test(`both codecs answer random requests and queries with the same bytes (${kind} storage)`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "eventer_codec_diff_" });
    try {
      const runs = [];
      for (const codec of ["wasm", "ts"] as const) {
        const storage = kind === "memory"
          ? new MemoryStorage({ chunkSize: 64 })
          : new SqliteStorage(`${dir}/${codec}.db`, { flushPeriod: 0 });
        runs.push(
          await run(codec, storage, async (reg, sub, frames, _, stored) => {
            const rng = new Prng(1414);
            let persisted = 0;
            for (const events of requests(rng, 60)) {
              await reg.send(MSG_TYPE.REGISTER_REQ, encodeRegisterReq(events));
              frames.push(await sub.read()); // the notification first
              frames.push(await reg.read());
              if (events.some((e) => e.type[1] === "gateway")) {
                // Committed at once (flushPeriod 0, chunks of 64 in memory
                // are durable as registered): its persisted notification.
                frames.push(await stored.read());
                persisted++;
              }
            }
            assert.ok(persisted > 10, `${persisted} persisted notifications`);
            for (const params of QUERIES) {
              await reg.send(MSG_TYPE.QUERY_REQ, encodeQueryReq(params));
              frames.push(await reg.read());
            }
          }),
        );
      }
      assert.ok(runs[0].frames.length > 2 * 60 + 10 + QUERIES.length);
      sameRuns(runs[0], runs[1]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("both codecs decide damaged requests alike: the same answer, or the connection closed with the same error", async () => {
  const runs = [];
  let closed = 0;
  for (const codec of ["wasm", "ts"] as const) {
    runs.push(
      await run(
        codec,
        new MemoryStorage(),
        async (_reg, sub, frames, addr) => {
          const rng = new Prng(77);
          for (let k = 0; k < 200; k++) {
            const [events] = requests(rng, 1);
            const bytes = mutate(rng, encodeRegisterReq(events));
            const c = await RawClient.open(addr, `fuzz${k}`);
            try {
              await c.send(MSG_TYPE.REGISTER_REQ, bytes);
              const answer = await c.read();
              frames.push(answer);
              if (answer === "closed") closed++;
              else frames.push(await sub.read());
            } finally {
              c.close();
            }
          }
        },
      ),
    );
  }
  // Both kinds of outcome, in numbers (the same in both runs).
  assert.ok(closed > 40 && closed < 360, `${closed} of 400 closed`);
  sameRuns(runs[0], runs[1]);
});
