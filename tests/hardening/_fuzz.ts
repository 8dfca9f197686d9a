// The fuzz harness, shared by tests/hardening/fuzz_test.ts (bounded, in CI)
// and tools/fuzz.ts (`deno task fuzz`, long local runs): a live eventer
// server with in-memory callbacks gets random, truncated and mutated
// frames derived from the golden frames on many connections, while a
// well-behaved client keeps registering and querying.

import { encodeFrame } from "../../chatter/frame.ts";
import { decodeMsg, encodeMsg } from "../../chatter/msg_codec.ts";
import { connect } from "../../client.ts";
import { listen, type Server } from "../../server.ts";
import type { Event, QueryResult } from "../../event/mod.ts";
import { fromHex, readVectors } from "../_vectors.ts";
import { initFrame, registrar } from "./_peers.ts";

/** What a run did. */
export interface FuzzReport {
  seed: number;
  /** Fuzzed frames sent. */
  frames: number;
  /** Connections that sent fuzzed frames. */
  connections: number;
  /** Connections the server closed before our end of the stream. */
  closedByServer: number;
  /** Errors the server reported (each one a rejected peer). */
  serverErrors: number;
  /** Register + query round trips of the well-behaved client. */
  goodRequests: number;
  /** Connections whose close took longer than `hangTimeout`. */
  hangs: number;
}

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** Fuzzed frames to send in all. */
  frames: number;
  /** Connections open at once. */
  concurrency?: number;
  seed?: number;
  /** Seconds a connection may take to be closed after our half-close. */
  hangTimeout?: number;
  /** Called now and then with the progress. */
  progress?: (report: FuzzReport) => void;
}

/** A small seeded PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The golden frames: whole frames and their decoded type and data. */
export interface Golden {
  frame: Uint8Array;
  type: string;
  data: Uint8Array;
}

/** Loads every frame of chatter_frames.json and transcript*.json. */
export async function loadGolden(): Promise<Golden[]> {
  const hexes: string[] = [];
  for (
    const e of await readVectors<{ hex: string }[]>("chatter_frames.json")
  ) hexes.push(e.hex);
  for (
    const name of [
      "transcript.json",
      "transcript_bad_token.json",
      "transcript_notify_ack.json",
      "transcript_status_ping.json",
    ]
  ) {
    for (const e of await readVectors<{ hex: string }[]>(name)) {
      hexes.push(e.hex);
    }
  }
  return hexes.map((hex) => {
    const frame = fromHex(hex);
    const msg = decodeMsg(frame.subarray(1 + frame[0]));
    return { frame, type: msg.data.type, data: msg.data.data };
  });
}

function mutateBytes(src: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  const b = src.slice();
  switch (int(6)) {
    case 0: { // flip bits
      const n = 1 + int(4);
      for (let i = 0; i < n && b.length > 0; i++) {
        b[int(b.length)] ^= 1 << int(8);
      }
      return b;
    }
    case 1: { // random bytes
      const n = 1 + int(4);
      for (let i = 0; i < n && b.length > 0; i++) b[int(b.length)] = int(256);
      return b;
    }
    case 2: // truncate
      return b.subarray(0, int(b.length));
    case 3: { // extend with random bytes
      const out = new Uint8Array(b.length + 1 + int(16));
      out.set(b);
      for (let i = b.length; i < out.length; i++) out[i] = int(256);
      return out;
    }
    case 4: { // set a byte to an edge value
      if (b.length > 0) b[int(b.length)] = [0, 0x7f, 0x80, 0xff][int(4)];
      return b;
    }
    default: { // duplicate or drop a slice
      if (b.length < 2) return b;
      const i = int(b.length);
      const j = i + int(b.length - i);
      return rnd() < 0.5
        ? new Uint8Array([...b.subarray(0, j), ...b.subarray(i)])
        : new Uint8Array([...b.subarray(0, i), ...b.subarray(j)]);
    }
  }
}

/** One fuzzed frame from the golden ones. */
export function fuzzFrame(golden: Golden[], rnd: () => number): Uint8Array {
  const g = golden[Math.floor(rnd() * golden.length)];
  const r = rnd();
  if (r < 0.1) { // pure noise
    const out = new Uint8Array(1 + Math.floor(rnd() * 64));
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(rnd() * 256);
    return out;
  }
  if (r < 0.4) return mutateBytes(g.frame, rnd); // the whole frame
  if (r < 0.5) { // a length header announcing more or less than follows
    const out = g.frame.slice();
    out[1 + Math.floor(rnd() * out[0])] = Math.floor(rnd() * 256);
    return out;
  }
  // A well-framed chatter message whose eventer data is mutated, so the
  // eventer decoders are reached; sometimes with another message's type.
  const type = rnd() < 0.1
    ? golden[Math.floor(rnd() * golden.length)].type
    : g.type;
  const body = encodeMsg({
    id: 2 + Math.floor(rnd() * 5),
    first: 1 + Math.floor(rnd() * 5),
    owner: rnd() < 0.8,
    token: true,
    last: rnd() < 0.5,
    data: { type, data: mutateBytes(g.data, rnd) },
  });
  return encodeFrame(body);
}

async function writeAllQuiet(conn: Deno.Conn, bytes: Uint8Array) {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Reads until EOF; false if that took longer than `ms`. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<boolean> {
  const buf = new Uint8Array(16 * 1024);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const eof = (async () => {
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return true;
    }
  })();
  const ok = await Promise.race([eof, timeout]);
  clearTimeout(timer);
  return ok;
}

/** Resolves true if the socket is closed by the peer within `ms`. */
async function peerClosedAt(conn: Deno.Conn, ms: number): Promise<boolean> {
  return await closedWithin(conn, ms);
}

/** An in-memory event server: register callback, query of what it holds. */
function memoryServer(errors: { count: number }): Promise<Server> {
  const stored: Event[] = [];
  const ref: { server?: Server } = {};
  return listen({ hostname: "127.0.0.1", port: 0 }, {
    initTimeout: 1,
    pingDelay: null,
    maxConnections: 100_000,
    onError: () => {
      errors.count += 1;
    },
    onRegister: registrar((events) => {
      for (const e of events) stored.push(e);
      if (stored.length > 1000) stored.splice(0, stored.length - 1000);
      ref.server?.notifyEvents(events);
    }),
    onQuery: (): QueryResult => ({
      events: stored.slice(-10),
      moreFollows: false,
    }),
  }).then((s) => ref.server = s);
}

/**
 * Runs the fuzzer; throws if the well-behaved client failed or a
 * connection was not closed.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? (Date.now() & 0x7fffffff);
  const rnd = prng(seed);
  const golden = await loadGolden();
  const concurrency = options.concurrency ?? 32;
  const hangMs = (options.hangTimeout ?? 10) * 1000;
  const errors = { count: 0 };
  const report: FuzzReport = {
    seed,
    frames: 0,
    connections: 0,
    closedByServer: 0,
    serverErrors: 0,
    goodRequests: 0,
    hangs: 0,
  };
  await using server = await memoryServer(errors);
  const addr = server.addrs[0];

  // The well-behaved client, throughout.
  let stop = false;
  let goodError: unknown;
  const good = await connect(addr, "good", { subscriptions: [["good"]] });
  const goodLoop = (async () => {
    let n = 0;
    while (!stop) {
      n += 1;
      const res = await good.register([{
        type: ["good", String(n % 7)],
        sourceTimestamp: null,
        payload: { kind: "json", data: { n } },
      }], { withResponse: true });
      if (res === null || res.length !== 1) {
        throw new Error(`good client: register ${n} failed`);
      }
      await good.query({ kind: "latest", eventTypes: [["good", "*"]] });
      report.goodRequests += 2;
    }
  })().catch((e) => {
    goodError = e;
  });

  let nextProgress = 0;
  const worker = async () => {
    while (report.frames < options.frames && goodError === undefined) {
      const count = 1 + Math.floor(rnd() * 4);
      report.frames += count;
      report.connections += 1;
      const frames: Uint8Array[] = [];
      if (rnd() < 0.6) frames.push(initFrame("fuzz", [["*"]]));
      for (let i = 0; i < count; i++) frames.push(fuzzFrame(golden, rnd));
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect(addr);
      } catch {
        // Out of ports for a moment (TIME_WAIT): try again shortly.
        report.frames -= count;
        report.connections -= 1;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        for (const f of frames) await writeAllQuiet(conn, f);
      } catch {
        // The server closed already: fine.
      }
      // Closed by the server on its own (a bad frame)? Give it a moment.
      if (await peerClosedAt(conn, 20)) {
        report.closedByServer += 1;
      } else {
        // Still open: either the frames were well-formed or a frame was cut
        // short. Ending our side must get it closed.
        try {
          await conn.closeWrite();
        } catch {
          // already closed
        }
        if (!await closedWithin(conn, hangMs)) report.hangs += 1;
      }
      try {
        conn.close();
      } catch {
        // already closed
      }
      if (options.progress !== undefined && report.frames >= nextProgress) {
        nextProgress = report.frames + 10_000;
        report.serverErrors = errors.count;
        options.progress({ ...report });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  stop = true;
  await goodLoop;
  await good.close();
  report.serverErrors = errors.count;
  if (goodError !== undefined) {
    throw new Error(`well-behaved client failed (seed ${seed})`, {
      cause: goodError,
    });
  }
  if (report.hangs > 0) {
    throw new Error(
      `${report.hangs} connections not closed within ${hangMs} ms (seed ${seed})`,
    );
  }
  return report;
}
