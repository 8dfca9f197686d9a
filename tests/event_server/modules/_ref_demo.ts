// The request of the reference peer's module_demo.py (refpeer), run against
// any Event Server with the reference engine module (Python ref_module, or
// its TypeScript twin _ref_module.ts) by our client, and what came of it,
// written so that two servers' runs compare equal: session ids (which
// depend on what the server registered before) are replaced by
// "<session>" where the events carry them.

import { type Client, connect } from "../../../client.ts";
import type { Event, JsonValue } from "../../../event/mod.ts";
import { freePort, listenLog, spawnRef } from "../../_ref_process.ts";
import { within } from "../../_within.ts";

/** The demo's request: one plain event and one that chains. */
export const DEMO_REQUEST = [
  {
    type: ["mod", "in", "x"],
    sourceTimestamp: null,
    payload: { kind: "json" as const, data: { v: 1 } },
  },
  {
    type: ["mod", "in", "chain"],
    sourceTimestamp: null,
    payload: { kind: "json" as const, data: { v: 2 } },
  },
];

/** One event: instance, type (joined with `/`) and normalized JSON data. */
export type Line = [number, string, JsonValue];

/** What came of one request. */
export interface DemoRun {
  /** The register response. */
  response: Line[];
  /** Every event of the session (a server query). */
  session: Line[];
  /** What a `mod/*` subscriber was notified of, one array per message. */
  notified: Line[][];
  /** Whether all events of the session have one timestamp. */
  oneTimestamp: boolean;
}

function normalize(e: Event): Line {
  let data = (e.payload?.kind === "json" ? e.payload.data : null) as JsonValue;
  if (typeof data === "object" && data !== null && !Array.isArray(data)) {
    const d = { ...data } as Record<string, JsonValue>;
    if (d.session === e.id.session) d.session = "<session>";
    const from = d.chained_from;
    if (Array.isArray(from) && from[1] === e.id.session) {
      d.chained_from = [from[0], "<session>", from[2]];
    }
    if (typeof d.in === "object" && d.in !== null && !Array.isArray(d.in)) {
      const inner = (d.in as Record<string, JsonValue>).chained_from;
      if (Array.isArray(inner) && inner[1] === e.id.session) {
        d.in = { chained_from: [inner[0], "<session>", inner[2]] };
      }
    }
    data = d;
  }
  return [e.id.instance, e.type.join("/"), data];
}

/**
 * Connects a subscriber of `mod/*` and a client to `address`, registers
 * the demo's request `times` times (with response) and gives what came of
 * each.
 */
export async function runDemo(
  address: { hostname: string; port: number },
  times = 2,
): Promise<DemoRun[]> {
  const notified: Event[][] = [];
  let wake: () => void = () => {};
  const sub = await connect(address, "module-demo-sub", {
    subscriptions: [["mod", "*"]],
    onEvents: (_c, events) => {
      notified.push(events);
      wake();
    },
  });
  let client: Client | null = null;
  try {
    client = await connect(address, "module-demo");
    const runs: DemoRun[] = [];
    for (let i = 0; i < times; i++) {
      const response = await client.register(DEMO_REQUEST, {
        withResponse: true,
      });
      if (response === null) throw new Error("the registration failed");
      const { server, session } = response[0].id;
      const { events } = await client.query({
        kind: "server",
        serverId: server,
        lastEventId: { server, session, instance: 0 },
      });
      const ofSession = events.filter((e) => e.id.session === session);
      const count = () =>
        notified.flat().filter((e) => e.id.session === session).length;
      await within(
        (async () => {
          while (count() < ofSession.length) {
            await new Promise<void>((resolve) => wake = resolve);
          }
        })(),
        10_000,
        "the session's notification",
      );
      runs.push({
        response: response.map(normalize),
        session: ofSession.map(normalize),
        notified: notified
          .filter((m) => m.some((e) => e.id.session === session))
          .map((m) => m.map(normalize)),
        oneTimestamp: new Set(ofSession.map((e) =>
          `${e.timestamp.s}.${e.timestamp.us}`
        ))
          .size === 1,
      });
    }
    return runs;
  } finally {
    await client?.close();
    await sub.close();
  }
}

const HOST = "127.0.0.1";

/** A Python Event Server of the reference (`$ref`) with ref_module. */
export interface PythonModuleServer extends AsyncDisposable {
  readonly address: { hostname: string; port: number };
}

/**
 * Starts the reference's hat-event-server with its `event_module.yaml`
 * (modules: [ref_module]) on a free port, its LMDB in a temporary folder.
 */
export async function startPythonModuleServer(
  ref: string,
): Promise<PythonModuleServer> {
  const dir = await Deno.makeTempDir({ prefix: "ref_module_" });
  const port = freePort();
  const conf = listenLog(
    await Deno.readTextFile(`${ref}/conf/event_module.yaml`),
  )
    .replace(/db_path: ".*"/, `db_path: "${dir}/event.db"`)
    .replace(
      /(eventer_server:\s*\n\s*host: "127.0.0.1"\s*\n\s*port: )\d+/,
      `$1${port}`,
    );
  if (!conf.includes(`port: ${port}`)) {
    throw new Error("event_module.yaml has no eventer_server port to set");
  }
  await Deno.writeTextFile(`${dir}/conf.yaml`, conf);
  const child = spawnRef(
    `${ref}/bin/hat-event-server`,
    ["--conf", `${dir}/conf.yaml`],
    "the Python Event Server with ref_module",
  );
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await child.listening(port);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address: { hostname: HOST, port },
    [Symbol.asyncDispose]: stop,
  };
}
