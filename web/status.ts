/// <reference lib="dom" />
// The server's state: the header (status, addresses, storage, uptime),
// the counters with their rates over the last second, and the eventer
// clients with the bytes waiting to be sent to each.

import type { WebStatus } from "../event_server/http/web_protocol.ts";
import { byId, h } from "./dom.ts";
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatType,
} from "./format.ts";

/** The header, counters and connections panels. */
export class StatusView {
  #previous: WebStatus | null = null;

  /** Shows a status. */
  update(s: WebStatus): void {
    byId("server-id").textContent = String(s.serverId);
    const badge = byId("status");
    badge.textContent = s.storageOpen
      ? s.status
      : `${s.status}, storage closed`;
    badge.className = `badge status-${s.storageOpen ? s.status : "failed"}`;
    byId("addresses").textContent = `eventer ${s.addresses.join(", ")}`;
    byId("storage").textContent = `storage ${s.storage}`;
    byId("uptime").textContent = `up ${formatDuration(s.now - s.startedAt)}`;
    const prev = this.#previous;
    const rate = (now: number, was: number | undefined) => {
      if (prev === null || was === undefined) return "";
      const seconds = (s.now - prev.now) / 1000;
      return seconds > 0 ? `${formatCount((now - was) / seconds)}/s` : "";
    };
    const c = s.counters;
    const counter = (name: string, value: string, extra = "") =>
      h(
        "div",
        { className: "counter", "data-counter": name },
        h("div", { className: "label" }, name),
        h("div", { className: "number" }, value),
        h("div", { className: "rate" }, extra),
      );
    byId("counters").replaceChildren(
      counter(
        "registered",
        formatCount(c.registered),
        rate(c.registered, prev?.counters.registered),
      ),
      counter(
        "notified",
        formatCount(c.notified),
        rate(c.notified, prev?.counters.notified),
      ),
      counter(
        "stored",
        formatCount(c.stored),
        rate(c.stored, prev?.counters.stored),
      ),
      counter(
        "queries",
        formatCount(c.queries),
        rate(c.queries, prev?.counters.queries),
      ),
      counter("slow consumers dropped", formatCount(c.slowConsumerDrops)),
      counter(
        "events kept",
        s.stored ? formatCount(s.stored.events) : "–",
        s.stored
          ? `${formatCount(s.stored.retentionDeleted)} removed by retention`
          : "",
      ),
      counter(
        "storage size",
        s.stored ? formatBytes(s.stored.bytes) : "–",
        s.stored ? `${formatCount(s.stored.chunks)} chunks` : "",
      ),
      counter("event types", s.stored ? formatCount(s.stored.types) : "–"),
      counter(
        "clients",
        formatCount(s.connectionCount),
        `${s.webSessions} web page(s)`,
      ),
      counter("memory (RSS)", formatBytes(s.rss)),
    );
    byId("type-count").textContent = s.stored
      ? `(${formatCount(s.stored.types)})`
      : "";
    byId("connection-count").textContent = `(${s.connectionCount}${
      s.connections.length < s.connectionCount
        ? `, the ${s.connections.length} with most bytes waiting shown`
        : ""
    })`;
    byId<HTMLTableElement>("connections").tBodies[0].replaceChildren(
      ...s.connections.map((conn) =>
        h(
          "tr",
          {},
          h("td", {}, conn.id),
          h("td", {}, conn.name),
          h("td", {}, conn.subscriptions.map(formatType).join(", ")),
          h("td", {}, conn.serverId ?? "any"),
          h("td", {}, conn.persisted ? "yes" : "no"),
          h(
            "td",
            { className: conn.bytesWaiting > 0 ? "warn" : "" },
            formatBytes(conn.bytesWaiting),
          ),
        )
      ),
    );
    this.#previous = s;
  }
}
