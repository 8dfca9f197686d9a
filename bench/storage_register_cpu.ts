// Registering into the storages as CPU time, for machines too busy for
// wall-clock numbers (Linux only: utime + stime of /proc/self/stat, 10 ms
// ticks, every thread of the process, SQLite's checkpoint worker included):
//
//   deno run -A bench/storage_register_cpu.ts [rounds] [checkout]
//
// Per round and storage (memory, SQLite with its defaults), CPU
// milliseconds per 100,000 events registered in batches of 100 with JSON
// payloads, as the engine hands them over (ids and timestamps set), until
// the last is durable. `checkout`: the root of another checkout whose
// storages are measured instead (the SQLite storage is found in either
// layout, storage/sqlite.ts or storage/sqlite/sqlite.ts), to compare two
// versions under the same load: run both, alternately.

import type { Event } from "../event/mod.ts";
import type { Storage } from "../event_server/storage/mod.ts";

const rounds = Number(Deno.args[0] ?? 3);
const root = new URL(
  Deno.args[1] === undefined
    ? "../"
    : `file://${Deno.realPathSync(Deno.args[1])}/`,
  import.meta.url,
);

async function importFirst(paths: string[]): Promise<Record<string, unknown>> {
  for (const path of paths) {
    const url = new URL(path, root);
    try {
      Deno.statSync(url);
    } catch {
      continue;
    }
    return await import(url.href);
  }
  throw new Error(`none of ${paths.join(", ")} in ${root.pathname}`);
}

const { MemoryStorage } = await importFirst([
  "event_server/storage/memory.ts",
]) as { MemoryStorage: new () => Storage };
const { SqliteStorage } = await importFirst([
  "event_server/storage/sqlite/sqlite.ts",
  "event_server/storage/sqlite.ts",
]) as { SqliteStorage: new (path: string) => Storage };

const PER_ROUND = 200_000;
const BATCH = 100;

function cpuMs(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function batch(session: number): Event[] {
  const events: Event[] = [];
  const s = 1_700_000_000 + session;
  for (let i = 1; i <= BATCH; i++) {
    events.push({
      id: { server: 1, session, instance: i },
      type: ["gw", `dev${i % 10}`, "data", `p${i % 7}`],
      timestamp: { s, us: i },
      sourceTimestamp: { s: s - 1, us: i },
      payload: {
        kind: "json",
        data: { value: session * 0.5, quality: "good" },
      },
    });
  }
  return events;
}

async function fill(storage: Storage): Promise<void> {
  let last: Promise<void> = Promise.resolve();
  for (let session = 1; session <= PER_ROUND / BATCH; session++) {
    last = storage.register(batch(session));
    if (session % 64 === 0) await last;
  }
  await last;
}

const results = new Map<string, string[]>();
for (let round = 0; round < rounds; round++) {
  for (const kind of ["memory", "sqlite"]) {
    const dir = await Deno.makeTempDir({ prefix: "storage_cpu_" });
    const storage = kind === "memory"
      ? new MemoryStorage()
      : new SqliteStorage(`${dir}/events.db`);
    const c0 = cpuMs();
    await fill(storage);
    const ms = (cpuMs() - c0) / (PER_ROUND / 100_000);
    await storage.close();
    await Deno.remove(dir, { recursive: true });
    const list = results.get(kind) ?? [];
    list.push(ms.toFixed(0));
    results.set(kind, list);
  }
}
for (const [kind, list] of results) {
  console.log(`${kind}: ${list.join(" ")} CPU ms per 100,000 events`);
}
