/// <reference lib="dom" />
/**
 * The web view of the Hat Event Server: one page, served by the server's
 * HTTP part (event_server/http/), bundled with uPlot by
 * `deno task build:page` into event_server/http/_page_bundle.ts. The
 * panels: status and counters, the type tree with latest values, the
 * plot, the live stream, queries and connections (docs/web.md).
 *
 * @module
 */

import { api } from "./api.ts";
import { byId } from "./dom.ts";
import { Live } from "./live.ts";
import { Plot } from "./plot.ts";
import { QueryForm } from "./query.ts";
import { StatusView } from "./status.ts";
import { Stream } from "./stream.ts";
import { TypeTree } from "./tree.ts";
import type { WebStatus } from "../event_server/http/web_protocol.ts";

const live = new Live();
const status = new StatusView();
const plot = new Plot(live);
const stream = new Stream(live);
const tree = new TypeTree(byId("tree"), live, (type) => plot.show(type));
new QueryForm();

let types = -1;
let treeRefresh: ReturnType<typeof setTimeout> | undefined;
let lastRefresh = 0;

/** Fetches the open levels again, at most once a second. */
function refreshTree(): void {
  if (treeRefresh !== undefined) return;
  const wait = Math.max(0, lastRefresh + 1000 - Date.now());
  treeRefresh = setTimeout(() => {
    treeRefresh = undefined;
    lastRefresh = Date.now();
    tree.refresh();
  }, wait);
}

live.onUpdate((u) => {
  if (u.status !== undefined) status.update(u.status);
  if (u.latest !== undefined) tree.latest(u.latest);
  if (u.stream !== undefined) stream.update(u.stream);
  if (u.plot !== undefined) plot.update(u.plot);
  if (u.error !== undefined) console.warn("live:", u.error);
  if (u.types !== undefined && u.types !== types) {
    const first = types < 0;
    types = u.types;
    if (!first) refreshTree();
  }
});

live.onLink((up, why) => {
  if (up) stream.restart();
  const link = byId("link");
  link.textContent = up ? "live" : `reconnecting (${why})`;
  link.className = `badge ${up ? "link-up" : "link-down"}`;
});

status.update(await api<WebStatus>("/api/status"));
await tree.start();
live.start();
