/// <reference lib="dom" />
// The plot of one type's numeric values over a time range (a payload that
// is a number, or a field of a JSON payload), drawn on a canvas by uPlot.
// The server sends the range's history (its newest 20,000 points) and,
// for a range up to now, the points that arrive; the panel keeps at most
// MAX_POINTS, dropping the oldest.

import uPlot from "npm:uplot@1.6.32";
import type {
  LivePlot,
  LiveUpdate,
} from "../event_server/http/web_protocol.ts";
import { byId } from "./dom.ts";
import { formatCount, formatType, parseTypes } from "./format.ts";
import type { Live } from "./live.ts";

/** Points kept. */
const MAX_POINTS = 100_000;

/** The plot panel. */
export class Plot {
  #live: Live;
  #el = byId("plot");
  #note = byId("plot-note");
  #type = byId<HTMLInputElement>("plot-type");
  #field = byId<HTMLInputElement>("plot-field");
  #range = byId<HTMLSelectElement>("plot-range");
  #by = byId<HTMLSelectElement>("plot-by");
  #xs: number[] = [];
  #ys: number[] = [];
  #chart: uPlot | null = null;
  #spec: LivePlot | null = null;
  #sampled = false;

  constructor(live: Live) {
    this.#live = live;
    byId("plot-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.#start();
    });
    new ResizeObserver(() => this.#resize()).observe(this.#el);
  }

  /** Plots `type` (from the tree). */
  show(type: string[]): void {
    this.#type.value = formatType(type);
    this.#start();
  }

  /** Takes the points of an update. */
  update(plot: NonNullable<LiveUpdate["plot"]>): void {
    if (this.#spec === null) return;
    if (plot.reset) {
      this.#xs = [];
      this.#ys = [];
      this.#sampled = false;
    }
    this.#sampled ||= plot.sampled;
    const xs = this.#xs;
    const ys = this.#ys;
    for (const [x, y] of plot.points) {
      if (xs.length === 0 || x >= xs[xs.length - 1]) {
        xs.push(x);
        ys.push(y);
      } else {
        // Source timestamps may arrive out of order.
        let i = xs.length;
        while (i > 0 && xs[i - 1] > x) i--;
        xs.splice(i, 0, x);
        ys.splice(i, 0, y);
      }
    }
    if (xs.length > MAX_POINTS) {
      xs.splice(0, xs.length - MAX_POINTS);
      ys.splice(0, ys.length - MAX_POINTS);
      this.#sampled = true;
    }
    this.#draw();
  }

  #start(): void {
    let type: string[];
    try {
      const types = parseTypes(this.#type.value);
      if (
        types.length !== 1 || types[0].includes("*") || types[0].includes("?")
      ) {
        throw new Error("Give one event type (no ? or *)");
      }
      type = types[0];
      this.#type.setCustomValidity("");
    } catch (error) {
      this.#type.setCustomValidity((error as Error).message);
      this.#type.reportValidity();
      return;
    }
    const seconds = Number(this.#range.value);
    const from = Math.floor(Date.now() / 1000 - seconds);
    this.#spec = {
      type,
      field: this.#field.value.trim(),
      by: this.#by.value as LivePlot["by"],
      from: [from, 0],
      to: null,
    };
    this.#xs = [];
    this.#ys = [];
    this.#chart?.destroy();
    this.#chart = null;
    this.#note.textContent = "loading…";
    this.#live.watch({ plot: this.#spec });
  }

  #draw(): void {
    const spec = this.#spec!;
    const n = this.#xs.length;
    this.#el.dataset.points = String(n);
    this.#note.textContent = `${formatType(spec.type)}${
      spec.field === "" ? "" : ` → ${spec.field}`
    }: ${formatCount(n)} points${
      this.#sampled ? " (sampled: not every event is shown)" : ""
    }`;
    const data: uPlot.AlignedData = [this.#xs, this.#ys];
    if (this.#chart === null) {
      this.#chart = new uPlot(
        {
          ...this.#size(),
          scales: { x: { time: true } },
          legend: { show: false },
          cursor: { drag: { x: true, y: false } },
          series: [
            {},
            {
              label: formatType(spec.type),
              stroke: "#2f6fb0",
              width: 1.5,
              points: { size: 4 },
            },
          ],
        },
        data,
        this.#el,
      );
    } else {
      this.#chart.setData(data);
    }
  }

  #size(): { width: number; height: number } {
    return { width: Math.max(200, this.#el.clientWidth), height: 260 };
  }

  #resize(): void {
    this.#chart?.setSize(this.#size());
  }
}
