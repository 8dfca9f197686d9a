// Records the Hat monitor observer protocol, frame by frame, between the
// Python monitor server and Python Event Servers (the reference assembled
// in $HAT_REF), through a recording TCP proxy. Writes
// tests/testdata/monitor/transcript_*.json; see the README there.
//
// Run: HAT_REF=/work/ref deno run -A tools/record_monitor.ts [OUT_DIR]

import { decodeMsg } from "../chatter/mod.ts";
import { Repository, type SbsValue } from "../codec/mod.ts";
import { OBSERVER_SBS } from "../monitor/mod.ts";
import { connect as chatterConnect } from "../chatter/mod.ts";

const REF = Deno.env.get("HAT_REF");
if (!REF) {
  console.error("set HAT_REF to the assembled Python reference");
  Deno.exit(2);
}
const OUT = Deno.args[0] ??
  new URL("../tests/testdata/monitor/", import.meta.url).pathname;
const HOST = "127.0.0.1";
const repo = new Repository(OBSERVER_SBS);
const t0 = performance.now();

interface Mark {
  /** The proxy accepted the connection, or one side closed its end. */
  dir: "open" | "c2s_eof" | "s2c_eof";
  t_ms: number;
}

interface Frame {
  dir: "c2s" | "s2c";
  t_ms: number;
  hex: string;
  msg: {
    id: number;
    first: number;
    owner: boolean;
    token: boolean;
    last: boolean;
    type: string;
    data: string;
  };
  inner: unknown;
}

interface Recording {
  name: string;
  frames: (Frame | Mark)[];
}

const now = () => Math.round((performance.now() - t0) * 1000) / 1000;

const hex = (b: Uint8Array) =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

// SBS values as JSON: bytes as hex, bigints as strings.
function jsonable(v: SbsValue): unknown {
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(jsonable);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, jsonable(x as SbsValue)]),
    );
  }
  return v;
}

/** Splits a byte stream into whole chatter frames (header + body). */
class Splitter {
  #buf = new Uint8Array(0);
  push(chunk: Uint8Array): Uint8Array[] {
    const buf = new Uint8Array(this.#buf.length + chunk.length);
    buf.set(this.#buf);
    buf.set(chunk, this.#buf.length);
    const frames: Uint8Array[] = [];
    let pos = 0;
    for (;;) {
      if (buf.length - pos < 1) break;
      const n = buf[pos];
      if (buf.length - pos < 1 + n) break;
      let len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 1 + i];
      if (buf.length - pos < 1 + n + len) break;
      frames.push(buf.slice(pos, pos + 1 + n + len));
      pos += 1 + n + len;
    }
    this.#buf = buf.slice(pos);
    return frames;
  }
}

function record(rec: Recording, dir: "c2s" | "s2c", frame: Uint8Array) {
  const body = frame.subarray(1 + frame[0]);
  const m = decodeMsg(body);
  let inner: unknown = null;
  if (m.data.type.startsWith("HatObserver.")) {
    inner = jsonable(repo.decode(m.data.type, m.data.data));
  }
  rec.frames.push({
    dir,
    t_ms: now(),
    hex: hex(frame),
    msg: {
      id: m.id,
      first: m.first,
      owner: m.owner,
      token: m.token,
      last: m.last,
      type: m.data.type,
      data: hex(m.data.data),
    },
    inner,
  });
}

async function pump(
  from: Deno.Conn,
  to: Deno.Conn,
  rec: Recording,
  dir: "c2s" | "s2c",
): Promise<void> {
  const splitter = new Splitter();
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      const chunk = buf.slice(0, n);
      for (const f of splitter.push(chunk)) record(rec, dir, f);
      let off = 0;
      while (off < n) off += await to.write(chunk.subarray(off));
    }
  } catch {
    // One side went away.
  }
  rec.frames.push({ dir: `${dir}_eof`, t_ms: now() });
  try {
    to.closeWrite();
  } catch {
    // Already closed.
  }
}

/** A proxy in front of the monitor that records every connection. */
function startProxy(upstreamPort: number, names: string[]) {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const recordings: Recording[] = [];
  const done: Promise<void>[] = [];
  (async () => {
    for await (const client of listener) {
      const rec: Recording = {
        name: names[recordings.length] ?? `conn${recordings.length + 1}`,
        frames: [{ dir: "open", t_ms: now() }],
      };
      recordings.push(rec);
      const upstream = await Deno.connect({
        hostname: HOST,
        port: upstreamPort,
      });
      done.push(
        Promise.all([
          pump(client, upstream, rec, "c2s"),
          pump(upstream, client, rec, "s2c"),
        ]).then(() => {
          for (const c of [client, upstream]) {
            try {
              c.close();
            } catch {
              // Closed.
            }
          }
        }),
      );
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    recordings,
    async close() {
      listener.close();
      await Promise.all(done);
    },
  };
}

function freePort(): number {
  const l = Deno.listen({ hostname: HOST, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: HOST, port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`port ${port} did not open`);
}

async function until(what: string, pred: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Info = {
  cid: number;
  name: [string, string | null];
  blessingReq: { token: [string, number | null] };
  blessingRes: { token: [string, number | null]; ready: boolean };
};

/** The last MsgServer a recorded connection received, decoded. */
function lastState(rec: Recording | undefined) {
  const f = rec?.frames.findLast((f): f is Frame =>
    f.dir === "s2c" && (f as Frame).msg.type === "HatObserver.MsgServer"
  );
  return f?.inner as { cid: number; components: Info[] } | undefined;
}

function own(rec: Recording | undefined): Info | undefined {
  const s = lastState(rec);
  return s?.components.find((c) => c.cid === s.cid);
}

const active = (i: Info | undefined) =>
  i !== undefined && i.blessingReq.token[1] !== null &&
  i.blessingReq.token[1] === i.blessingRes.token[1];

const tmp = await Deno.makeTempDir({ prefix: "record_monitor_" });
const monitorPort = freePort();
const masterPort = freePort();
const children: Record<string, Deno.ChildProcess> = {};

function start(name: string, module: string, conf: string) {
  const cmd = new Deno.Command(`${REF}/venv/bin/python`, {
    args: ["-m", module, "--conf", conf],
    stdout: "null",
    stderr: "piped",
  });
  const child = cmd.spawn();
  children[name] = child;
  child.stderr.pipeTo(
    Deno.openSync(`${tmp}/${name}.log`, { write: true, create: true })
      .writable,
  );
  return child;
}

async function conf(src: string, out: string, edits: [RegExp, string][]) {
  let text = await Deno.readTextFile(src);
  for (const [re, to] of edits) {
    if (!re.test(text)) throw new Error(`${src}: no match for ${re}`);
    text = text.replace(re, to);
  }
  await Deno.writeTextFile(out, text);
  return out;
}

const proxy = startProxy(monitorPort, ["event_a", "event_b", "bad_client"]);
const meta: Record<string, unknown> = {
  recorded: new Date().toISOString(),
  versions: (await Deno.readTextFile(`${REF}/VERSIONS`)).trim().split("\n"),
  steps: [] as string[],
};
const step = (s: string) => {
  (meta.steps as string[]).push(
    `${Math.round(performance.now() - t0)} ms: ${s}`,
  );
  console.error(s);
};

try {
  const monConf = await conf(
    `${REF}/conf/monitor.yaml`,
    `${tmp}/monitor.yaml`,
    [
      [
        /(server:\s*\n\s*host: "127.0.0.1"\s*\n\s*port: )\d+/,
        `$1${monitorPort}`,
      ],
      [
        /(master:\s*\n\s*host: "127.0.0.1"\s*\n\s*port: )\d+/,
        `$1${masterPort}`,
      ],
    ],
  );
  const pair = async (name: string) =>
    await conf(`${REF}/conf/${name}.yaml`, `${tmp}/${name}.yaml`, [
      [/db_path: ".*"/, `db_path: "${tmp}/${name}.db"`],
      [
        /(eventer_server:\s*\n\s*host: "127.0.0.1"\s*\n\s*port: )\d+/,
        `$1${freePort()}`,
      ],
      [
        /(monitor_component:\s*\n\s*host: "127.0.0.1"\s*\n\s*port: )\d+/,
        `$1${proxy.port}`,
      ],
    ]);
  const confA = await pair("event_a");
  const confB = await pair("event_b");

  step(`monitor on ${monitorPort} (BLESS_ONE for group event)`);
  start("monitor", "hat.monitor.server", monConf);
  // The master port: a connection to the component port would take cid 1.
  await waitPort(masterPort);

  step("event_a connects");
  start("event_a", "hat.event.server", confA);
  await until("event_a active", () => active(own(proxy.recordings[0])));
  step("event_a is active");

  step("event_b connects");
  start("event_b", "hat.event.server", confB);
  await until(
    "event_b ready",
    () => own(proxy.recordings[1])?.blessingRes.ready === true,
  );
  await new Promise((r) => setTimeout(r, 300));
  step("event_b is ready and standby");

  step("a client sends a message a component never sends (MsgServer)");
  const bad = await chatterConnect({ hostname: HOST, port: proxy.port });
  await until(
    "bad_client listed",
    () => lastState(proxy.recordings[2]) !== undefined,
  );
  await bad.send({
    type: "HatObserver.MsgServer",
    data: repo.encode("HatObserver.MsgServer", {
      cid: 1,
      mid: 0,
      components: [],
    }),
  });
  await bad.closed;
  step("bad_client was closed by the monitor");

  step("SIGKILL event_a");
  children.event_a.kill("SIGKILL");
  await children.event_a.status;
  await until("event_b active", () => active(own(proxy.recordings[1])));
  await new Promise((r) => setTimeout(r, 300));
  step("event_b is active");

  step("SIGTERM the monitor");
  children.monitor.kill("SIGTERM");
  await children.monitor.status;
  const b = await Promise.race([
    children.event_b.status,
    new Promise((r) => setTimeout(() => r(null), 10_000)),
  ]);
  step(`event_b ${b === null ? "still running after 10 s" : "stopped"}`);
} finally {
  for (const [name, child] of Object.entries(children)) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already ended.
    }
    await child.status;
    delete children[name];
  }
  await proxy.close();
}

await Deno.mkdir(OUT, { recursive: true });
for (const rec of proxy.recordings) {
  const path = `${OUT}/transcript_${rec.name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(rec.frames, null, 1) + "\n");
  console.error(`wrote ${path}: ${rec.frames.length} frames`);
}
await Deno.writeTextFile(
  `${OUT}/transcripts_meta.json`,
  JSON.stringify(meta, null, 1) + "\n",
);
// In the project's JSON style, so that `deno fmt --check` stays clean.
await new Deno.Command(Deno.execPath(), { args: ["fmt", OUT] }).output();
console.error(`logs in ${tmp}`);
