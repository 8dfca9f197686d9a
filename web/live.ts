/// <reference lib="dom" />
// The page's live connection: sends what the page watches (all of it
// again after a reconnect, since the server keeps nothing of a closed
// connection), hands each update to the panels, and reconnects with a
// growing delay when the connection drops (a server restart, or the
// server dropping a page that fell behind).

import type {
  LiveUpdate,
  LiveWatch,
} from "../event_server/http/web_protocol.ts";

/** Told of each update. */
export type UpdateListener = (update: LiveUpdate) => void;

/** Told whether the live connection is up, and why it is not. */
export type LinkListener = (up: boolean, why: string) => void;

/** The live connection. */
export class Live {
  #ws: WebSocket | null = null;
  #watch: { -readonly [K in keyof LiveWatch]: LiveWatch[K] } = {};
  #updates: UpdateListener[] = [];
  #link: LinkListener[] = [];
  #delay = 500;
  #received = 0;

  /** Opens the connection (and keeps it open). */
  start(): void {
    const url = new URL("/api/live", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      this.#delay = 500;
      ws.send(JSON.stringify(this.#watch));
      for (const f of this.#link) f(true, "");
    };
    ws.onmessage = (e) => {
      const update = JSON.parse(e.data) as LiveUpdate;
      // For tests and the load tool: how many updates arrived.
      document.body.dataset.liveUpdates = String(++this.#received);
      for (const f of this.#updates) f(update);
    };
    ws.onclose = (e) => {
      this.#ws = null;
      const why = e.reason !== "" ? e.reason : `closed (${e.code})`;
      for (const f of this.#link) f(false, why);
      setTimeout(() => this.start(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, 10_000);
    };
  }

  /** Changes part of what the page watches. */
  watch(part: LiveWatch): void {
    Object.assign(this.#watch, part);
    if (this.#ws?.readyState === WebSocket.OPEN) {
      this.#ws.send(JSON.stringify(part));
    }
  }

  /** Calls `f` with every update. */
  onUpdate(f: UpdateListener): void {
    this.#updates.push(f);
  }

  /** Calls `f` when the connection goes up or down. */
  onLink(f: LinkListener): void {
    this.#link.push(f);
  }
}
