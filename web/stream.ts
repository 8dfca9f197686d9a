/// <reference lib="dom" />
// The live stream of arriving events, filtered by query types: the
// server sends the newest events of each update (at most 100: at high
// rates a sample, which the panel says), the panel keeps the last 200.
// Pausing stops the server's queries for it too.

import type { LiveUpdate } from "../event_server/http/web_protocol.ts";
import { byId, h } from "./dom.ts";
import {
  formatPayload,
  formatTimestamp,
  formatType,
  parseTypes,
} from "./format.ts";
import type { Live } from "./live.ts";

/** Rows kept. */
const ROWS = 200;

/** The stream panel. */
export class Stream {
  #live: Live;
  #body: HTMLTableSectionElement;
  #note = byId("stream-note");
  #pause = byId<HTMLButtonElement>("stream-pause");
  #input = byId<HTMLInputElement>("stream-types");
  #types: string[][] = [["*"]];
  #paused = false;

  constructor(live: Live) {
    this.#live = live;
    this.#body = byId<HTMLTableElement>("stream").tBodies[0];
    byId("stream-form").addEventListener("submit", (e) => {
      e.preventDefault();
      try {
        this.#types = parseTypes(this.#input.value);
        this.#input.setCustomValidity("");
      } catch (error) {
        this.#input.setCustomValidity((error as Error).message);
        this.#input.reportValidity();
        return;
      }
      this.#body.replaceChildren();
      this.#send();
    });
    this.#pause.addEventListener("click", () => {
      this.#paused = !this.#paused;
      this.#pause.textContent = this.#paused ? "Resume" : "Pause";
      this.#note.textContent = this.#paused ? "paused" : "";
      this.#send();
    });
    this.#send();
  }

  /**
   * Starts again empty: a new live connection begins with the newest
   * events there are, which the old one may have shown already.
   */
  restart(): void {
    this.#body.replaceChildren();
    this.#note.textContent = this.#paused ? "paused" : "";
  }

  /** Adds the events of an update. */
  update(stream: NonNullable<LiveUpdate["stream"]>): void {
    if (this.#paused) return;
    const rows = stream.events.map((e) =>
      h(
        "tr",
        {},
        h("td", { className: "nowrap" }, formatTimestamp(e.timestamp)),
        h("td", {}, formatType(e.type)),
        h("td", { className: "payload" }, formatPayload(e.payload)),
      )
    ).reverse();
    this.#body.prepend(...rows);
    while (this.#body.rows.length > ROWS) this.#body.lastElementChild!.remove();
    this.#note.textContent = stream.sampled
      ? "sampled: more events arrive than are shown (the newest are)"
      : "";
  }

  #send(): void {
    this.#live.watch({
      stream: { types: this.#types, paused: this.#paused },
    });
  }
}
