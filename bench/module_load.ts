// What engine modules cost the whole server under load: `deno task load`
// (tools/load.ts, the server as a subprocess with its default codec, memory
// storage) with events spread over 100 types, run alternately, each round
// in a rotated order: without a module, and with the shipped threshold
// alarm subscribed to none of the types (what the module step costs
// sessions that no module wants), to 1 of the 100 types, and to all of
// them (its limit never crossed). Prints the median of the server's CPU
// seconds per million events and of events/s, and the ratio to the run
// without a module.
//
//   deno run -A bench/module_load.ts [rounds=5] [events per client=100000]

const rounds = Number(Deno.args[0] ?? 5);
const events = Number(Deno.args[1] ?? 100_000);
const LOAD = new URL("../tools/load.ts", import.meta.url);
const ALARM = new URL(
  "../event_server/modules/examples/threshold_alarm.ts",
  import.meta.url,
).pathname;

const alarmOn = (eventTypes: string[][]) => [
  "--module",
  ALARM,
  "--module-conf",
  JSON.stringify({ eventTypes, field: "value", high: 1e15 }),
];

const CASES: [string, string[]][] = [
  ["no module", []],
  ["module on none of the types", alarmOn([["other"]])],
  ["module on 1 of 100 types", alarmOn([["load", "?", "t0"]])],
  ["module on all 100 types", alarmOn([["load", "*"]])],
];

interface Run {
  cpu: number;
  rate: number;
}

async function load(args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--lock=dev.lock",
      LOAD.href,
      "--json",
      "--types",
      "100",
      "--events",
      String(events),
      ...args,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`load failed (${out.code})`);
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  return { cpu: r.serverCpuPerMillion, rate: r.eventsPerSecond };
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const runs = new Map<string, Run[]>(CASES.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round++) {
  // Each round starts with the next case, so that no case always follows
  // the same one (a heavy run can leave the machine slower for the next).
  const order = CASES.map((_, k) => CASES[(round + k) % CASES.length]);
  for (const [name, args] of order) {
    const r = await load(args);
    runs.get(name)!.push(r);
    console.error(
      `round ${round + 1} ${name}: ${r.cpu} s/M, ${r.rate} events/s`,
    );
  }
}
const base = median(runs.get("no module")!.map((r) => r.cpu));
console.log(
  "| case | server CPU s per million events (median) | vs no module | events/s (median) | CPU runs |",
);
console.log("| --- | --- | --- | --- | --- |");
for (const [name] of CASES) {
  const rs = runs.get(name)!;
  const cpu = median(rs.map((r) => r.cpu));
  console.log(
    `| ${name} | ${cpu.toFixed(2)} | ${(cpu / base).toFixed(2)}x | ${
      median(rs.map((r) => r.rate))
    } | ${rs.map((r) => r.cpu.toFixed(2)).join(", ")} |`,
  );
}
