// Crash safety of the Event Server with SQLite storage: the server process
// is SIGKILLed during sustained registration at random moments, several
// times in a row. After each kill the store opens, every event a
// persisted subscriber was notified of (in any cycle so far) is in it,
// unchanged, and the restarted server's ids continue after the highest
// stored one and after every one it handed out before a kill. Shared by
// tests/hardening/crash_test.ts (a few cycles, in CI) and tools/crash.ts
// (`deno task crash [cycles]`).

import { connect } from "../../client.ts";
import type { Event, EventId } from "../../event/mod.ts";
import { SqliteStorage } from "../../event_server/storage/sqlite/sqlite.ts";
import { serveProcess } from "../event_server/_cli.ts";
import { prng } from "./_fuzz.ts";

/** What one cycle did. */
export interface CrashCycle {
  /** Events the persisted subscriber got before the kill (this cycle). */
  notified: number;
  /** Register requests answered before the kill (this cycle). */
  answered: number;
  /** Events in the store after the kill. */
  stored: number;
  /** Highest session in the store after the kill. */
  session: number;
}

/** Options of {@linkcode crashCycles}. */
export interface CrashOptions {
  cycles: number;
  seed?: number;
  /** Called after each cycle. */
  progress?: (cycle: number, result: CrashCycle) => void;
}

const key = (id: EventId) => `${id.session}/${id.instance}`;

function addr(address: string) {
  const [hostname, port] = address.split(":");
  return { hostname, port: Number(port) };
}

function readAll(storage: SqliteStorage): Map<string, Event> {
  const stored = new Map<string, Event>();
  let last: EventId | null = null;
  for (;;) {
    const page = storage.query({
      kind: "server",
      serverId: 1,
      lastEventId: last,
    });
    for (const e of page.events) stored.set(key(e.id), e);
    if (!page.moreFollows || page.events.length === 0) break;
    last = page.events[page.events.length - 1].id;
  }
  return stored;
}

/** Runs the cycles; throws at the first broken promise. */
export async function crashCycles(
  options: CrashOptions,
): Promise<CrashCycle[]> {
  const seed = options.seed ?? (Date.now() & 0x7fffffff);
  const rnd = prng(seed);
  const dir = await Deno.makeTempDir({ prefix: "eventer_crash_" });
  const notified = new Map<string, Event>();
  const results: CrashCycle[] = [];
  let highest = 0;
  /** Highest session in a register response, of any cycle so far. */
  let handed = 0;
  try {
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const server = await serveProcess(["--data-dir", dir]);
      const target = 50 + Math.floor(rnd() * 2000);
      let cycleNotified = 0;
      let reached!: () => void;
      const enough = new Promise<void>((r) => reached = r);
      const subscriber = await connect(addr(server.address), "durable", {
        subscriptions: [["d", "*"]],
        persisted: true,
        onEvents: (_c, events) => {
          for (const e of events) notified.set(key(e.id), e);
          cycleNotified += events.length;
          if (cycleNotified >= target) reached();
        },
        onError: () => {},
      });
      const writer = await connect(addr(server.address), "writer", {
        onError: () => {},
      });
      let answered = 0;
      const handedBefore = handed;
      let idsError: Error | undefined;
      let writing = true;
      const writing_ = (async () => {
        for (let i = 0; writing; i++) {
          const n = 1 + Math.floor(rnd() * 50);
          const batch = Array.from({ length: n }, (_, k) => ({
            type: ["d", String(k % 5)],
            sourceTimestamp: { s: cycle * 1_000_000 + i, us: k },
            payload: { kind: "json" as const, data: { cycle, i, k } },
          }));
          let res;
          try {
            res = await writer.register(batch, { withResponse: true });
          } catch {
            return; // the server was killed
          }
          if (res === null) {
            idsError = new Error(`cycle ${cycle}: register ${i} failed`);
            return reached(); // no more events will come: kill now
          }
          const floor = Math.max(highest, handedBefore);
          if (res[0].id.session <= floor) {
            idsError = new Error(
              `cycle ${cycle}: session ${
                res[0].id.session
              } does not continue after ${floor}`,
            );
            return reached();
          }
          handed = Math.max(handed, res[0].id.session);
          answered += 1;
        }
      })();
      await enough;
      // A random moment: anywhere in the next 0-50 ms of registration.
      await new Promise((r) => setTimeout(r, Math.floor(rnd() * 50)));
      server.child.kill("SIGKILL");
      await server.status;
      writing = false;
      await writing_;
      await writer.close();
      await subscriber.close();
      if (idsError !== undefined) throw idsError;

      const storage = new SqliteStorage(`${dir}/events.db`);
      let stored: Map<string, Event>;
      let session: number;
      try {
        stored = readAll(storage);
        session = Number(storage.lastEventId(1).session);
      } finally {
        await storage.close();
      }
      let missing = 0;
      for (const [k, e] of notified) {
        const s = stored.get(k);
        if (s === undefined) {
          missing += 1;
        } else if (JSON.stringify(s) !== JSON.stringify(e)) {
          throw new Error(`cycle ${cycle}: event ${k} changed in the store`);
        }
      }
      if (missing > 0) {
        throw new Error(
          `cycle ${cycle} (seed ${seed}): ${missing} of ${notified.size} events notified as persisted are not in the store`,
        );
      }
      if (session < highest) {
        throw new Error(`cycle ${cycle}: highest session went back`);
      }
      highest = session;
      const result = {
        notified: cycleNotified,
        answered,
        stored: stored.size,
        session,
      };
      results.push(result);
      options.progress?.(cycle, result);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}
