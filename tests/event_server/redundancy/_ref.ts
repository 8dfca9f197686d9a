// The Python reference for the live redundancy tests (HAT_REF): a Python
// monitor server and Python Event Servers on free ports, each in a
// temporary folder, and watcher clients that tell statuses and events.

import { type Client, connect } from "../../../client.ts";
import type { Event, QueryResult, Status } from "../../../event/mod.ts";
import { within } from "../../_within.ts";
import {
  freePort,
  listenLog,
  type RefProcess,
  spawnRef,
} from "../../_ref_process.ts";

export { freePort, type RefProcess };

export const REF = Deno.env.get("HAT_REF");
export const HOST = "127.0.0.1";

/** The reference's config `name` with our ports and folders. */
export async function refConf(
  name: string,
  dir: string,
  ports: Record<string, number>,
  extra: Record<string, string> = {},
): Promise<string> {
  let text = listenLog(await Deno.readTextFile(`${REF}/conf/${name}.yaml`));
  for (const [section, port] of Object.entries(ports)) {
    const re = new RegExp(
      `(${section}:\\s*\\n\\s*host: "127.0.0.1"\\s*\\n\\s*port: )\\d+`,
    );
    if (!re.test(text)) throw new Error(`no ${section} in ${name}.yaml`);
    text = text.replace(re, `$1${port}`);
  }
  text = text.replace(/db_path: ".*"/, `db_path: "${dir}/${name}.db"`);
  for (const [key, value] of Object.entries(extra)) {
    text = text.replace(new RegExp(`^${key}: .*$`, "m"), `${key}: ${value}`);
  }
  const path = `${dir}/${name}_${Object.values(ports).join("_")}.yaml`;
  await Deno.writeTextFile(path, text);
  return path;
}

/** A Python process: `python -m module --conf path` (a refConf). */
export function python(module: string, confPath: string): RefProcess {
  return spawnRef(
    `${REF}/venv/bin/python`,
    ["-m", module, "--conf", confPath],
    module,
  );
}

/** Kills a child process (if still running) and waits for it. */
export async function stop(
  child: Pick<RefProcess, "kill" | "status">,
  signal: Deno.Signal = "SIGKILL",
): Promise<void> {
  try {
    child.kill(signal);
  } catch {
    // Already ended.
  }
  await child.status;
}

/** A Python monitor server (BLESS_ONE for group `event`) on free ports. */
export async function pythonMonitor(dir: string) {
  const port = freePort();
  const master = freePort();
  const child = python(
    "hat.monitor.server",
    await refConf("monitor", dir, { server: port, master }),
  );
  await child.listening(port);
  await child.listening(master);
  return { port, child };
}

/** A client of `port` that tells its statuses and every event. */
export interface Watcher extends AsyncDisposable {
  readonly client: Client;
  readonly status: Status;
  readonly seen: Event[];
  until(pred: () => boolean, what: string, ms?: number): Promise<void>;
  /** Resolves at the status; the time (performance.now()) it came. */
  statusAt(status: Status): Promise<number>;
  /** Every event of `serverId`, paging through server queries. */
  serverEvents(serverId: number): Promise<Event[]>;
}

export async function watch(port: number, name = "watcher"): Promise<Watcher> {
  let waiters: { pred: () => boolean; resolve(): void }[] = [];
  const check = () => {
    waiters = waiters.filter((w) => {
      if (!w.pred()) return true;
      w.resolve();
      return false;
    });
  };
  const seen: Event[] = [];
  const times = new Map<Status, number>();
  let status: Status = "standby";
  const client = await connect({ hostname: HOST, port }, name, {
    subscriptions: [["*"]],
    onStatus: (_c, s) => {
      status = s;
      if (!times.has(s)) times.set(s, performance.now());
      check();
    },
    onEvents: (_c, events) => {
      seen.push(...events);
      check();
    },
    onError: () => {},
  });
  status = client.status;
  times.set(status, performance.now());
  const until = (pred: () => boolean, what: string, ms = 30_000) => {
    if (pred()) return Promise.resolve();
    const p = new Promise<void>((resolve) => waiters.push({ pred, resolve }));
    return within(p, ms, `${port}: ${what}`);
  };
  return {
    client,
    get status() {
      return status;
    },
    seen,
    until,
    async statusAt(s) {
      await until(() => times.has(s), `status ${s}`);
      return times.get(s)!;
    },
    async serverEvents(serverId) {
      const all: Event[] = [];
      let result: QueryResult;
      do {
        const last = all.at(-1)?.id;
        result = await client.query({
          kind: "server",
          serverId,
          ...(last ? { lastEventId: last } : {}),
        });
        all.push(...result.events);
      } while (result.moreFollows);
      return all;
    },
    [Symbol.asyncDispose]: () => client.close(),
  };
}

export const ids = (events: Event[]) =>
  events.map((e) => `${e.id.server}/${e.id.session}/${e.id.instance}`);

/** The payload data of the events of `type` (a/b/c), in order. */
export function dataOf(events: Event[], type: string): unknown[] {
  return events.filter((e) => e.type.join("/") === type).map((e) =>
    e.payload?.kind === "json" ? e.payload.data : null
  );
}
