/**
 * The Event Server's HTTP part, beside its eventer port: the web view (one
 * page: type tree with latest values, live stream, plot, queries, status
 * and connections), its JSON API and live WebSocket, `/metrics` in the
 * Prometheus text format and `/healthz`. See docs/web.md.
 *
 * It listens before the engine starts (so that an address in use stops
 * the start before anything else happens) and answers 503 until
 * {@linkcode HttpServer.serve} gives it the engine. It reads the engine,
 * its eventer server and its storage through their APIs; the page's live
 * updates come from storage queries at a fixed period, so the server's
 * hot paths do not change while a page is open.
 *
 * @example
 * ```ts
 * import { listenHttp } from "./mod.ts";
 * import { startEngine } from "../engine.ts";
 * import { MemoryStorage } from "../storage/memory.ts";
 * import assert from "node:assert/strict";
 *
 * await using http = await listenHttp({ hostname: "127.0.0.1", port: 0 });
 * await using engine = await startEngine({ hostname: "127.0.0.1", port: 0 }, {
 *   storage: new MemoryStorage(),
 * });
 * http.serve(engine);
 * const res = await fetch(new URL("/healthz", http.url));
 * assert.equal(res.status, 200);
 * assert.deepEqual(await res.json(), { status: "operational", storage: "open" });
 * const metrics = await (await fetch(new URL("/metrics", http.url))).text();
 * assert.match(metrics, /^hat_eventer_events_registered_total 1$/m);
 * ```
 *
 * @module
 */

import type { Engine } from "../engine.ts";
import { createLogger, type Logger } from "../log.ts";
import { Access, isLoopback } from "./access.ts";
import {
  healthResponse,
  json,
  jsonError,
  queryResponse,
  typesResponse,
} from "./_api.ts";
import { BadRequestError } from "./_json.ts";
import { LiveHub } from "./_live.ts";
import { PAGE_CSS, PAGE_ETAG, PAGE_HTML, PAGE_JS } from "./_page_bundle.ts";
import { collectProcessMetrics } from "./_process.ts";
import { webStatus } from "./_status.ts";
import { TypeLists } from "./_type_list.ts";

export { Access, isLoopback };
export type * from "./web_protocol.ts";

/** Options of {@linkcode listenHttp}. */
export interface HttpOptions {
  /**
   * Token every request must carry (header, or the cookie set by
   * `?token=`); null for none.
   * @default {null}
   */
  readonly token?: string | null;
  /**
   * TLS certificate and key (PEM text): HTTPS and WSS.
   * @default {null}
   */
  readonly tls?: { readonly cert: string; readonly key: string } | null;
  /**
   * Where warnings go (slow pages, failed requests).
   * @default {createLogger("warn")}
   */
  readonly log?: Logger;
  /**
   * What keeps the events, as the page shows it.
   * @default {""}
   */
  readonly storageName?: string;
  /**
   * Milliseconds between live updates of a page.
   * @default {250}
   */
  readonly updatePeriod?: number;
  /**
   * Milliseconds a page may go without taking its live updates before it
   * is disconnected as a slow consumer.
   * @default {10000}
   */
  readonly slowTimeout?: number;
  /**
   * Most pages connected for live updates at once.
   * @default {64}
   */
  readonly maxSessions?: number;
}

/** Security headers of every response. */
const HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " +
  "base-uri 'none'; form-action 'none'";

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(
      `Invalid ${name}: expected a positive integer, got ${v}`,
    );
  }
  return v;
}

/**
 * The HTTP part of an Event Server, made by {@linkcode listenHttp}.
 *
 * @example Requests wait for the engine
 * ```ts
 * import { listenHttp } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using http = await listenHttp({ hostname: "127.0.0.1", port: 0 });
 * const res = await fetch(new URL("/healthz", http.url));
 * assert.equal(res.status, 503);
 * await res.body?.cancel();
 * ```
 */
export class HttpServer implements AsyncDisposable {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #access: Access;
  #options: HttpOptions;
  #log: Logger;
  #tls: boolean;
  #engine: Engine | null = null;
  #hub: LiveHub | null = null;
  #lists = new TypeLists();
  #startedAt = Date.now();
  #uncollect: () => void = () => {};
  #closing: Promise<void> | null = null;

  private constructor(
    addr: { hostname: string; port: number },
    access: Access,
    options: HttpOptions,
  ) {
    this.#access = access;
    this.#options = options;
    this.#log = options.log ?? createLogger("warn");
    this.#tls = options.tls !== null && options.tls !== undefined;
    const serveOptions = {
      hostname: addr.hostname,
      port: addr.port,
      onListen: () => {},
      onError: (error: unknown) => {
        this.#log.warn(`HTTP: ${describe(error)}`);
        return jsonError(500, "Internal error");
      },
    };
    const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
      this.#handle(req, info);
    this.#server = this.#tls
      ? Deno.serve({
        ...serveOptions,
        cert: options.tls!.cert,
        key: options.tls!.key,
      }, handler)
      : Deno.serve(serveOptions, handler);
  }

  /**
   * Listens on `addr`; see {@linkcode listenHttp}.
   *
   * @param addr Where.
   * @param options Token, TLS, log, live update timing.
   * @returns The listening server.
   */
  static async listen(
    addr: { hostname: string; port: number },
    options: HttpOptions = {},
  ): Promise<HttpServer> {
    positive("updatePeriod", options.updatePeriod ?? 250);
    positive("slowTimeout", options.slowTimeout ?? 10_000);
    positive("maxSessions", options.maxSessions ?? 64);
    const access = await Access.create(
      options.token ?? null,
      options.tls !== null && options.tls !== undefined,
      isLoopback(addr.hostname),
    );
    return new HttpServer(addr, access, options);
  }

  /** The address it listens on (the port it picked, for port 0). */
  get addr(): { hostname: string; port: number } {
    const { hostname, port } = this.#server.addr;
    return { hostname, port };
  }

  /** The page's URL, e.g. `http://127.0.0.1:23080/`. */
  get url(): string {
    const { hostname, port } = this.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    return `${this.#tls ? "https" : "http"}://${host}:${port}/`;
  }

  /** Whether requests need a token. */
  get guarded(): boolean {
    return this.#access.guarded;
  }

  /** Pages connected for live updates. */
  get liveSessions(): number {
    return this.#hub?.size ?? 0;
  }

  /**
   * Each live page's id and bytes waiting for it: now, and the most seen
   * at an update (for monitoring and tests).
   *
   * @returns One entry per page.
   */
  liveSessionInfos(): { id: number; buffered: number; maxBuffered: number }[] {
    return this.#hub?.sessions() ?? [];
  }

  /**
   * Starts serving `engine`: the page, the API, `/metrics` (from
   * `engine.metrics`, with the process's memory and CPU added) and
   * `/healthz`.
   *
   * @param engine The engine.
   * @throws {Error} When it serves an engine already.
   */
  serve(engine: Engine): void {
    if (this.#engine !== null) throw new Error("Already serving an engine");
    this.#engine = engine;
    const hub = this.#hub = new LiveHub(engine, {
      period: this.#options.updatePeriod ?? 250,
      slowTimeout: this.#options.slowTimeout ?? 10_000,
      maxSessions: this.#options.maxSessions ?? 64,
      log: this.#log,
      status: () => this.#status(engine),
    });
    this.#uncollect = collectProcessMetrics(engine.metrics, () => hub.size);
  }

  /**
   * Disconnects the pages and stops listening.
   *
   * @returns When stopped.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#hub?.close();
      this.#uncollect();
      await this.#server.shutdown();
    })();
    return this.#closing;
  }

  /** Same as {@linkcode HttpServer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #status(engine: Engine) {
    return webStatus(engine, {
      storage: this.#options.storageName ?? "",
      startedAt: this.#startedAt,
      webSessions: this.#hub?.size ?? 0,
    });
  }

  async #handle(
    req: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Promise<Response> {
    const url = new URL(req.url);
    const verdict = this.#access.check(req, url);
    let res: Response;
    if (verdict.kind === "deny") {
      res = denied(url, verdict.status, verdict.reason);
    } else if (verdict.kind === "login") {
      res = new Response(null, {
        status: 303,
        headers: { location: verdict.location, "set-cookie": verdict.cookie },
      });
    } else {
      try {
        res = await this.#route(req, url, info);
      } catch (error) {
        if (error instanceof BadRequestError) {
          res = jsonError(error.status, error.message);
        } else {
          this.#log.warn(
            `HTTP ${req.method} ${url.pathname}: ${describe(error)}`,
          );
          res = jsonError(500, describe(error));
        }
      }
    }
    // A WebSocket upgrade's response must stay as Deno made it.
    if (res.status !== 101) {
      for (const [k, v] of Object.entries(HEADERS)) res.headers.set(k, v);
    }
    return res;
  }

  #route(
    req: Request,
    url: URL,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Response | Promise<Response> {
    const path = url.pathname;
    const method = req.method === "HEAD" ? "GET" : req.method;
    const allow = (...methods: string[]) =>
      methods.includes(method) ? null : new Response(
        `Method ${req.method} not allowed\n`,
        { status: 405, headers: { allow: methods.join(", ") } },
      );
    if (path === "/healthz") {
      return allow("GET") ?? healthResponse(this.#engine);
    }
    if (path === "/" || path === "/page.js" || path === "/page.css") {
      return allow("GET") ?? asset(req, path);
    }
    const engine = this.#engine;
    if (engine === null) return jsonError(503, "The server is starting");
    switch (path) {
      case "/metrics":
        return allow("GET") ?? new Response(engine.metrics.render(), {
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
            "cache-control": "no-store",
          },
        });
      case "/api/status":
        return allow("GET") ?? json(this.#status(engine));
      case "/api/types":
        return allow("GET") ?? typesResponse(engine, this.#lists, url);
      case "/api/query":
        return allow("POST") ?? queryResponse(engine, req);
      case "/api/live": {
        const denied = allow("GET");
        if (denied !== null) return denied;
        if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return jsonError(426, "Expected a WebSocket upgrade");
        }
        const { hostname, port } = info.remoteAddr;
        return this.#hub!.accept(req, `${hostname}:${port}`);
      }
      default:
        return jsonError(404, `No ${path} here`);
    }
  }
}

function asset(req: Request, path: string): Response {
  const [body, type] = path === "/page.js"
    ? [PAGE_JS, "text/javascript; charset=utf-8"]
    : path === "/page.css"
    ? [PAGE_CSS, "text/css; charset=utf-8"]
    : [PAGE_HTML, "text/html; charset=utf-8"];
  const etag = `"${PAGE_ETAG}"`;
  const headers: Record<string, string> = {
    "content-type": type,
    "cache-control": "no-cache",
    etag,
  };
  if (path === "/") headers["content-security-policy"] = PAGE_CSP;
  if (req.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { headers });
}

function denied(url: URL, status: 401 | 403, reason: string): Response {
  const headers: Record<string, string> = {
    "cache-control": "no-store",
  };
  if (status === 401) {
    headers["www-authenticate"] = 'Bearer realm="hat-eventer"';
  }
  if (url.pathname === "/") {
    headers["content-type"] = "text/html; charset=utf-8";
    const text = reason.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return new Response(
      '<!doctype html><title>Hat Event Server</title><link rel="icon" ' +
        `href="data:,"><p>${text}</p>\n`,
      { status, headers },
    );
  }
  headers["content-type"] = "application/json; charset=utf-8";
  return new Response(JSON.stringify({ error: reason }), { status, headers });
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}

/**
 * Starts the HTTP part listening on `addr` (port 0 picks a free port); it
 * answers 503 until {@linkcode HttpServer.serve} gives it an engine.
 *
 * @param addr Where to listen.
 * @param options Token, TLS, log, live update timing.
 * @returns The listening server.
 * @throws {Deno.errors.AddrInUse} When the address is taken (and other
 * errors of `Deno.serve`).
 * @throws {RangeError} For an invalid option.
 *
 * @example
 * ```ts
 * import { listenHttp } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using http = await listenHttp({ hostname: "127.0.0.1", port: 0 }, {
 *   token: "s3cret",
 * });
 * const res = await fetch(new URL("/metrics", http.url));
 * assert.equal(res.status, 401);
 * await res.body?.cancel();
 * ```
 */
export function listenHttp(
  addr: { hostname: string; port: number },
  options: HttpOptions = {},
): Promise<HttpServer> {
  return HttpServer.listen(addr, options);
}
