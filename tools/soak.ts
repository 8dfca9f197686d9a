// `deno task soak [--minutes M] [--interval S] [--rate N] [--memory]
//   [--out FILE]`: a long steady load on the Event Server (a subprocess;
// SQLite by default, in a temp dir). First measures the maximum
// registration rate for 10 s (unless --rate), then registers at half of it
// for M minutes (default 5) while clients keep connecting, subscribing,
// querying and disconnecting. Every S seconds (default 10) it samples the
// server's RSS and CPU and the register latency; the table goes to FILE
// (default soak.md; Markdown, with the same rows as CSV below it).
// --retention N keeps the newest N events (default 1,000,000; 0: all).

import { type Client, connect } from "../client.ts";
import type { RegisterEvent } from "../event/mod.ts";
import { cpuSeconds, startServer } from "./_server.ts";

interface Options {
  minutes: number;
  interval: number;
  rate: number | null;
  memory: boolean;
  retention: number;
  out: string;
}

function parse(args: string[]): Options {
  const o: Options = {
    minutes: 5,
    interval: 10,
    rate: null,
    memory: false,
    retention: 1_000_000,
    out: "soak.md",
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${a} needs a value`);
      return next;
    };
    if (a === "--minutes") o.minutes = Number(v());
    else if (a === "--interval") o.interval = Number(v());
    else if (a === "--rate") o.rate = Number(v());
    else if (a === "--memory") o.memory = true;
    else if (a === "--retention") o.retention = Number(v());
    else if (a === "--out") o.out = v();
    else throw new Error(`Unknown option ${a}`);
  }
  if (!(o.minutes > 0) || !(o.interval > 0)) {
    throw new Error("--minutes and --interval must be > 0");
  }
  return o;
}

const PRODUCERS = 4;
const BATCH = 100;
const WINDOW = 8;

/** RSS in MiB and CPU seconds of a process (Linux /proc). */
function procStats(pid: number): { rss: number; cpu: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
  return { rss, cpu: cpuSeconds(pid) };
}

function batchOf(producer: number, seq: number): RegisterEvent[] {
  return Array.from({ length: BATCH }, (_, k) => ({
    type: ["soak", String(producer), String(k)],
    sourceTimestamp: { s: seq, us: k },
    payload: { kind: "json", data: { value: seq + k * 0.5, q: "good" } },
  }));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Registers as fast as WINDOW requests in flight allow, for `seconds`. */
async function measureMax(
  producers: Client[],
  seconds: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let events = 0;
  const t0 = performance.now();
  await Promise.all(
    producers.map((p, i) =>
      Promise.all(Array.from({ length: WINDOW }, async () => {
        let seq = 0;
        while (performance.now() < end) {
          await p.register(batchOf(i, seq++), { withResponse: true });
          events += BATCH;
        }
      }))
    ),
  );
  return events / ((performance.now() - t0) / 1000);
}

async function run(o: Options) {
  // A server that runs for years keeps a bounded history: retention.
  const server = await startServer({
    prefix: "eventer_soak_",
    config: {
      retention: o.retention > 0
        ? [{ eventTypes: [["*"]], maxEntries: o.retention }]
        : [],
    },
    args: o.memory ? ["--memory"] : [],
    // The server must not exit before we stop it: if it does, say why.
    onExit: (status, log) => {
      console.error(
        `SERVER EXITED (code ${status.code}, signal ${status.signal}); ` +
          `its log:\n${log}`,
      );
      Deno.exit(1);
    },
  });
  const addr = server.addr;
  const producers = await Promise.all(
    Array.from({ length: PRODUCERS }, (_, i) => connect(addr, `soak-${i}`)),
  );
  let delivered = 0;
  const subscriber = await connect(addr, "soak-sub", {
    subscriptions: [["soak", "*"]],
    onEvents: (_c, events) => {
      delivered += events.length;
    },
  });
  const max = o.rate === null ? await measureMax(producers, 10) : NaN;
  const rate = o.rate ?? Math.round(max / 2);
  console.log(
    o.rate === null
      ? `maximum ${
        Math.round(max)
      } events/s; soaking at ${rate} events/s for ${o.minutes} min`
      : `soaking at ${rate} events/s for ${o.minutes} min`,
  );

  const endAt = performance.now() + o.minutes * 60_000;
  let latencies: number[] = [];
  let registered = 0;
  let failures = 0;
  // Steady registration: each producer keeps its share of the rate,
  // catching up (up to WINDOW in flight) when behind.
  const t0 = performance.now();
  const perProducer = rate / PRODUCERS;
  const producing = producers.map(async (p, i) => {
    let sent = 0;
    let seq = 1_000_000;
    const inFlight = new Set<Promise<void>>();
    while (performance.now() < endAt) {
      const due = (performance.now() - t0) / 1000 * perProducer;
      if (sent + BATCH <= due && inFlight.size < WINDOW) {
        sent += BATCH;
        const start = performance.now();
        const r: Promise<void> = p.register(batchOf(i, seq++), {
          withResponse: true,
        }).then((res) => {
          if (res === null) failures += 1;
          else registered += res.length;
          latencies.push(performance.now() - start);
        }, () => {
          failures += 1;
        }).finally(() => inFlight.delete(r));
        inFlight.add(r);
      } else {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await Promise.all(inFlight);
  });
  // Churn: a client connects every 200 ms, subscribes to one type of one
  // producer (1 event in 100 of that producer), queries, stays 1-10 s and
  // leaves.
  let connects = 0;
  let open = 0;
  let churnErrors = 0;
  const churning = (async () => {
    const leaving: Promise<void>[] = [];
    while (performance.now() < endAt) {
      connects += 1;
      leaving.push((async () => {
        try {
          const c = await connect(addr, `churn-${connects}`, {
            subscriptions: [["soak", String(connects % PRODUCERS), "0"]],
          });
          open += 1;
          await c.query({
            kind: "timeseries",
            eventTypes: [["soak", "0", "0"]],
            maxResults: 100,
          });
          await new Promise((r) => setTimeout(r, 1000 + Math.random() * 9000));
          open -= 1;
          await c.close();
        } catch {
          churnErrors += 1;
        }
      })());
      await new Promise((r) => setTimeout(r, 200));
    }
    await Promise.all(leaving);
  })();

  const rows: string[][] = [];
  const header = [
    "t_s",
    "server_rss_mib",
    "server_cpu_pct",
    "load_cpu_pct",
    "registered_per_s",
    "delivered_per_s",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "churn_clients_open",
    "connects_total",
  ];
  let last: {
    t: number;
    reg: number;
    del: number;
    self: number;
    rss: number;
    cpu: number;
  } = {
    t: performance.now(),
    reg: 0,
    del: delivered,
    self: procStats(Deno.pid).cpu,
    ...procStats(server.pid),
  };
  const sampling = (async () => {
    while (performance.now() < endAt) {
      await new Promise((r) => setTimeout(r, o.interval * 1000));
      const now = performance.now();
      const s = procStats(server.pid);
      const self = procStats(Deno.pid).cpu;
      const dt = (now - last.t) / 1000;
      const l = latencies.sort((a, b) => a - b);
      latencies = [];
      const row = [
        ((now - t0) / 1000).toFixed(0),
        s.rss.toFixed(1),
        ((s.cpu - last.cpu) / dt * 100).toFixed(0),
        ((self - last.self) / dt * 100).toFixed(0),
        ((registered - last.reg) / dt).toFixed(0),
        ((delivered - last.del) / dt).toFixed(0),
        percentile(l, 0.5).toFixed(2),
        percentile(l, 0.99).toFixed(2),
        (l.at(-1) ?? NaN).toFixed(2),
        String(open),
        String(connects),
      ];
      rows.push(row);
      console.log(header.map((h, i) => `${h}=${row[i]}`).join(" "));
      last = { t: now, reg: registered, del: delivered, self, ...s };
    }
  })();
  await Promise.all([...producing, churning, sampling]);
  for (const c of [...producers, subscriber]) await c.close();
  const log = server.log();
  await server.stop();
  const warnings = log.split("\n").filter((l) => / (WARN|ERROR) /.test(l));

  // Flat memory: the median RSS of the last third against the first third
  // (the first sample, the warm-up, left out).
  const rss = rows.slice(1).map((r) => Number(r[1]));
  const third = Math.max(1, Math.floor(rss.length / 3));
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const early = median(rss.slice(0, third));
  const late = median(rss.slice(-third));
  const growth = late - early;
  const flat = Math.abs(growth) <= Math.max(8, early * 0.1);
  const summary = [
    `Soak of the Event Server (${
      o.memory ? "memory" : "SQLite"
    } storage, retention ${
      o.retention > 0 ? `${o.retention} events` : "none"
    }): ${
      o.rate === null ? `maximum ${Math.round(max)} events/s, ` : ""
    }steady ${rate} events/s (${PRODUCERS} producers, batches of ${BATCH}) for ${o.minutes} min, ` +
    `1 subscriber of everything, a client connecting every 200 ms for 1-10 s ` +
    `(subscribed to 1% of one producer's events, one query each) ` +
    `(${connects} connects, ${churnErrors} churn errors, ${failures} failed registrations).`,
    `Server RSS: median ${early.toFixed(1)} MiB in the first third, ${
      late.toFixed(1)
    } MiB in the last third (${growth >= 0 ? "+" : ""}${
      growth.toFixed(1)
    } MiB): ${flat ? "flat" : "NOT flat"}.`,
  ];
  const md = [
    "# Soak run",
    "",
    `Command: \`deno task soak ${Deno.args.join(" ")}\``.replace(/ `$/, "`"),
    "",
    ...summary.flatMap((s) => [s, ""]),
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    "```csv",
    header.join(","),
    ...rows.map((r) => r.join(",")),
    "```",
    "",
    ...(warnings.length === 0 ? ["Server log: no warnings or errors.", ""] : [
      `Server log, warnings and errors (${warnings.length}, first 50):`,
      "",
      "```",
      ...warnings.slice(0, 50),
      "```",
      "",
    ]),
  ].join("\n");
  await Deno.writeTextFile(o.out, md);
  for (const s of summary) console.log(s);
  console.log(`table written to ${o.out}`);
  if (failures > 0 || churnErrors > 0) Deno.exit(1);
}

await run(parse(Deno.args));
