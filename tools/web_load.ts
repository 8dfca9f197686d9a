// The server's cost of an open web view under load: runs the load tool
// (tools/load.ts, a fresh server each run) alternately without and with
// the page open in headless Chromium, and compares the server's CPU
// seconds per million events (goal: with the page within 10% of without)
// and the page's live update rate (bounded by the update period, 4/s).
// It also gives the share of the server's CPU time spent in the page's
// update rounds (hat_eventer_web_update_seconds): the page's direct cost,
// apart from Chromium competing for the same cores.
//
//   deno run -A tools/web_load.ts [--runs 5] [load options, e.g. --storage sqlite]
//
// The server's codec is named (`--codec wasm`, the default, or `ts`), so
// that a HAT_EVENTER_CODEC in the environment does not change it unseen.

interface Run {
  page: boolean;
  eventsPerSecond: number;
  serverCpuPerMillion: number;
  updatesPerSecond: number | null;
  browserCpuSeconds: number | null;
  /** Share of the server's CPU time spent in the page's update rounds. */
  updateShare: number | null;
  seconds: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function load(args: string[], page: boolean): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./load.ts", import.meta.url).href,
      "--json",
      ...(page ? ["--page"] : []),
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`load.ts failed (code ${out.code})`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  return {
    page,
    eventsPerSecond: r.eventsPerSecond,
    serverCpuPerMillion: r.serverCpuPerMillion,
    updatesPerSecond: r.page?.updatesPerSecond ?? null,
    browserCpuSeconds: r.page?.browserCpuSeconds ?? null,
    updateShare: r.page === undefined
      ? null
      : r.page.serverUpdateSeconds / r.cpuSeconds.server,
    seconds: r.seconds,
  };
}

let runs = 5;
const args = [...Deno.args];
const i = args.indexOf("--runs");
if (i >= 0) {
  runs = Number(args[i + 1]);
  args.splice(i, 2);
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs N");
}

if (!args.includes("--codec")) args.push("--codec", "wasm");
const codec = args[args.indexOf("--codec") + 1];
console.log(`codec ${codec}, load options: ${args.join(" ")}`);

const results: Run[] = [];
for (let r = 0; r < runs; r++) {
  // Alternating, so that the machine's drift hits both alike.
  for (const page of r % 2 === 0 ? [false, true] : [true, false]) {
    const run = await load(args, page);
    results.push(run);
    console.log(
      `${page ? "page open" : "no page  "}: ${run.eventsPerSecond} events/s, ` +
        `server ${run.serverCpuPerMillion} CPU s per million events` +
        (run.updatesPerSecond === null
          ? ""
          : `, page ${run.updatesPerSecond} updates/s (${
            (100 * run.updateShare!).toFixed(1)
          }% of the server's CPU), browser ` +
            `${run.browserCpuSeconds} CPU s in ${run.seconds} s`),
    );
  }
}
const of = (page: boolean) => results.filter((r) => r.page === page);
const cpu = (page: boolean) =>
  median(of(page).map((r) => r.serverCpuPerMillion));
const rate = (page: boolean) => median(of(page).map((r) => r.eventsPerSecond));
const updates = of(true).map((r) => r.updatesPerSecond!);
const share = median(of(true).map((r) => r.updateShare!));
console.log(
  `medians of ${runs} (codec ${codec}): without page ${
    rate(false)
  } events/s, ` +
    `${cpu(false)} CPU s/M; with page ${rate(true)} events/s, ` +
    `${cpu(true)} CPU s/M (ratio ${
      (cpu(true) / cpu(false)).toFixed(3)
    }); page updates/s ${median(updates)} (max ${Math.max(...updates)}), ${
      (100 * share).toFixed(1)
    }% of the server's CPU in them`,
);
