// Event Servers of ours in one process for the redundancy tests: each with
// a watcher client (every event, status changes) and a captured log, so
// that a test waits for what it needs (`until`) without sleeping.

import { type Client, connect } from "../../../client.ts";
import type { Event, QueryResult, Status } from "../../../event/mod.ts";
import { resolveConfig } from "../../../event_server/config.ts";
import { createLogger } from "../../../event_server/log.ts";
import {
  type RunningServer,
  startEventServer,
} from "../../../event_server/main.ts";
import { within } from "../../_within.ts";

export interface TestServer extends AsyncDisposable {
  readonly running: RunningServer;
  /** `127.0.0.1:port` */
  readonly address: string;
  readonly serverId: number;
  /** Log lines so far. */
  readonly lines: string[];
  /** The status the watcher saw last. */
  readonly status: Status;
  /** Every event the watcher was notified of, in order. */
  readonly seen: Event[];
  /**
   * Resolves once `pred` holds; checked now and after every event, status
   * change or log line of this server.
   */
  until(pred: () => boolean, what: string, ms?: number): Promise<void>;
  /** Every stored event of `serverId`, paging through server queries. */
  serverEvents(serverId: number): Event[];
  close(): Promise<void>;
}

export type ConfigEntries = Record<string, unknown>;

/** Starts a server (memory storage, port 0) with the given config entries. */
export async function startServer(
  entries: ConfigEntries,
): Promise<TestServer> {
  const lines: string[] = [];
  let waiters: { pred: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    waiters = waiters.filter((w) => {
      if (!w.pred()) return true;
      w.resolve();
      return false;
    });
  };
  const config = resolveConfig({
    address: "127.0.0.1:0",
    storage: "memory",
    peerReconnectDelay: 0.1,
    logLevel: "debug",
    http: "off",
    ...entries,
  });
  const log = createLogger("debug", (line) => {
    lines.push(line);
    if (Deno.env.get("REDUNDANCY_LOG")) console.error(line);
    queueMicrotask(check);
  });
  const running = await startEventServer(config, { log });
  const port = running.engine.addrs[0].port;
  const seen: Event[] = [];
  let status: Status = running.engine.status;
  let watcher: Client;
  try {
    watcher = await connect(running.engine.addrs[0], "watcher", {
      subscriptions: [["*"]],
      onStatus: (_c, s) => {
        status = s;
        check();
      },
      onEvents: (_c, events) => {
        seen.push(...events);
        check();
      },
    });
  } catch (error) {
    await running.close();
    throw error;
  }
  status = watcher.status;
  const close = async () => {
    await watcher.close();
    await running.close();
  };
  return {
    running,
    address: `127.0.0.1:${port}`,
    serverId: config.serverId,
    lines,
    get status() {
      return status;
    },
    seen,
    until(pred, what, ms = 30_000) {
      if (pred()) return Promise.resolve();
      const p = new Promise<void>((resolve) => waiters.push({ pred, resolve }));
      return within(p, ms, `${config.name}: ${what}`);
    },
    serverEvents: (serverId) => serverEvents(running, serverId),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Every stored event of `serverId` in `running`'s storage. */
export function serverEvents(
  running: RunningServer,
  serverId: number,
): Event[] {
  const all: Event[] = [];
  let result: QueryResult | null = null;
  do {
    const last = all.at(-1)?.id ?? null;
    result = running.engine.query({
      kind: "server",
      serverId,
      ...(last === null ? {} : { lastEventId: last }),
    });
    all.push(...result.events);
  } while (result.moreFollows);
  return all;
}

/** Closes every server given, whatever fails. */
export async function closeAll(
  ...servers: (TestServer | undefined)[]
): Promise<void> {
  await Promise.allSettled(servers.map((s) => s?.close()));
}

/** The `synced` payloads `server` has stored of type event/local/synced/remote. */
export function syncedStates(
  server: TestServer,
  registeredBy: number,
  local: number,
  remote: number,
): unknown[] {
  return server.serverEvents(registeredBy)
    .filter((e) => e.type.join("/") === `event/${local}/synced/${remote}`)
    .map((e) => e.payload?.kind === "json" ? e.payload.data : null);
}

/** Registers `n` events of type `prefix/i` on `server`, one session each. */
export async function registerMany(
  server: TestServer,
  prefix: string,
  n: number,
): Promise<Event[]> {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const events = await server.running.engine.register([{
      type: [prefix, String(i)],
      sourceTimestamp: null,
      payload: { kind: "json", data: { i } },
    }]);
    if (events === null) throw new Error(`${server.address} refused`);
    out.push(...events);
  }
  return out;
}
