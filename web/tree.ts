/// <reference lib="dom" />
// The tree of event types: one level is fetched when it is opened, 200
// segments at a time (a filter box narrows a level with more), so a server
// with 100,000 types shows only what is open. The types shown get their
// latest event live: the page tells the server which they are, and the
// server sends the ones that changed.

import type {
  WebEvent,
  WebTypeChild,
  WebTypeList,
} from "../event_server/http/web_protocol.ts";
import { api } from "./api.ts";
import { h } from "./dom.ts";
import {
  formatPayload,
  formatShortTimestamp,
  formatTimestamp,
  formatType,
} from "./format.ts";
import type { Live } from "./live.ts";

/** Segments fetched at a time. */
const PAGE = 200;
/** Most types whose latest events are watched (the server's limit). */
const MAX_WATCHED = 2000;

interface Level {
  readonly prefix: string[];
  readonly list: HTMLUListElement;
  loaded: number;
  match: string;
}

function key(type: readonly string[]): string {
  return JSON.stringify(type);
}

/** The type tree panel. */
export class TypeTree {
  #root: HTMLElement;
  #live: Live;
  #onPlot: (type: string[]) => void;
  #levels = new Map<string, Level>();
  /** Value cells of the types shown, by type key. */
  #cells = new Map<string, HTMLElement>();
  /** The latest event of each type seen, by type key. */
  #latest = new Map<string, WebEvent>();
  #watchTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshing = false;

  constructor(
    root: HTMLElement,
    live: Live,
    onPlot: (type: string[]) => void,
  ) {
    this.#root = root;
    this.#live = live;
    this.#onPlot = onPlot;
  }

  /** Shows the first level. */
  async start(): Promise<void> {
    const list = h("ul", { className: "level", role: "tree" });
    this.#root.replaceChildren(list);
    const level: Level = { prefix: [], list, loaded: 0, match: "" };
    this.#levels.set(key([]), level);
    await this.#fill(level, PAGE);
  }

  /** Fetches every open level again (new types appeared). */
  async refresh(): Promise<void> {
    if (this.#refreshing) return;
    this.#refreshing = true;
    try {
      for (const level of [...this.#levels.values()]) {
        if (this.#levels.get(key(level.prefix)) !== level) continue;
        await this.#fill(level, Math.max(PAGE, level.loaded));
      }
    } finally {
      this.#refreshing = false;
    }
  }

  /** Shows the latest events the server sent. */
  latest(events: readonly WebEvent[]): void {
    for (const e of events) {
      const k = key(e.type);
      this.#latest.set(k, e);
      const cell = this.#cells.get(k);
      if (cell !== undefined) show(cell, e, true);
    }
  }

  async #fill(level: Level, count: number): Promise<void> {
    const q = `prefix=${encodeURIComponent(key(level.prefix))}&limit=${
      Math.min(count, 1000)
    }&match=${encodeURIComponent(level.match)}`;
    let page = await api<WebTypeList>(`/api/types?${q}`);
    const children = [...page.children];
    while (children.length < count && children.length < page.total) {
      page = await api<WebTypeList>(
        `/api/types?${q}&offset=${children.length}`,
      );
      if (page.children.length === 0) break;
      children.push(...page.children);
    }
    level.loaded = children.length;
    this.#render(level, children, page.total);
    this.#scheduleWatch();
  }

  #render(level: Level, children: WebTypeChild[], total: number): void {
    for (const k of [...this.#cells.keys()]) {
      const type = JSON.parse(k) as string[];
      if (
        type.length === level.prefix.length + 1 && isUnder(type, level.prefix)
      ) {
        this.#cells.delete(k);
      }
    }
    const items: Node[] = [];
    if (total > PAGE || level.match !== "") {
      const input = h("input", {
        className: "filter",
        placeholder: `filter ${total} segments`,
        value: level.match,
        onchange: () => {
          level.match = input.value;
          this.#fill(level, PAGE);
        },
      });
      items.push(h("li", { className: "filter-row" }, input));
    }
    for (const child of children) items.push(this.#node(level, child));
    if (children.length < total) {
      items.push(h(
        "li",
        { className: "more" },
        h("button", {
          type: "button",
          onclick: () => this.#fill(level, level.loaded + PAGE),
        }, `show ${Math.min(PAGE, total - children.length)} more`),
        ` (${children.length} of ${total})`,
      ));
    }
    if (children.length === 0 && total === 0) {
      items.push(h("li", { className: "muted" }, "no event types yet"));
    }
    level.list.replaceChildren(...items);
  }

  #node(level: Level, child: WebTypeChild): HTMLLIElement {
    const type = [...level.prefix, child.segment];
    const k = key(type);
    const open = this.#levels.get(k);
    const twisty = h("button", {
      type: "button",
      className: "twisty",
      "aria-expanded": open !== undefined ? "true" : "false",
      disabled: child.children === 0,
    }, child.children === 0 ? "" : open !== undefined ? "▾" : "▸");
    const line = h(
      "div",
      { className: "line" },
      twisty,
      h("span", { className: "seg" }, child.segment),
      child.children > 0 &&
        h("span", { className: "count" }, `${child.children}`),
    );
    if (child.isType) {
      const cell = h("span", { className: "latest" });
      const e = this.#latest.get(k);
      if (e !== undefined) show(cell, e, false);
      this.#cells.set(k, cell);
      line.append(
        cell,
        h("button", {
          type: "button",
          className: "plot-btn",
          title: `plot ${formatType(type)}`,
          onclick: () => this.#onPlot(type),
        }, "plot"),
      );
    }
    const li = h("li", {
      className: "node",
      "data-type": k,
      role: "treeitem",
    }, line);
    if (open !== undefined) li.append(open.list);
    twisty.addEventListener("click", () => {
      const now = this.#levels.get(k);
      if (now !== undefined) {
        this.#close(type);
        now.list.remove();
        twisty.textContent = "▸";
        twisty.setAttribute("aria-expanded", "false");
        this.#scheduleWatch();
        return;
      }
      const list = h("ul", { className: "level", role: "group" });
      const sub: Level = { prefix: type, list, loaded: 0, match: "" };
      this.#levels.set(k, sub);
      li.append(list);
      twisty.textContent = "▾";
      twisty.setAttribute("aria-expanded", "true");
      this.#fill(sub, PAGE);
    });
    return li;
  }

  /** Forgets the open levels at and under `type`. */
  #close(type: string[]): void {
    for (const [k, level] of [...this.#levels]) {
      if (isUnder(level.prefix, type)) this.#levels.delete(k);
    }
    for (const k of [...this.#cells.keys()]) {
      const t = JSON.parse(k) as string[];
      if (t.length > type.length && isUnder(t, type)) this.#cells.delete(k);
    }
  }

  /** Tells the server (soon, once) which types are shown. */
  #scheduleWatch(): void {
    clearTimeout(this.#watchTimer);
    this.#watchTimer = setTimeout(() => {
      const shown = [...this.#cells.keys()].slice(0, MAX_WATCHED).map((k) =>
        JSON.parse(k) as string[]
      );
      this.#live.watch({ latest: shown });
    }, 50);
  }
}

function isUnder(type: readonly string[], prefix: readonly string[]): boolean {
  if (type.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (type[i] !== prefix[i]) return false;
  }
  return true;
}

function show(cell: HTMLElement, e: WebEvent, changed: boolean): void {
  // Short times (to the millisecond) leave the value room; the titles
  // give them whole.
  cell.replaceChildren(
    h("span", { className: "value" }, formatPayload(e.payload)),
    h("span", {
      className: "time",
      title: `timestamp ${formatTimestamp(e.timestamp)}, id ${e.id.join("/")}`,
    }, formatShortTimestamp(e.timestamp)),
  );
  if (e.sourceTimestamp !== null) {
    cell.append(h("span", {
      className: "source",
      title: `source timestamp ${formatTimestamp(e.sourceTimestamp)}`,
    }, formatShortTimestamp(e.sourceTimestamp)));
  }
  cell.dataset.id = e.id.join("/");
  if (changed) highlight(cell);
}

/** Highlighted cells and when they last changed (ms). */
const highlighted = new Map<HTMLElement, number>();
let unhighlight: ReturnType<typeof setInterval> | undefined;

/**
 * Highlights a cell whose value changed, for 0.7 s after its last change.
 * Class changes, not an animation: a value that changes at every update
 * must not keep the page repainting at the screen's frame rate.
 */
function highlight(cell: HTMLElement): void {
  cell.classList.add("changed");
  highlighted.set(cell, performance.now());
  unhighlight ??= setInterval(() => {
    const old = performance.now() - 700;
    for (const [c, t] of highlighted) {
      if (t > old) continue;
      c.classList.remove("changed");
      highlighted.delete(c);
    }
    if (highlighted.size === 0) {
      clearInterval(unhighlight);
      unhighlight = undefined;
    }
  }, 250);
}
