/**
 * The Event Server's metrics: one registry per server that every part
 * (engine, storage, web view, and later engine modules and sync) records
 * into by the definitions of `metric_names.ts`, rendered for `/metrics` in
 * the Prometheus text format (version 0.0.4). See docs/web.md for the list.
 *
 * Recording is cheap enough for the hot path: a series is looked up once
 * (by its definition and label values) and kept; `inc`, `set` and
 * `observe` then only add to numbers, never allocate. Values that already
 * live elsewhere (connections, storage size, memory) are read at scrape
 * time by {@linkcode MetricsRegistry.collect} callbacks instead.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * const metrics = new MetricsRegistry();
 * const requests = metrics.counter({
 *   name: "demo_requests_total",
 *   type: "counter",
 *   help: "Requests handled.",
 *   labels: ["kind"],
 * }, { kind: "latest" });
 * requests.inc();
 * requests.inc(2);
 * assert.match(metrics.render(), /^demo_requests_total\{kind="latest"\} 3$/m);
 * ```
 *
 * @module
 */

/** The kinds of metric the registry keeps. */
export type MetricType = "counter" | "gauge" | "histogram";

/** What a metric is: name, kind, help text, label names. */
export interface MetricDefinition {
  /** Prometheus name (`[a-zA-Z_:][a-zA-Z0-9_:]*`); counters end in `_total`. */
  readonly name: string;
  /** Counter (only grows), gauge (any value) or histogram. */
  readonly type: MetricType;
  /** One line saying what it counts, with its unit. */
  readonly help: string;
  /**
   * Names of its labels; every series gives a value for each.
   * @default {[]}
   */
  readonly labels?: readonly string[];
  /**
   * Upper bounds of a histogram's buckets, ascending (`+Inf` is added).
   * @default {DEFAULT_BUCKETS}
   */
  readonly buckets?: readonly number[];
}

/** Label values of one series, by label name. */
export type Labels = Readonly<Record<string, string | number>>;

/** One value a {@linkcode MetricsRegistry.collect} callback reports. */
export interface Sample {
  /** Its label values (none for a metric without labels). */
  readonly labels?: Labels;
  /** The value. */
  readonly value: number;
}

/** A collect callback's answer: one value, or one per label set. */
export type Collected = number | Iterable<Sample>;

/**
 * Default histogram buckets, in seconds: 50 µs to 10 s, for latencies of
 * an in-memory step up to a commit waiting for a slow disk.
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  10,
]);

/** A counter series: a number that only grows. */
export interface Counter {
  /** Its value. */
  readonly value: number;
  /**
   * Adds to it.
   *
   * @param n How much (at least 0).
   */
  inc(n?: number): void;
}

/** A gauge series: a number that goes up and down. */
export interface Gauge {
  /** Its value. */
  readonly value: number;
  /**
   * Sets it.
   *
   * @param v The value.
   */
  set(v: number): void;
  /**
   * Adds to it (a negative `n` subtracts).
   *
   * @param n How much.
   */
  inc(n?: number): void;
}

/** A histogram series: counts of observations by bucket, and their sum. */
export interface Histogram {
  /** Observations so far. */
  readonly count: number;
  /** Sum of the observed values. */
  readonly sum: number;
  /**
   * Records one value.
   *
   * @param v The value (seconds, for latencies).
   */
  observe(v: number): void;
}

class CounterSeries implements Counter {
  value = 0;
  inc(n = 1): void {
    // NaN and negative steps would break the counter for every scraper.
    if (n >= 0) this.value += n;
  }
}

class GaugeSeries implements Gauge {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
}

class HistogramSeries implements Histogram {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && v > bounds[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += v;
  }
}

type Series = CounterSeries | GaugeSeries | HistogramSeries;

interface Family {
  readonly def: MetricDefinition;
  readonly labels: readonly string[];
  /** Series by their label text (`a="x",b="y"`). */
  readonly series: Map<string, Series>;
  collect: (() => Collected) | null;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The registry of one server's metrics.
 *
 * @example A gauge read when scraped
 * ```ts
 * import { MetricsRegistry } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * const metrics = new MetricsRegistry();
 * const queue = [1, 2, 3];
 * metrics.collect(
 *   { name: "demo_queue_length", type: "gauge", help: "Items queued." },
 *   () => queue.length,
 * );
 * assert.match(metrics.render(), /^demo_queue_length 3$/m);
 * ```
 */
export class MetricsRegistry {
  #families = new Map<string, Family>();

  /**
   * The counter series of `def` with these label values, created at 0 the
   * first time. Keep it: later calls only add to it.
   *
   * @param def A counter's definition.
   * @param labels A value for each of its labels.
   * @returns The series.
   * @throws {TypeError} When `def` is not a counter, clashes with another
   * definition of the same name, or the labels do not match its names.
   */
  counter(def: MetricDefinition, labels: Labels = {}): Counter {
    return this.#series(def, "counter", labels) as CounterSeries;
  }

  /**
   * The gauge series of `def` with these label values (see
   * {@linkcode MetricsRegistry.counter}).
   *
   * @param def A gauge's definition.
   * @param labels A value for each of its labels.
   * @returns The series.
   * @throws {TypeError} As for counters.
   */
  gauge(def: MetricDefinition, labels: Labels = {}): Gauge {
    return this.#series(def, "gauge", labels) as GaugeSeries;
  }

  /**
   * The histogram series of `def` with these label values (see
   * {@linkcode MetricsRegistry.counter}).
   *
   * @param def A histogram's definition.
   * @param labels A value for each of its labels.
   * @returns The series.
   * @throws {TypeError} As for counters.
   *
   * @example
   * ```ts
   * import { MetricsRegistry } from "./metrics.ts";
   * import assert from "node:assert/strict";
   *
   * const metrics = new MetricsRegistry();
   * const latency = metrics.histogram({
   *   name: "demo_seconds",
   *   type: "histogram",
   *   help: "Time taken.",
   *   buckets: [0.1, 1],
   * });
   * latency.observe(0.5);
   * assert.match(metrics.render(), /^demo_seconds_bucket\{le="1"\} 1$/m);
   * assert.match(metrics.render(), /^demo_seconds_count 1$/m);
   * ```
   */
  histogram(def: MetricDefinition, labels: Labels = {}): Histogram {
    return this.#series(def, "histogram", labels) as HistogramSeries;
  }

  /**
   * Forgets one series (a peer that is gone, say), so it is no longer
   * rendered.
   *
   * @param def Its definition.
   * @param labels Its label values.
   * @returns Whether there was such a series.
   */
  remove(def: MetricDefinition, labels: Labels = {}): boolean {
    const family = this.#families.get(def.name);
    if (family === undefined || !sameDefinition(family.def, def)) {
      return false;
    }
    return family.series.delete(labelText(family, labels));
  }

  /**
   * Reads a counter or gauge from elsewhere each time the metrics are
   * rendered: `read` returns its value, or one value per label set.
   *
   * @param def The metric's definition (counter or gauge).
   * @param read Called at each render; an exception in it leaves the
   * metric out of that render.
   * @returns Stops collecting it (the metric disappears).
   * @throws {TypeError} When `def` is a histogram, clashes with another
   * definition of the same name, or is collected already.
   */
  collect(def: MetricDefinition, read: () => Collected): () => void {
    if (def.type === "histogram") {
      throw new TypeError(`Cannot collect histogram ${def.name}`);
    }
    const family = this.#family(def, def.type);
    if (family.collect !== null || family.series.size > 0) {
      throw new TypeError(`Metric ${def.name} is recorded already`);
    }
    family.collect = read;
    return () => {
      if (family.collect === read) {
        family.collect = null;
        this.#families.delete(def.name);
      }
    };
  }

  /**
   * Renders every metric in the Prometheus text format (version 0.0.4),
   * families sorted by name. A metric without any series yet is left out
   * (a feature's metrics appear once it records something).
   *
   * @returns The text, ending with a newline.
   */
  render(): string {
    const out: string[] = [];
    const names = [...this.#families.keys()].sort();
    for (const name of names) {
      const family = this.#families.get(name)!;
      const lines: string[] = [];
      if (family.collect !== null) {
        collected(family, lines);
      } else {
        for (const [labels, series] of family.series) {
          seriesLines(name, labels, series, lines);
        }
      }
      if (lines.length === 0) continue;
      out.push(`# HELP ${name} ${escapeHelp(family.def.help)}`);
      out.push(`# TYPE ${name} ${family.def.type}`);
      for (const line of lines) out.push(line);
    }
    return out.length === 0 ? "" : out.join("\n") + "\n";
  }

  #family(def: MetricDefinition, type: MetricType): Family {
    let family = this.#families.get(def.name);
    if (family === undefined) {
      if (def.type !== type) {
        throw new TypeError(
          `Metric ${def.name} is a ${def.type}, not a ${type}`,
        );
      }
      checkDefinition(def);
      family = {
        def,
        labels: def.labels ?? [],
        series: new Map(),
        collect: null,
      };
      this.#families.set(def.name, family);
    } else if (family.def !== def && !sameDefinition(family.def, def)) {
      throw new TypeError(
        `Metric ${def.name} is defined twice, differently`,
      );
    } else if (family.def.type !== type) {
      throw new TypeError(`Metric ${def.name} is a ${def.type}, not a ${type}`);
    }
    return family;
  }

  #series(def: MetricDefinition, type: MetricType, labels: Labels): Series {
    const family = this.#family(def, type);
    if (family.collect !== null) {
      throw new TypeError(`Metric ${def.name} is collected, not recorded`);
    }
    const key = labelText(family, labels);
    let series = family.series.get(key);
    if (series === undefined) {
      series = type === "counter"
        ? new CounterSeries()
        : type === "gauge"
        ? new GaugeSeries()
        : new HistogramSeries(def.buckets ?? DEFAULT_BUCKETS);
      family.series.set(key, series);
    }
    return series;
  }
}

function checkDefinition(def: MetricDefinition): void {
  if (!NAME.test(def.name)) {
    throw new TypeError(`Invalid metric name ${JSON.stringify(def.name)}`);
  }
  for (const label of def.labels ?? []) {
    if (!LABEL.test(label) || label.startsWith("__") || label === "le") {
      throw new TypeError(
        `Invalid label name ${JSON.stringify(label)} of ${def.name}`,
      );
    }
  }
  const buckets = def.buckets ?? DEFAULT_BUCKETS;
  for (let i = 0; i < buckets.length; i++) {
    if (
      !Number.isFinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])
    ) {
      throw new TypeError(
        `Invalid buckets of ${def.name}: expected finite ascending bounds`,
      );
    }
  }
}

function sameDefinition(a: MetricDefinition, b: MetricDefinition): boolean {
  return a.type === b.type && a.help === b.help &&
    (a.labels ?? []).join() === (b.labels ?? []).join() &&
    (a.buckets ?? DEFAULT_BUCKETS).join() ===
      (b.buckets ?? DEFAULT_BUCKETS).join();
}

/** The `{...}` part of a series' lines, without braces; "" for none. */
function labelText(family: Family, labels: Labels): string {
  const names = family.labels;
  let text = "";
  let given = 0;
  for (const name of names) {
    const v = labels[name];
    if (v === undefined) {
      throw new TypeError(
        `Metric ${family.def.name} needs label ${JSON.stringify(name)}`,
      );
    }
    given++;
    text += `${text === "" ? "" : ","}${name}="${escapeLabel(String(v))}"`;
  }
  if (Object.keys(labels).length !== given) {
    throw new TypeError(
      `Metric ${family.def.name} has labels ${JSON.stringify(names)}, got ${
        JSON.stringify(Object.keys(labels))
      }`,
    );
  }
  return text;
}

function collected(family: Family, lines: string[]): void {
  let value: Collected;
  try {
    value = family.collect!();
  } catch {
    return;
  }
  const name = family.def.name;
  if (typeof value === "number") {
    if (family.labels.length === 0) lines.push(`${name} ${num(value)}`);
    return;
  }
  for (const sample of value) {
    let text: string;
    try {
      text = labelText(family, sample.labels ?? {});
    } catch {
      continue;
    }
    lines.push(`${name}${text === "" ? "" : `{${text}}`} ${num(sample.value)}`);
  }
}

function seriesLines(
  name: string,
  labels: string,
  series: Series,
  lines: string[],
): void {
  if (!(series instanceof HistogramSeries)) {
    lines.push(
      `${name}${labels === "" ? "" : `{${labels}}`} ${num(series.value)}`,
    );
    return;
  }
  const prefix = labels === "" ? "" : `${labels},`;
  let cumulative = 0;
  for (let i = 0; i <= series.bounds.length; i++) {
    cumulative += series.counts[i];
    const le = i < series.bounds.length ? num(series.bounds[i]) : "+Inf";
    lines.push(`${name}_bucket{${prefix}le="${le}"} ${cumulative}`);
  }
  const suffix = labels === "" ? "" : `{${labels}}`;
  lines.push(`${name}_sum${suffix} ${num(series.sum)}`);
  lines.push(`${name}_count${suffix} ${series.count}`);
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}
