// Failover of an Event Server pair in a monitor group (docs/redundancy.md):
// the active server (a subprocess) is killed with SIGKILL; measured, the
// time until the standby announces `operational` to a client connected to
// it, and until that client's first registration succeeds. The killed one
// is started again (it comes back standby) and the next round kills the
// other one. Pairs, side by side:
//
// - two of ours, with the test monitor server of tests/monitor (always);
// - with HAT_REF (the assembled Python reference): two of ours with the
//   Python monitor server, and ours beside a Python Event Server (hat-event
//   0.9.42), killing each in turn; and two Python ones as the reference.
//
//   deno run -A bench/redundancy_failover.ts [rounds]

import { connect } from "../client.ts";
import type { Status } from "../event/mod.ts";
import { serveProcess } from "../tests/event_server/_cli.ts";
import {
  freePort,
  python,
  pythonMonitor,
  REF,
  refConf,
  type RefProcess,
  stop,
} from "../tests/event_server/redundancy/_ref.ts";
import { startMonitorServer } from "../tests/monitor/_monitor_server.ts";

const ROUNDS = Number(Deno.args[0] ?? 6);

interface Member {
  name: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  port(): number;
}

function ours(name: string, serverId: number, monitorPort: number): Member {
  let proc: Awaited<ReturnType<typeof serveProcess>> | null = null;
  return {
    name,
    async start() {
      proc = await serveProcess([
        "--memory",
        "--server-id",
        String(serverId),
        "--name",
        name,
        "--monitor",
        `127.0.0.1:${monitorPort}`,
      ]);
    },
    async kill() {
      proc?.child.kill("SIGKILL");
      await proc?.status;
      proc = null;
    },
    port: () => Number(proc!.address.split(":")[1]),
  };
}

function pythonMember(
  name: "event_a" | "event_b",
  dir: string,
  monitorPort: number,
): Member {
  let child: RefProcess | null = null;
  const port = freePort();
  return {
    name: `python ${name}`,
    async start() {
      const conf = await refConf(name, dir, {
        eventer_server: port,
        monitor_component: monitorPort,
      });
      child = python("hat.event.server", conf);
      await child.listening(port);
    },
    async kill() {
      if (child !== null) await stop(child);
      child = null;
    },
    port: () => port,
  };
}

async function statusOf(port: number): Promise<Status> {
  const c = await connect({ hostname: "127.0.0.1", port }, "probe");
  const s = c.status;
  await c.close();
  return s;
}

/** Waits until `port` announces `operational`; resolves with the time. */
async function watchOperational(port: number) {
  const reached = Promise.withResolvers<number>();
  const client = await connect({ hostname: "127.0.0.1", port }, "watch", {
    onStatus: (_c, s) => {
      if (s === "operational") reached.resolve(performance.now());
    },
  });
  if (client.status === "operational") reached.resolve(performance.now());
  return { client, reached: reached.promise };
}

async function waitFor(pred: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not within 30 s");
}

async function pair(label: string, a: Member, b: Member) {
  const times: { killed: string; operational: number; registered: number }[] =
    [];
  await a.start();
  await waitFor(async () => await statusOf(a.port()) === "operational");
  await b.start();
  // The standby has caught up once it is listed and ready; a second lets
  // its peer connection settle.
  await new Promise((r) => setTimeout(r, 1000));
  let [active, standby] = [a, b];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const watch = await watchOperational(standby.port());
      const t0 = performance.now();
      await active.kill();
      const operational = await watch.reached;
      let registered = NaN;
      for (let i = 0; i < 1000; i++) {
        const r = await watch.client.register(
          [{ type: ["failover"], sourceTimestamp: null, payload: null }],
          { withResponse: true },
        );
        if (r !== null) {
          registered = performance.now();
          break;
        }
      }
      await watch.client.close();
      times.push({
        killed: active.name,
        operational: operational - t0,
        registered: registered - t0,
      });
      await active.start();
      // Back as standby, synced (as above).
      await new Promise((r) => setTimeout(r, 1000));
      [active, standby] = [standby, active];
    }
  } finally {
    await a.kill();
    await b.kill();
  }
  const med = (xs: number[]) =>
    [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(`\n${label}`);
  console.log("| killed | → standby operational | → first registration |");
  console.log("| --- | ---: | ---: |");
  for (const t of times) {
    console.log(
      `| ${t.killed} | ${t.operational.toFixed(1)} ms | ${
        t.registered.toFixed(1)
      } ms |`,
    );
  }
  console.log(
    `| median | ${med(times.map((t) => t.operational)).toFixed(1)} ms | ${
      med(times.map((t) => t.registered)).toFixed(1)
    } ms |`,
  );
}

{
  await using monitor = await startMonitorServer({
    groupAlgorithms: { event: "BLESS_ONE" },
  });
  const port = monitor.addr.port;
  await pair(
    "two of ours, test monitor server",
    ours("ts_a", 1, port),
    ours("ts_b", 2, port),
  );
}

if (REF !== undefined) {
  const dir = await Deno.makeTempDir({ prefix: "redundancy_failover_" });
  const monitor = await pythonMonitor(dir);
  try {
    await pair(
      "two of ours, Python monitor server",
      ours("ts_a", 11, monitor.port),
      ours("ts_b", 12, monitor.port),
    );
    await pair(
      "ours and a Python Event Server, Python monitor server",
      ours("ts_b", 2, monitor.port),
      pythonMember("event_a", dir, monitor.port),
    );
    await pair(
      "two Python Event Servers, Python monitor server (the reference)",
      pythonMember("event_a", dir, monitor.port),
      pythonMember("event_b", dir, monitor.port),
    );
  } finally {
    await stop(monitor.child);
    await Deno.remove(dir, { recursive: true });
  }
}
