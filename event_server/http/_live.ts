// The live WebSocket of the page (`/api/live`): every `period` ms the hub
// asks each page's session (_live_session.ts) what changed and sends it in
// one message, coalescing updates while a page has not taken the previous
// one and dropping a page that stops reading as a slow consumer. What it
// costs and how a page is treated: docs/web.md, "Live updates".

import type { Engine } from "../engine.ts";
import type { Logger } from "../log.ts";
import type { Counter, Histogram } from "../metrics.ts";
import {
  EVENTS_REGISTERED,
  EVENTS_SYNCED,
  SLOW_CONSUMER_DROPS,
  WEB_UPDATE_SECONDS,
} from "../metric_names.ts";
import { LiveSession } from "./_live_session.ts";
import type { LiveUpdate, WebStatus } from "./web_protocol.ts";

/** Options of the hub. */
export interface LiveOptions {
  /** Milliseconds between updates. */
  readonly period: number;
  /** Milliseconds a page may go without taking its updates. */
  readonly slowTimeout: number;
  /** Most pages at once. */
  readonly maxSessions: number;
  readonly log: Logger;
  /** The server's state, for the update each second. */
  status(): WebStatus;
}

/** One page's live connection. */
class LivePage {
  readonly id: number;
  readonly socket: WebSocket;
  readonly remote: string;
  readonly session = new LiveSession();
  /** When the socket was first seen still holding an update (ms), or 0. */
  behindSince = 0;
  /** Largest bufferedAmount seen at an update (for tests and stats). */
  maxBuffered = 0;
  /** Events registered and synced when the page was last updated. */
  seen = -1;

  constructor(id: number, socket: WebSocket, remote: string) {
    this.id = id;
    this.socket = socket;
    this.remote = remote;
  }
}

/** The pages connected for live updates, and their update timer. */
export class LiveHub {
  #engine: Engine;
  #options: LiveOptions;
  #pages = new Set<LivePage>();
  #nextId = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticks = 0;
  #registered: Counter;
  #synced: Counter;
  #drops: Counter;
  #spent: Histogram;
  #closing = false;

  constructor(engine: Engine, options: LiveOptions) {
    this.#engine = engine;
    this.#options = options;
    this.#registered = engine.metrics.counter(EVENTS_REGISTERED);
    this.#synced = engine.metrics.counter(EVENTS_SYNCED);
    this.#drops = engine.metrics.counter(SLOW_CONSUMER_DROPS, {
      transport: "web",
    });
    this.#spent = engine.metrics.histogram(WEB_UPDATE_SECONDS);
  }

  /** Pages connected. */
  get size(): number {
    return this.#pages.size;
  }

  /** Each page's id and the most bytes it had waiting at an update. */
  sessions(): { id: number; maxBuffered: number; buffered: number }[] {
    return [...this.#pages].map((s) => ({
      id: s.id,
      maxBuffered: s.maxBuffered,
      buffered: s.socket.bufferedAmount,
    }));
  }

  /** Upgrades a request to a live connection. */
  accept(req: Request, remote: string): Response {
    if (this.#closing) {
      return new Response("The server is stopping\n", { status: 503 });
    }
    if (this.#pages.size >= this.#options.maxSessions) {
      return new Response(
        `Too many pages connected (at most ${this.#options.maxSessions})\n`,
        { status: 503 },
      );
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const page = new LivePage(this.#nextId++, socket, remote);
    socket.onopen = () => {
      this.#pages.add(page);
      this.#start();
    };
    socket.onmessage = (e) => page.session.watch(e.data);
    socket.onclose = () => this.#remove(page);
    socket.onerror = () => this.#remove(page);
    return response;
  }

  /** Closes every page's connection and stops the timer. */
  close(): void {
    this.#closing = true;
    for (const s of this.#pages) this.#drop(s, 1001, "server stopping");
    this.#stop();
  }

  #start(): void {
    if (this.#timer !== undefined) return;
    this.#ticks = 0;
    this.#timer = setInterval(() => this.#tick(), this.#options.period);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #remove(page: LivePage): void {
    this.#pages.delete(page);
    if (this.#pages.size === 0) this.#stop();
  }

  #drop(page: LivePage, code: number, reason: string): void {
    this.#remove(page);
    try {
      page.socket.close(code, reason);
    } catch {
      // already closing
    }
  }

  #tick(): void {
    const start = performance.now();
    this.#round();
    this.#spent.observe((performance.now() - start) / 1000);
  }

  #round(): void {
    const perSecond = Math.max(1, Math.round(1000 / this.#options.period));
    const everySecond = this.#ticks++ % perSecond === 0;
    // Events that reached the storage: registered here, or synced.
    const count = this.#registered.value + this.#synced.value;
    let status: WebStatus | undefined;
    let types: number | undefined;
    if (everySecond) {
      try {
        status = this.#options.status();
        types = status.stored?.types;
      } catch (error) {
        this.#options.log.warn(`web view status: ${describe(error)}`);
      }
    }
    const t = performance.now();
    for (const page of this.#pages) {
      const socket = page.socket;
      if (socket.readyState !== WebSocket.OPEN) continue;
      const buffered = socket.bufferedAmount;
      if (buffered > page.maxBuffered) page.maxBuffered = buffered;
      if (buffered > 0) {
        if (page.behindSince === 0) page.behindSince = t;
        else if (t - page.behindSince >= this.#options.slowTimeout) {
          this.#slow(page, buffered);
        }
        continue;
      }
      page.behindSince = 0;
      // Also once a second, whatever the counts say.
      const changed = count !== page.seen || everySecond;
      page.seen = count;
      let update: LiveUpdate;
      try {
        update = page.session.update(this.#engine.storage, changed);
      } catch (error) {
        this.#options.log.warn(
          `web view page ${page.id}: ${describe(error)}`,
        );
        update = { error: describe(error) };
      }
      if (status !== undefined) update = { ...update, status, types };
      if (Object.keys(update).length > 0) socket.send(JSON.stringify(update));
    }
  }

  #slow(page: LivePage, buffered: number): void {
    this.#drops.inc();
    this.#options.log.warn(
      `disconnecting slow web page ${page.id} (from ` +
        `${page.remote}): it took no update for ` +
        `${this.#options.slowTimeout} ms, ${buffered} bytes waiting`,
    );
    this.#drop(page, 1008, "slow consumer");
  }
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
