import assert from "node:assert/strict";
import {
  DEFAULT_BUCKETS,
  type MetricDefinition,
  MetricsRegistry,
} from "../../event_server/metrics.ts";
import * as names from "../../event_server/metric_names.ts";

const COUNTER: MetricDefinition = {
  name: "t_requests_total",
  type: "counter",
  help: "Requests.",
  labels: ["kind"],
};

Deno.test("a counter series is created at 0 and only grows", () => {
  const metrics = new MetricsRegistry();
  const c = metrics.counter(COUNTER, { kind: "a" });
  assert.equal(c.value, 0);
  c.inc();
  c.inc(4);
  c.inc(-3);
  c.inc(NaN);
  assert.equal(c.value, 5);
  assert.equal(metrics.counter(COUNTER, { kind: "a" }), c);
});

Deno.test("render() writes HELP, TYPE and one line per series", () => {
  const metrics = new MetricsRegistry();
  metrics.counter(COUNTER, { kind: "a" }).inc(2);
  metrics.counter(COUNTER, { kind: "b" }).inc(1);
  metrics.gauge({ name: "t_level", type: "gauge", help: "Level." }).set(-1.5);
  assert.equal(
    metrics.render(),
    [
      "# HELP t_level Level.",
      "# TYPE t_level gauge",
      "t_level -1.5",
      "# HELP t_requests_total Requests.",
      "# TYPE t_requests_total counter",
      't_requests_total{kind="a"} 2',
      't_requests_total{kind="b"} 1',
      "",
    ].join("\n"),
  );
});

Deno.test("render() escapes label values and help text", () => {
  const metrics = new MetricsRegistry();
  metrics.counter({
    name: "t_x_total",
    type: "counter",
    help: "back\\slash\nnewline",
    labels: ["name"],
  }, { name: 'a"b\\c\nd' }).inc();
  const text = metrics.render();
  assert.match(text, /^# HELP t_x_total back\\\\slash\\nnewline$/m);
  assert.ok(text.includes('t_x_total{name="a\\"b\\\\c\\nd"} 1\n'));
});

Deno.test("a histogram renders cumulative buckets, +Inf, sum and count", () => {
  const metrics = new MetricsRegistry();
  const h = metrics.histogram({
    name: "t_seconds",
    type: "histogram",
    help: "Time.",
    labels: ["op"],
    buckets: [0.1, 1],
  }, { op: "x" });
  for (const v of [0.05, 0.1, 0.5, 3]) h.observe(v);
  assert.equal(h.count, 4);
  assert.ok(Math.abs(h.sum - 3.65) < 1e-9);
  const lines = metrics.render().split("\n");
  assert.deepEqual(lines.slice(2, 7), [
    't_seconds_bucket{op="x",le="0.1"} 2',
    't_seconds_bucket{op="x",le="1"} 3',
    't_seconds_bucket{op="x",le="+Inf"} 4',
    `t_seconds_sum{op="x"} ${h.sum}`,
    't_seconds_count{op="x"} 4',
  ]);
});

Deno.test("a histogram without buckets uses the default ones", () => {
  const metrics = new MetricsRegistry();
  metrics.histogram({ name: "t_h", type: "histogram", help: "h" }).observe(1);
  const buckets = metrics.render().split("\n").filter((l) =>
    l.startsWith("t_h_bucket")
  );
  assert.equal(buckets.length, DEFAULT_BUCKETS.length + 1);
});

Deno.test("collect() reads values at each render and can be stopped", () => {
  const metrics = new MetricsRegistry();
  let n = 1;
  const stop = metrics.collect({
    name: "t_items",
    type: "gauge",
    help: "Items.",
    labels: ["queue"],
  }, () => [{ labels: { queue: "q" }, value: n }]);
  assert.match(metrics.render(), /^t_items\{queue="q"\} 1$/m);
  n = 7;
  assert.match(metrics.render(), /^t_items\{queue="q"\} 7$/m);
  stop();
  assert.equal(metrics.render(), "");
});

Deno.test("a collect callback that throws leaves only its metric out", () => {
  const metrics = new MetricsRegistry();
  metrics.collect({ name: "t_bad", type: "gauge", help: "b" }, () => {
    throw new Error("closed");
  });
  metrics.collect({ name: "t_good", type: "gauge", help: "g" }, () => 3);
  assert.equal(metrics.render().includes("t_bad"), false);
  assert.match(metrics.render(), /^t_good 3$/m);
});

Deno.test("a metric nothing was recorded for is not rendered", () => {
  const metrics = new MetricsRegistry();
  metrics.collect(
    { name: "t_none", type: "gauge", help: "n", labels: ["x"] },
    () => [],
  );
  assert.equal(metrics.render(), "");
});

Deno.test("remove() forgets one series", () => {
  const metrics = new MetricsRegistry();
  metrics.counter(COUNTER, { kind: "a" }).inc();
  metrics.counter(COUNTER, { kind: "b" }).inc();
  assert.equal(metrics.remove(COUNTER, { kind: "a" }), true);
  assert.equal(metrics.remove(COUNTER, { kind: "a" }), false);
  assert.equal(metrics.render().includes('kind="a"'), false);
  assert.match(metrics.render(), /kind="b"/);
});

Deno.test("the registry refuses what would render a wrong exposition", async (t) => {
  const metrics = new MetricsRegistry();
  metrics.counter(COUNTER, { kind: "a" });
  const cases: [string, () => unknown, RegExp][] = [
    ["a missing label", () => metrics.counter(COUNTER, {}), /needs label/],
    [
      "an unknown label",
      () => metrics.counter(COUNTER, { kind: "a", other: "b" }),
      /has labels/,
    ],
    [
      "the same name defined differently",
      () => metrics.counter({ ...COUNTER, help: "Other." }),
      /defined twice/,
    ],
    [
      "the wrong kind",
      () => metrics.gauge(COUNTER, { kind: "a" }),
      /is a counter, not a gauge/,
    ],
    [
      "a bad name",
      () => metrics.counter({ name: "a-b", type: "counter", help: "" }),
      /Invalid metric name/,
    ],
    [
      "a reserved label",
      () =>
        metrics.histogram({
          name: "t_h",
          type: "histogram",
          help: "",
          labels: ["le"],
        }),
      /Invalid label name/,
    ],
    [
      "unsorted buckets",
      () =>
        metrics.histogram({
          name: "t_h2",
          type: "histogram",
          help: "",
          buckets: [1, 0.5],
        }),
      /Invalid buckets/,
    ],
    [
      "collecting a recorded metric",
      () => metrics.collect(COUNTER, () => 1),
      /recorded already/,
    ],
  ];
  for (const [name, f, error] of cases) {
    await t.step(name, () => assert.throws(f, error));
  }
});

Deno.test("every metric of the scheme is a valid, distinct hat_eventer_ name", () => {
  const defs = Object.values(names) as MetricDefinition[];
  assert.ok(defs.length >= 25);
  const seen = new Set<string>();
  const metrics = new MetricsRegistry();
  for (const def of defs) {
    assert.match(def.name, /^hat_eventer_[a-z_]+$/);
    assert.equal(seen.has(def.name), false, def.name);
    seen.add(def.name);
    assert.equal(def.type === "counter", def.name.endsWith("_total"), def.name);
    assert.ok(Object.isFrozen(def));
    const labels = Object.fromEntries((def.labels ?? []).map((l) => [l, "x"]));
    if (def.type === "counter") metrics.counter(def, labels).inc();
    else if (def.type === "gauge") metrics.gauge(def, labels).set(1);
    else metrics.histogram(def, labels).observe(1);
  }
  const text = metrics.render();
  for (const def of defs) {
    assert.match(text, new RegExp(`^# TYPE ${def.name} `, "m"));
  }
});
