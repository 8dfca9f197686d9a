// A server that registers events as the Event Server does (one session per
// request, instances 1, 2, ...) and echoes them to its subscribers, and one
// subscribing client: the setup of the eventer benchmarks.

import { type Client, connect } from "../client.ts";
import { listen, type Server } from "../server.ts";
import type { Event, RegisterEvent } from "../event/mod.ts";

/** How the server builds the registered events. */
export type Echo = "spread" | "copy";

/** A server, a registering client and a subscriber counting events. */
export interface Setup {
  /** The server, unless it runs in a Worker. */
  server: Server | null;
  client: Client;
  subscriber: Client;
  /** Resolves once the subscriber has received `n` more events. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the setup. With `echo: "spread"` the server builds events as
 * `{ id, timestamp, ...registerEvent }` (the encoded parts are reused);
 * with `"copy"` it copies type and payload (everything is encoded again).
 * `subscribe`: the subscriber subscribes; `selfSubscribe`: the registering
 * client does too.
 */
export async function setup(
  echo: Echo,
  subscribe = true,
  selfSubscribe = false,
): Promise<Setup> {
  let session = 0;
  const timestamp = { s: 1_800_000_000, us: 0 };
  const server: Server = await listen({ hostname: "127.0.0.1", port: 0 }, {
    // Awaiting the notification (queued for the subscriber) holds back the
    // next request of this connection: flow control from the subscriber's
    // socket back to the registering client.
    onRegister: async (_info, registerEvents) => {
      session++;
      const events: Event[] = new Array(registerEvents.length);
      for (let i = 0; i < registerEvents.length; i++) {
        const e = registerEvents[i];
        const id = { server: 1, session, instance: i + 1 };
        events[i] = echo === "spread" ? { id, timestamp, ...e } : {
          id,
          timestamp,
          type: [...e.type],
          sourceTimestamp: e.sourceTimestamp && { ...e.sourceTimestamp },
          payload: e.payload && { ...e.payload },
        };
      }
      await server.notifyEvents(events);
      return events;
    },
  });
  const clients = await connectClients(
    server.addrs[0].port,
    subscribe,
    selfSubscribe,
  );
  return {
    ...clients,
    server,
    async close() {
      await clients.close();
      await server.close();
    },
  };
}

/** The setup with the server (spliced echo) in a Worker of its own. */
export async function setupWorker(): Promise<Setup> {
  const worker = new Worker(
    new URL("./_eventer_server_worker.ts", import.meta.url),
    { type: "module" },
  );
  const port = await new Promise<number>((resolve) =>
    worker.onmessage = (e) => resolve(e.data)
  );
  const clients = await connectClients(port, true, false);
  return {
    ...clients,
    server: null,
    async close() {
      await clients.close();
      const closed = new Promise((resolve) => worker.onmessage = resolve);
      worker.postMessage("close");
      await closed;
    },
  };
}

async function connectClients(
  port: number,
  subscribe: boolean,
  selfSubscribe: boolean,
): Promise<Omit<Setup, "server">> {
  const addr = { hostname: "127.0.0.1", port };
  let count = 0;
  let target = 0;
  let wake: (() => void) | null = null;
  const subscriber = await connect(addr, "subscriber", {
    subscriptions: subscribe ? [["gateway", "*"]] : [],
    onEvents: (_c, events) => {
      count += events.length;
      if (wake !== null && count >= target) {
        const w = wake;
        wake = null;
        w();
      }
    },
  });
  const client = await connect(addr, "registering", {
    subscriptions: selfSubscribe ? [["gateway", "*"]] : [],
    onEvents: () => {},
  });
  return {
    client,
    subscriber,
    received(n) {
      target = count + n;
      if (count >= target) return Promise.resolve();
      return new Promise((resolve) => wake = resolve);
    },
    async close() {
      await client.close();
      await subscriber.close();
    },
  };
}

/** `n` register events like a gateway's measurements. */
export function registerEvents(n: number): RegisterEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    type: ["gateway", `device${i % 10}`, "data", "temperature"],
    sourceTimestamp: { s: 1_732_540_000, us: i },
    payload: { kind: "json", data: { value: 21.5 + i, quality: "good" } },
  }));
}

/** `n` register events with a 32-byte binary payload. */
export function binaryRegisterEvents(n: number): RegisterEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    type: ["gateway", `device${i % 10}`, "data", "temperature"],
    sourceTimestamp: { s: 1_732_540_000, us: i },
    payload: {
      kind: "binary",
      type: "measurement",
      data: new Uint8Array(32).fill(i & 0xff),
    },
  }));
}
