// What one page watches on its live connection, and what changed for it
// since its last update: the latest event of each watched type (sent when
// its id changes, so many changes between two updates come as one), the
// newest events of the stream since the last update (at most
// STREAM_SAMPLE), and the plot's new points (_live_plot.ts). Everything
// comes from storage queries, made only when something was registered
// since the last update or the watch changed.

import type { Event, QueryType } from "../../event/mod.ts";
import type { Storage } from "../storage/mod.ts";
import { Cursor, idKey } from "./_cursor.ts";
import { BadRequestError, typeOf, webEvent } from "./_json.ts";
import { PlotFeed } from "./_live_plot.ts";
import type { LiveUpdate, LiveWatch, WebEvent } from "./web_protocol.ts";

/** Most watched types whose latest events a page gets. */
export const MAX_WATCHED = 2000;
/** Most events of the stream in one update (the newest). */
export const STREAM_SAMPLE = 50;
/** JSON payload text longer than this is cut in live updates. */
const PREVIEW = 512;
/** Largest message a page may send. */
const MAX_WATCH_BYTES = 1 << 20;

interface StreamWatch {
  readonly types: QueryType[];
  readonly paused: boolean;
  cursor: Cursor | null;
}

/** One page's watch and what it was sent. */
export class LiveSession {
  /** Latest events sent, by type key: the id sent. */
  #latest = new Map<string, string>();
  #watched: string[][] = [];
  #stream: StreamWatch | null = null;
  #plot: PlotFeed | null = null;
  /** The watch changed: query even if nothing was registered. */
  #dirty = true;
  #pendingError: string | null = null;

  /** Takes a watch message; a bad one is answered with an error. */
  watch(text: unknown): void {
    try {
      if (typeof text !== "string" || text.length > MAX_WATCH_BYTES) {
        throw new BadRequestError(
          `Invalid watch: expected JSON text of at most ${MAX_WATCH_BYTES} bytes`,
        );
      }
      let w: LiveWatch;
      try {
        w = JSON.parse(text);
      } catch (cause) {
        throw new BadRequestError(`Invalid watch: ${(cause as Error).message}`);
      }
      if (typeof w !== "object" || w === null || Array.isArray(w)) {
        throw new BadRequestError("Invalid watch: expected a JSON object");
      }
      this.#apply(w);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      this.#pendingError = error.message;
    }
    this.#dirty = true;
  }

  /**
   * What changed since the last update; empty when nothing did.
   *
   * @param storage Where the events are.
   * @param registered Whether events were registered since the last one.
   */
  update(storage: Storage, registered: boolean): LiveUpdate {
    const out: { -readonly [K in keyof LiveUpdate]: LiveUpdate[K] } = {};
    if (this.#pendingError !== null) {
      out.error = this.#pendingError;
      this.#pendingError = null;
    }
    if (!registered && !this.#dirty) return out;
    this.#dirty = false;
    if (!storage.isOpen) return out;
    const latest = this.#latestUpdate(storage);
    if (latest.length > 0) out.latest = latest;
    const stream = this.#streamUpdate(storage);
    if (stream !== null) out.stream = stream;
    const plot = this.#plot?.update(storage) ?? null;
    if (plot !== null) out.plot = plot;
    return out;
  }

  /** Checks a whole watch before taking any of it. */
  #apply(w: LiveWatch): void {
    let latest = this.#watched;
    if (w.latest !== undefined) {
      if (!Array.isArray(w.latest)) {
        throw new BadRequestError("Invalid latest: expected an array of types");
      }
      latest = w.latest.slice(0, MAX_WATCHED).map((t, i) =>
        typeOf(t, `latest[${i}]`, false)
      );
    }
    let stream = this.#stream;
    if (w.stream !== undefined) {
      if (w.stream === null) {
        stream = null;
      } else {
        if (!Array.isArray(w.stream?.types)) {
          throw new BadRequestError(
            "Invalid stream: expected { types: [...] }",
          );
        }
        const types = w.stream.types.map((t, i) =>
          typeOf(t, `stream.types[${i}]`, true)
        );
        // Pausing keeps the place: a resumed stream goes on from there.
        const same = stream !== null &&
          JSON.stringify(stream.types) === JSON.stringify(types);
        stream = {
          types,
          paused: w.stream.paused === true,
          cursor: same ? stream!.cursor : null,
        };
      }
    }
    let plot = this.#plot;
    if (w.plot !== undefined) {
      plot = w.plot === null ? null : new PlotFeed(w.plot);
    }
    const known = new Set(latest.map((t) => JSON.stringify(t)));
    for (const key of this.#latest.keys()) {
      if (!known.has(key)) this.#latest.delete(key);
    }
    this.#watched = latest;
    this.#stream = stream;
    this.#plot = plot;
  }

  #latestUpdate(storage: Storage): WebEvent[] {
    if (this.#watched.length === 0) return [];
    const result = storage.query(
      { kind: "latest", eventTypes: this.#watched },
      { jsonText: true },
    );
    const changed: WebEvent[] = [];
    for (const e of result.events) {
      const key = JSON.stringify(e.type);
      const id = idKey(e.id);
      if (this.#latest.get(key) === id) continue;
      this.#latest.set(key, id);
      changed.push(webEvent(e, PREVIEW));
    }
    return changed;
  }

  #streamUpdate(storage: Storage): LiveUpdate["stream"] | null {
    const s = this.#stream;
    if (s === null || s.paused) return null;
    let events: readonly Event[];
    let sampled = false;
    if (s.cursor === null) {
      // The first update shows the newest events there are, not a sample.
      events = storage.query({
        kind: "timeseries",
        eventTypes: s.types,
        order: "descending",
        orderBy: "timestamp",
        maxResults: STREAM_SAMPLE,
      }, { jsonText: true }).events;
      s.cursor = new Cursor(storage, s.types);
    } else {
      const arrived = s.cursor.take(storage, STREAM_SAMPLE);
      if (arrived === null) return null;
      events = arrived.events;
      sampled = arrived.sampled;
    }
    if (events.length === 0) return null;
    return {
      events: events.toReversed().map((e) => webEvent(e, PREVIEW)),
      sampled,
    };
  }
}
