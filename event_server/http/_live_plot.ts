// The plot's data for one page: a type's numbers over a time range. The
// first update carries the range's history (its newest PLOT_HISTORY
// points); for a range up to now, later updates carry the points of the
// events that arrived since (the newest PLOT_SAMPLE of them).

import {
  compareTimestamps,
  type Event,
  type EventId,
  type Timestamp,
} from "../../event/mod.ts";
import type { Storage } from "../storage/mod.ts";
import { Cursor } from "./_cursor.ts";
import {
  BadRequestError,
  plotValue,
  seconds,
  timestampOf,
  typeOf,
} from "./_json.ts";
import type { LivePlot, LiveUpdate } from "./web_protocol.ts";

/** Most new points of the plot in one update (the newest). */
export const PLOT_SAMPLE = 100;
/** Most points of a plot's history (the newest of its range). */
export const PLOT_HISTORY = 20_000;

/** A plot being shown, and where its points end. */
export class PlotFeed {
  readonly #spec: LivePlot;
  readonly #type: string[];
  readonly #from: Timestamp;
  readonly #to: Timestamp | null;
  /** Null until the history was sent. */
  #cursor: Cursor | null = null;

  /**
   * Checks what the page asked for.
   *
   * @throws {BadRequestError} Naming what is wrong.
   */
  constructor(spec: LivePlot) {
    if (typeof spec !== "object" || spec === null) {
      throw new BadRequestError("Invalid plot: expected an object or null");
    }
    if (typeof spec.field !== "string") {
      throw new BadRequestError("Invalid plot.field: expected a string");
    }
    if (spec.by !== "timestamp" && spec.by !== "sourceTimestamp") {
      throw new BadRequestError(
        "Invalid plot.by: expected timestamp or sourceTimestamp",
      );
    }
    this.#spec = spec;
    this.#type = typeOf(spec.type, "plot.type", false);
    this.#from = timestampOf(spec.from, "plot.from");
    this.#to = spec.to === null ? null : timestampOf(spec.to, "plot.to");
  }

  /** The points to send now, or null for none. */
  update(storage: Storage): LiveUpdate["plot"] | null {
    if (this.#cursor === null) return this.#history(storage);
    if (this.#to !== null) return null;
    const arrived = this.#cursor.take(storage, PLOT_SAMPLE);
    if (arrived === null) return null;
    const points = this.#points(arrived.events.toReversed());
    if (points.length === 0 && !arrived.sampled) return null;
    return { reset: false, points, sampled: arrived.sampled };
  }

  /**
   * The newest points of the range, and from then on a cursor for the
   * events that arrive.
   */
  #history(storage: Storage): LiveUpdate["plot"] {
    const bySource = this.#spec.by === "sourceTimestamp";
    const events: Event[] = [];
    let last: EventId | null = null;
    let more = true;
    while (more && events.length < PLOT_HISTORY) {
      const result = storage.query({
        kind: "timeseries",
        eventTypes: [this.#type],
        tFrom: bySource ? null : this.#from,
        tTo: bySource ? null : this.#to,
        sourceTFrom: bySource ? this.#from : null,
        sourceTTo: bySource ? this.#to : null,
        order: "descending",
        orderBy: this.#spec.by,
        maxResults: Math.min(4096, PLOT_HISTORY - events.length),
        lastEventId: last,
      }, { jsonText: true });
      for (const e of result.events) events.push(e);
      more = result.moreFollows && result.events.length > 0;
      last = result.events.at(-1)?.id ?? null;
    }
    // Queries answer synchronously: the cursor starts where they ended.
    this.#cursor = new Cursor(storage, [this.#type]);
    return {
      reset: true,
      points: this.#points(events.reverse()),
      sampled: more,
    };
  }

  /**
   * Points of events in arrival order, ascending by the plot's x (events
   * of equal x stay in arrival order).
   */
  #points(events: readonly Event[]): [number, number][] {
    const bySource = this.#spec.by === "sourceTimestamp";
    const points: [number, number][] = [];
    for (const e of events) {
      const t = bySource ? e.sourceTimestamp : e.timestamp;
      // A peer's event may arrive late, from before the range.
      if (t === null || compareTimestamps(t, this.#from) < 0) continue;
      const y = plotValue(e, this.#spec.field);
      if (y !== null) points.push([seconds(t), y]);
    }
    return points.sort((a, b) => a[0] - b[0]);
  }
}
