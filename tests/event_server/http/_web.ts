// A real Event Server engine with its HTTP part, in this process on free
// ports, and a client of the live WebSocket that queues the updates.

import type { RegisterEvent } from "../../../event/mod.ts";
import {
  type Engine,
  type EngineOptions,
  startEngine,
} from "../../../event_server/engine.ts";
import {
  type HttpOptions,
  type HttpServer,
  listenHttp,
  type LiveUpdate,
  type LiveWatch,
} from "../../../event_server/http/mod.ts";
import { createLogger, type Logger } from "../../../event_server/log.ts";
import { MemoryStorage } from "../../../event_server/storage/memory.ts";
import type { Storage } from "../../../event_server/storage/storage.ts";
import { within } from "../../_within.ts";

/** An engine and its HTTP part. */
export interface Web extends AsyncDisposable {
  readonly engine: Engine;
  readonly http: HttpServer;
  /** The page's URL. */
  readonly url: string;
  /** Lines logged (warnings). */
  readonly log: string[];
  /** Resolves with the first error the engine reports that `test` takes. */
  reported(test: (error: unknown) => boolean, what: string): Promise<unknown>;
  /** A URL of this server. */
  at(path: string): URL;
}

/** Options of {@linkcode startWeb}. */
export interface WebOptions extends HttpOptions {
  storage?: Storage;
  status?: "operational" | "standby" | "starting" | "stopping";
  serverToken?: string | null;
  /** HTTP host name. @default {"127.0.0.1"} */
  hostname?: string;
  /** More options of the engine (limits). */
  engineOptions?: Partial<EngineOptions>;
}

/** Starts an engine (memory storage) and its HTTP part on free ports. */
export async function startWeb(options: WebOptions = {}): Promise<Web> {
  const lines: string[] = [];
  const log: Logger = createLogger("warn", (line) => lines.push(line));
  const seen: unknown[] = [];
  let waiters: { test: (e: unknown) => boolean; resolve(e: unknown): void }[] =
    [];
  const http = await listenHttp(
    { hostname: options.hostname ?? "127.0.0.1", port: 0 },
    { log, ...options },
  );
  const engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
    ...options.engineOptions,
    storage: options.storage ?? new MemoryStorage(),
    status: options.status,
    serverToken: options.serverToken,
    onError: (error, context) => {
      lines.push(`${context}: ${String(error)}`);
      seen.push(error);
      waiters = waiters.filter((w) => {
        if (!w.test(error)) return true;
        w.resolve(error);
        return false;
      });
    },
  });
  http.serve(engine);
  return {
    engine,
    http,
    url: http.url,
    log: lines,
    reported(test, what) {
      const found = seen.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return within(
        new Promise((resolve) => waiters.push({ test, resolve })),
        20_000,
        what,
      );
    },
    at: (path) => new URL(path, http.url),
    async [Symbol.asyncDispose]() {
      await engine.close();
      await http.close();
    },
  };
}

/** A JSON payload event to register. */
export function jsonEvent(type: string[], data: unknown): RegisterEvent {
  return {
    type,
    sourceTimestamp: null,
    payload: { kind: "json", data: data as never },
  };
}

/**
 * Sends a raw HTTP/1.1 GET of `path` to the server with this Host header
 * (fetch does not let a test set it); the status code.
 */
export async function rawGet(
  url: string,
  path: string,
  host: string,
): Promise<number> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    const line = new TextDecoder().decode(buf.subarray(0, n ?? 0));
    return Number(/^HTTP\/1\.1 (\d+)/.exec(line)?.[1] ?? NaN);
  } finally {
    conn.close();
  }
}

/** A page's live connection, as a test drives it. */
export interface LiveClient extends AsyncDisposable {
  /** Sends what the page watches. */
  watch(w: LiveWatch): void;
  /** Resolves with the first update (from now on) `test` accepts. */
  next(test: (u: LiveUpdate) => boolean, what: string): Promise<LiveUpdate>;
  /** Every update received so far. */
  readonly received: LiveUpdate[];
  /** Resolves once the server closed the connection: its code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** Opens the live WebSocket of `web` (with `headers`, e.g. a cookie). */
export async function live(
  url: string,
  headers: Record<string, string> = {},
): Promise<LiveClient> {
  const wsUrl = new URL("/api/live", url);
  wsUrl.protocol = wsUrl.protocol === "https:" ? "wss:" : "ws:";
  // @ts-ignore: Deno's WebSocket takes headers
  const ws = new WebSocket(wsUrl, { headers });
  const received: LiveUpdate[] = [];
  let waiters: {
    test: (u: LiveUpdate) => boolean;
    resolve(u: LiveUpdate): void;
  }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
  });
  ws.onmessage = (e) => {
    const u = JSON.parse(e.data) as LiveUpdate;
    received.push(u);
    waiters = waiters.filter((w) => {
      if (!w.test(u)) return true;
      w.resolve(u);
      return false;
    });
  };
  await within(
    new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = (e) =>
        reject(new Error(`WebSocket: ${(e as ErrorEvent).message}`));
    }),
    10_000,
    "the live WebSocket to open",
  );
  return {
    watch: (w) => ws.send(JSON.stringify(w)),
    next(test, what) {
      return within(
        new Promise<LiveUpdate>((resolve) => waiters.push({ test, resolve })),
        20_000,
        what,
      );
    },
    received,
    closed,
    async [Symbol.asyncDispose]() {
      if (ws.readyState === WebSocket.OPEN) ws.close();
      await closed;
    },
  };
}

/** A WebSocket client at the byte level, which reads only when told. */
export interface RawLive extends Disposable {
  /** Sends a watch (one masked text frame). */
  watch(w: LiveWatch): Promise<void>;
  /** Reads frames until a text frame `test` takes; its text. */
  readUntil(test: (text: string) => boolean): Promise<string>;
}

/** Opens `/api/live` of `url` over a plain TCP socket. */
export async function rawLive(url: string): Promise<RawLive> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const key = btoa("0123456789abcdef");
  await conn.write(new TextEncoder().encode(
    `GET /api/live HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  let buf = new Uint8Array(0);
  const more = async () => {
    const chunk = new Uint8Array(64 * 1024);
    const n = await conn.read(chunk);
    if (n === null) throw new Error("The server closed the live connection");
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  };
  // The handshake's answer ends with an empty line.
  for (;;) {
    const end = new TextDecoder().decode(buf).indexOf("\r\n\r\n");
    if (end >= 0) {
      if (!new TextDecoder().decode(buf).startsWith("HTTP/1.1 101")) {
        throw new Error("The live connection was refused");
      }
      buf = buf.subarray(end + 4);
      break;
    }
    await more();
  }
  return {
    async watch(w) {
      const data = new TextEncoder().encode(JSON.stringify(w));
      const head = data.length < 126
        ? [0x81, 0x80 | data.length]
        : [0x81, 0x80 | 126, data.length >> 8, data.length & 0xff];
      // A zero mask: the payload goes as it is.
      const frame = new Uint8Array(head.length + 4 + data.length);
      frame.set(head);
      frame.set(data, head.length + 4);
      await conn.write(frame);
    },
    async readUntil(test) {
      for (;;) {
        while (buf.length < 2) await more();
        let len = buf[1] & 0x7f;
        let at = 2;
        if (len === 126) {
          while (buf.length < 4) await more();
          len = (buf[2] << 8) | buf[3];
          at = 4;
        } else if (len === 127) {
          while (buf.length < 10) await more();
          len = Number(new DataView(buf.buffer, buf.byteOffset + 2, 8)
            .getBigUint64(0));
          at = 10;
        }
        while (buf.length < at + len) await more();
        const opcode = buf[0] & 0x0f;
        const text = new TextDecoder().decode(buf.subarray(at, at + len));
        buf = buf.subarray(at + len);
        if (opcode === 1 && test(text)) return text;
      }
    },
    [Symbol.dispose]() {
      conn.close();
    },
  };
}
