// Load test of the Event Server: N clients register M events each in
// batches; subscribers check that every event arrives exactly once and in
// order; prints events/s and register latency percentiles.
//
//   deno task load                       # memory storage, server subprocess
//   deno task load --storage sqlite
//   deno task load --clients 4 --events 250000 --batch 100 --subscribers 1
//   deno task load --address 127.0.0.1:23012   # a server already running
//   deno task load --page                # with the web view open in Chromium
//   deno task load --types 100 --module event_server/modules/examples/threshold_alarm.ts \
//     --module-conf '{"eventTypes": [["load", "?", "t0"]], "field": "value", "high": 1e15}'
//
// The server runs as a subprocess (`cli/main.ts serve`) so that it has its
// own event loop and core; clients and subscribers share this process.

import { type Client, connect } from "../client.ts";
import type { Event, RegisterEvent } from "../event/mod.ts";
import type { LoadPage } from "./_load_page.ts";
import { cpuSeconds, startServer } from "./_server.ts";

interface Options {
  clients: number;
  events: number;
  batch: number;
  subscribers: number;
  window: number;
  response: "every" | "sample";
  storage: "memory" | "sqlite";
  codec: "wasm" | "ts" | null;
  payload: "json" | "binary" | "none";
  sync: "full" | "normal";
  sendQueueBytes: number;
  address: string | null;
  json: boolean;
  types: number;
  modules: string[];
  moduleConf: Record<string, unknown>;
  page: boolean;
}

function parse(args: string[]): Options {
  const o: Options = {
    clients: 4,
    events: 250_000,
    batch: 100,
    subscribers: 1,
    window: 8,
    response: "sample",
    storage: "memory",
    codec: null,
    payload: "json",
    sync: "full",
    sendQueueBytes: 256 * 1024 * 1024,
    address: null,
    json: false,
    types: 1,
    modules: [],
    moduleConf: {},
    page: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${a} needs a value`);
      return next;
    };
    switch (a) {
      case "--clients":
        o.clients = Number(v());
        break;
      case "--events":
        o.events = Number(v());
        break;
      case "--batch":
        o.batch = Number(v());
        break;
      case "--subscribers":
        o.subscribers = Number(v());
        break;
      case "--window":
        o.window = Number(v());
        break;
      case "--response":
        o.response = v() as Options["response"];
        if (o.response !== "every" && o.response !== "sample") {
          throw new Error("--response must be every or sample");
        }
        break;
      case "--storage":
        o.storage = v() as Options["storage"];
        break;
      case "--codec":
        o.codec = v() as Options["codec"];
        if (o.codec !== "wasm" && o.codec !== "ts") {
          throw new Error("--codec must be wasm or ts");
        }
        break;
      case "--payload":
        o.payload = v() as Options["payload"];
        break;
      case "--sync":
        o.sync = v() as Options["sync"];
        break;
      case "--send-queue-bytes":
        o.sendQueueBytes = Number(v());
        break;
      case "--address":
        o.address = v();
        break;
      case "--json":
        o.json = true;
        break;
      case "--types":
        o.types = Number(v());
        break;
      case "--module":
        o.modules.push(v());
        break;
      case "--module-conf": {
        const text = v();
        const conf = JSON.parse(text);
        if (typeof conf !== "object" || conf === null || Array.isArray(conf)) {
          throw new Error("--module-conf must be a JSON object");
        }
        o.moduleConf = conf;
        break;
      }
      case "--page":
        o.page = true;
        break;
      case "--help":
      case "-h":
        console.log(
          "deno task load [--clients N] [--events M per client] [--batch B]\n" +
            "  [--subscribers S] [--window W requests in flight per client]\n" +
            "  [--response every|sample: every batch waits for the server's\n" +
            "   answer, or every 10th (the others are sent without one)]\n" +
            "  [--storage memory|sqlite] [--sync full|normal]\n" +
            "  [--codec wasm|ts: the codec of the server it starts]\n" +
            "  [--send-queue-bytes B: the started server's per-client send\n" +
            "   queue (default 256 MiB: a subscriber that shares a core with\n" +
            "   the clients may fall behind and catch up; with the server's\n" +
            "   default of 4 MiB it may be dropped as a slow consumer)]\n" +
            "  [--payload json|binary|none] [--address HOST:PORT] [--json]\n" +
            "  [--types N: events spread over N types load/<client>/t<k>,\n" +
            "   k = sequence mod N (default 1: load/<client>)]\n" +
            "  [--module PATH: an engine module the started server runs\n" +
            "   (repeatable), with the settings of --module-conf JSON]\n" +
            "  [--page: the web view open in headless Chromium during the run]",
        );
        Deno.exit(0);
        break;
      default:
        throw new Error(`Unknown option ${a}`);
    }
  }
  for (
    const k of [
      "clients",
      "events",
      "batch",
      "window",
      "sendQueueBytes",
      "types",
    ] as const
  ) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 1) {
      throw new Error(`--${k} must be a positive integer`);
    }
  }
  if (!Number.isSafeInteger(o.subscribers) || o.subscribers < 0) {
    throw new Error("--subscribers must be an integer >= 0");
  }
  return o;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function makeBatch(o: Options, client: number, from: number): RegisterEvent[] {
  const out: RegisterEvent[] = new Array(o.batch);
  const types = o.types === 1 ? [["load", String(client)]] : Array.from(
    { length: o.types },
    (_, k) => ["load", String(client), `t${k}`],
  );
  // Binary payloads: 16 bytes each, views of one buffer per batch (in Deno
  // every `new Uint8Array` has a buffer of its own, which costs about as
  // much as registering the event).
  const block = o.payload === "binary" ? new Uint8Array(16 * o.batch) : null;
  for (let k = 0; k < o.batch; k++) {
    const seq = from + k;
    let payload: RegisterEvent["payload"] = null;
    if (o.payload === "json") {
      payload = { kind: "json", data: { value: seq * 0.5, quality: "good" } };
    } else if (block !== null) {
      const data = block.subarray(16 * k, 16 * k + 16);
      new DataView(data.buffer, data.byteOffset, 16).setFloat64(0, seq * 0.5);
      payload = { kind: "binary", type: "raw", data };
    }
    out[k] = {
      type: types[seq % o.types],
      sourceTimestamp: { s: seq, us: client },
      payload,
    };
  }
  return out;
}

async function run(o: Options): Promise<void> {
  // Modules by absolute path: the server reads its config elsewhere.
  const modules = o.modules.map((path) => ({
    ...o.moduleConf,
    module: path.startsWith("/") || /^[a-z][a-z0-9+.-]+:/i.test(path)
      ? path
      : `${Deno.cwd()}/${path}`,
  }));
  const server = o.address === null
    ? await startServer({
      prefix: "eventer_load_",
      config: modules.length === 0 ? undefined : { modules },
      args: [
        "--sync",
        o.sync,
        "--send-queue-bytes",
        String(o.sendQueueBytes),
        ...(o.storage === "memory" ? ["--memory"] : []),
        ...(o.codec === null ? [] : ["--codec", o.codec]),
      ],
      onExit: (status, log) => {
        console.error(
          `The server exited during the run (code ${status.code}, signal ` +
            `${status.signal}); its log:\n${log}`,
        );
        Deno.exit(1);
      },
    })
    : null;
  const addr = server?.addr ?? (() => {
    const [hostname, port] = o.address!.split(":");
    return { hostname, port: Number(port) };
  })();
  // The page watches the load's types: they exist before it opens (and
  // before the subscribers connect, so these events are not counted).
  let page: LoadPage | null = null;
  if (o.page) {
    if (server === null) throw new Error("--page needs the started server");
    const warm = await connect(addr, "load-warmup");
    await warm.register(
      Array.from({ length: o.clients }, (_, c) => ({
        type: ["load", String(c)],
        sourceTimestamp: null,
        payload: { kind: "json", data: { value: 0, quality: "good" } },
      })),
      { withResponse: true },
    );
    await warm.close();
    // Imported only here: the browser driver is fetched for --page only.
    const { openLoadPage } = await import("./_load_page.ts");
    page = await openLoadPage(server.httpUrl);
  }
  const batches = Math.ceil(o.events / o.batch);
  const sent = batches * o.batch * o.clients;
  let problems = 0;
  const report = (msg: string) => {
    if (problems++ < 10) console.error(msg);
  };

  // Subscribers check order (the client's sequence is the source
  // timestamp's seconds) and count.
  let allReceived!: () => void;
  const received = new Promise<void>((r) => allReceived = r);
  let subscribersDone = 0;
  const subs: Client[] = [];
  const counts = new Array<number>(o.subscribers).fill(0);
  for (let s = 0; s < o.subscribers; s++) {
    const next = new Array<number>(o.clients).fill(0);
    let lastSession = 0;
    subs.push(
      await connect(addr, `load-sub-${s}`, {
        subscriptions: [["load", "*"]],
        onEvents: (_c, events: Event[]) => {
          for (const e of events) {
            const c = Number(e.type[1]);
            const seq = Number(e.sourceTimestamp!.s);
            if (seq !== next[c]) {
              report(
                `subscriber ${s}: client ${c} expected ${next[c]}, got ${seq}`,
              );
            }
            next[c] = seq + 1;
            if (e.id.session < lastSession) {
              report(
                `subscriber ${s}: session ${e.id.session} after ${lastSession}`,
              );
            }
            lastSession = e.id.session;
          }
          counts[s] += events.length;
          if (counts[s] === sent && ++subscribersDone === o.subscribers) {
            allReceived();
          }
        },
      }),
    );
  }
  if (o.subscribers === 0) allReceived();
  // A subscriber the server drops (as a slow consumer, say) gets nothing
  // more: say so at once rather than waiting for the timeout.
  let ending = false;
  const dropped = new Promise<string>((resolve) => {
    subs.forEach((sub, s) =>
      sub.closed.then(() => {
        if (!ending) {
          resolve(
            `subscriber ${s} was disconnected by the server after ` +
              `${counts[s]} of ${sent} events (too slow for ` +
              `--send-queue-bytes ${o.sendQueueBytes}?)`,
          );
        }
      })
    );
  });

  const clients = await Promise.all(
    Array.from({ length: o.clients }, (_, c) => connect(addr, `load-${c}`)),
  );
  const latencies: number[] = [];
  const updates0 = await page?.updates() ?? 0;
  const browserCpu0 = page?.cpuSeconds() ?? 0;
  // The server's own time in the page's update rounds (scraped outside
  // the timed part): what the page costs directly, apart from a browser
  // on the same cores.
  const updateTime0 = page === null ? 0 : await updateSeconds(server!.httpUrl);
  const cpu0 = [cpuSeconds(server?.pid ?? -1), cpuSeconds("self")];
  const t0 = performance.now();
  await Promise.all(clients.map(async (client, c) => {
    let nextBatch = 0;
    const worker = async () => {
      while (nextBatch < batches) {
        const b = nextBatch++;
        const events = makeBatch(o, c, b * o.batch);
        if (o.response === "sample" && b % 10 !== 9 && b !== batches - 1) {
          await client.register(events);
          continue;
        }
        const start = performance.now();
        const result = await client.register(events, { withResponse: true });
        latencies.push(performance.now() - start);
        if (result === null || result.length !== events.length) {
          report(`client ${c}: registration failed`);
        }
      }
    };
    await Promise.all(Array.from({ length: o.window }, worker));
  }));
  const tRegistered = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    received.then(() => "ok" as const),
    dropped,
    new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), 30_000)
    ),
  ]);
  clearTimeout(timer);
  ending = true;
  if (outcome === "timeout") {
    report(`subscribers got ${counts.join(", ")} of ${sent} events in 30 s`);
  } else if (outcome !== "ok") {
    report(outcome);
  }
  const tReceived = performance.now();
  const cpu1 = [cpuSeconds(server?.pid ?? -1), cpuSeconds("self")];
  const updateTime = page === null
    ? 0
    : await updateSeconds(server!.httpUrl) - updateTime0;
  const pageUpdates = page === null ? null : await page.updates() - updates0;
  const browserCpu = (page?.cpuSeconds() ?? 0) - browserCpu0;
  await page?.[Symbol.asyncDispose]();

  // What took effect, read once the clock is stopped: the load's event
  // types the server has a latest event of, and the modules its log says
  // it runs.
  const { events: latest } = await clients[0].query({
    kind: "latest",
    eventTypes: [["load", "*"]],
  });
  const serverModules = server === null
    ? undefined
    : [...server.log().matchAll(/\bmodule \d+: (.+)$/gm)].map((m) => m[1]);

  for (const c of [...clients, ...subs]) await c.close();
  await server?.stop();

  latencies.sort((a, b) => a - b);
  const seconds = (tReceived - t0) / 1000;
  const result = {
    storage: o.address === null ? o.storage : "external",
    sync: o.storage === "sqlite" ? o.sync : undefined,
    codec: o.address === null ? o.codec ?? "default" : undefined,
    clients: o.clients,
    eventsPerClient: batches * o.batch,
    batch: o.batch,
    window: o.window,
    response: o.response,
    subscribers: o.subscribers,
    payload: o.payload,
    types: o.types,
    typesStored: latest.length,
    modules: o.modules,
    serverModules,
    events: sent,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSecond: Math.round(sent / seconds),
    registerSeconds: Number(((tRegistered - t0) / 1000).toFixed(3)),
    latencyMs: {
      p50: Number(percentile(latencies, 0.5).toFixed(2)),
      p99: Number(percentile(latencies, 0.99).toFixed(2)),
      max: Number(latencies[latencies.length - 1].toFixed(2)),
    },
    cpuSeconds: {
      server: Number((cpu1[0] - cpu0[0]).toFixed(2)),
      load: Number((cpu1[1] - cpu0[1]).toFixed(2)),
    },
    serverCpuPerMillion: Number(
      ((cpu1[0] - cpu0[0]) / sent * 1e6).toFixed(3),
    ),
    page: pageUpdates === null ? undefined : {
      updates: pageUpdates,
      updatesPerSecond: Number((pageUpdates / seconds).toFixed(1)),
      browserCpuSeconds: Number(browserCpu.toFixed(2)),
      serverUpdateSeconds: Number(updateTime.toFixed(4)),
    },
    problems,
  };
  if (o.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(
      `${result.storage}${result.sync ? ` (sync ${result.sync})` : ""}` +
        `${result.codec ? `, codec ${result.codec}` : ""}: ` +
        `${sent} events (${o.clients} clients x ${result.eventsPerClient}, ` +
        `batches of ${o.batch}, ${o.window} in flight per client, ` +
        `${
          o.response === "every" ? "every" : "every 10th"
        } batch with response, ` +
        `${o.subscribers} subscriber(s), ${o.payload} payload, ` +
        `${o.types} type(s) per client${
          o.modules.length === 0 ? "" : `, modules ${o.modules.join(", ")}`
        })\n` +
        `  ${latest.length} load type(s) stored${
          serverModules === undefined || serverModules.length === 0
            ? ""
            : `; the server runs ${serverModules.join(", ")}`
        }\n` +
        `  ${result.eventsPerSecond} events/s (${
          outcome === "ok" ? "all delivered" : "gave up"
        } after ` +
        `${result.seconds} s; registered after ${result.registerSeconds} s)\n` +
        `  register latency p50 ${result.latencyMs.p50} ms, p99 ` +
        `${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms\n` +
        `  CPU: server ${result.cpuSeconds.server} s ` +
        `(${result.serverCpuPerMillion} s per million events), clients and ` +
        `subscribers ${result.cpuSeconds.load} s (of ${result.seconds} s)\n` +
        (result.page === undefined
          ? ""
          : `  web view open: ${result.page.updates} live updates ` +
            `(${result.page.updatesPerSecond}/s), browser CPU ` +
            `${result.page.browserCpuSeconds} s, server time in the ` +
            `updates ${result.page.serverUpdateSeconds} s\n`) +
        `  ${
          problems === 0
            ? "every event delivered exactly once and in order"
            : `${problems} PROBLEMS`
        }`,
    );
  }
  if (problems > 0) Deno.exit(1);
}

/** The server's `hat_eventer_web_update_seconds` so far (its sum). */
async function updateSeconds(httpUrl: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", httpUrl))).text();
  const m = /^hat_eventer_web_update_seconds_sum (\S+)$/m.exec(text);
  return m === null ? 0 : Number(m[1]);
}

await run(parse(Deno.args));
