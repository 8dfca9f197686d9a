// The Python reference under the load tool, beside ours in the same run:
// tools/load.ts (4 clients, batches of 100, one subscriber, JSON payloads)
// against the Python Event Server (hat-event 0.9.42, LMDB, the reference's
// conf/event.yaml on a free port and a fresh database), against the Python
// eventer server alone (refpeer's ref-server: `hat.event.eventer.listen`
// with events in memory), and against our Event Server (SQLite, started by
// the load tool), in rotated order. The Python servers get fewer events
// per client (they are much slower); rates are per second either way.
//
//   HAT_REF=/path/to/reference deno run -A bench/python_load.ts [runs] [events per client for Python]

import {
  freePort,
  python,
  REF,
  refConf,
  stop,
} from "../tests/event_server/redundancy/_ref.ts";
import { within } from "../tests/_within.ts";

if (!REF) {
  console.error("set HAT_REF to the assembled Python reference");
  Deno.exit(2);
}
const RUNS = Number(Deno.args[0] ?? 5);
const PY_EVENTS = Number(Deno.args[1] ?? 25_000);
const HOST = "127.0.0.1";

type Kind = "python event server" | "python eventer server" | "ours, sqlite";

async function load(args: string[]): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../tools/load.ts", import.meta.url).href,
      "--json",
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  // load.ts fails when an event was lost, doubled or out of order.
  if (!out.success) throw new Error(`load.ts failed (code ${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout)).eventsPerSecond;
}

/** Resolves once refpeer's ref-server printed that its socket is bound. */
async function printedListening(child: Deno.ChildProcess): Promise<void> {
  let text = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (/^listening$/m.test(text)) return;
  }
  throw new Error("ref-server ended before listening");
}

async function run(kind: Kind): Promise<number> {
  const events = ["--events", String(PY_EVENTS)];
  if (kind === "ours, sqlite") return await load(["--storage", "sqlite"]);
  const dir = await Deno.makeTempDir({ prefix: "python_load_" });
  const port = freePort();
  let child: Parameters<typeof stop>[0];
  let listening: Promise<void>;
  if (kind === "python event server") {
    const server = python(
      "hat.event.server",
      await refConf("event", dir, { eventer_server: port }),
    );
    child = server;
    listening = server.listening(port);
  } else {
    const server = new Deno.Command(`${REF}/bin/ref-server`, {
      args: ["--port", String(port)],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    child = server;
    listening = within(printedListening(server), 30_000, "ref-server");
  }
  try {
    await listening;
    return await load(["--address", `${HOST}:${port}`, ...events]);
  } finally {
    await stop(child, "SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const kinds: Kind[] = [
  "python event server",
  "python eventer server",
  "ours, sqlite",
];
const rates = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  // Rotated, so that the machine's drift hits each alike.
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[(r + k) % kinds.length];
    const rate = await run(kind);
    rates.get(kind)!.push(rate);
    console.log(`run ${r + 1}, ${kind}: ${Math.round(rate)} events/s`);
  }
}
const m = (k: Kind) => median(rates.get(k)!);
for (const kind of kinds) {
  console.log(
    `median of ${RUNS}, ${kind}: ${Math.round(m(kind))} events/s ` +
      `(${rates.get(kind)!.map(Math.round).join(", ")})`,
  );
}
console.log(
  `ours / python event server: ${
    (m("ours, sqlite") / m("python event server")).toFixed(1)
  }x; ours / python eventer server: ${
    (m("ours, sqlite") / m("python eventer server")).toFixed(1)
  }x`,
);
