/// <reference lib="dom" />
// The query form: latest, timeseries and server queries as eventer clients
// ask them, answered a page at a time (next page: after the last event
// shown, as clients page with lastEventId).

import type {
  WebEventId,
  WebQuery,
  WebQueryResult,
} from "../event_server/http/web_protocol.ts";
import { api } from "./api.ts";
import { byId, h } from "./dom.ts";
import {
  formatPayload,
  formatTimestamp,
  formatType,
  parseTime,
  parseTypes,
} from "./format.ts";

/** The query panel. */
export class QueryForm {
  #kind = byId<HTMLSelectElement>("q-kind");
  #body = byId<HTMLTableElement>("query-results").tBodies[0];
  #note = byId("q-note");
  #prev = byId<HTMLButtonElement>("q-prev");
  #next = byId<HTMLButtonElement>("q-next");
  /** Where each page shown so far started (null: the first). */
  #starts: (WebEventId | null)[] = [];
  #last: WebEventId | null = null;

  constructor() {
    this.#kind.addEventListener("change", () => this.#showFields());
    this.#showFields();
    byId("query-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.#starts = [null];
      this.#run();
    });
    this.#next.addEventListener("click", () => {
      this.#starts.push(this.#last);
      this.#run();
    });
    this.#prev.addEventListener("click", () => {
      this.#starts.pop();
      this.#run();
    });
  }

  #showFields(): void {
    const kind = this.#kind.value;
    for (const el of document.querySelectorAll<HTMLElement>("[data-kinds]")) {
      el.hidden = !el.dataset.kinds!.split(" ").includes(kind);
    }
  }

  #query(start: WebEventId | null): WebQuery {
    const value = (id: string) => byId<HTMLInputElement>(id).value;
    const kind = this.#kind.value;
    const max = Number(value("q-max"));
    if (!Number.isInteger(max) || max < 1) {
      throw new Error("Page size: a positive integer");
    }
    if (kind === "latest") {
      const types = parseTypes(value("q-types"));
      return { kind, eventTypes: types.length === 0 ? null : types };
    }
    if (kind === "server") {
      const serverId = Number(value("q-server-id"));
      if (!Number.isInteger(serverId)) throw new Error("Server id: an integer");
      return {
        kind,
        serverId,
        persisted: byId<HTMLInputElement>("q-persisted").checked,
        maxResults: max,
        lastEventId: start,
      };
    }
    const types = parseTypes(value("q-types"));
    return {
      kind: "timeseries",
      eventTypes: types.length === 0 ? null : types,
      tFrom: parseTime(value("q-from")),
      tTo: parseTime(value("q-to")),
      sourceTFrom: parseTime(value("q-source-from")),
      sourceTTo: parseTime(value("q-source-to")),
      order: value("q-order") as "descending" | "ascending",
      orderBy: value("q-order-by") as "timestamp" | "sourceTimestamp",
      maxResults: max,
      lastEventId: start,
    };
  }

  async #run(): Promise<void> {
    const start = this.#starts.at(-1) ?? null;
    let result: WebQueryResult;
    try {
      result = await api<WebQueryResult>("/api/query", this.#query(start));
    } catch (error) {
      this.#note.textContent = (error as Error).message;
      this.#note.classList.add("error");
      return;
    }
    this.#note.classList.remove("error");
    this.#body.replaceChildren(...result.events.map((e) =>
      h(
        "tr",
        {},
        h("td", { className: "nowrap" }, e.id.join("/")),
        h("td", { className: "nowrap" }, formatTimestamp(e.timestamp)),
        h("td", { className: "nowrap" }, formatTimestamp(e.sourceTimestamp)),
        h("td", {}, formatType(e.type)),
        h("td", { className: "payload" }, formatPayload(e.payload)),
      )
    ));
    this.#last = result.events.at(-1)?.id ?? null;
    const paged = this.#kind.value !== "latest";
    this.#next.disabled = !(paged && result.moreFollows && this.#last !== null);
    this.#prev.disabled = this.#starts.length <= 1;
    this.#note.textContent =
      `page ${this.#starts.length}: ${result.events.length} events${
        result.moreFollows
          ? (paged ? ", more follow" : " (the first 1,000)")
          : ""
      }`;
  }
}
