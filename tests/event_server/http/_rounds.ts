// The live hub's update rounds, for tests that wait for the next one
// rather than poll: each round ends by observing its duration in the
// WEB_UPDATE_SECONDS histogram (event_server/http/_live.ts), so the test
// wraps that series' `observe` to resolve a promise as well.

import type { Engine } from "../../../event_server/engine.ts";
import type { Histogram } from "../../../event_server/metrics.ts";
import { WEB_UPDATE_SECONDS } from "../../../event_server/metric_names.ts";
import { within } from "../../_within.ts";

const ended = new WeakMap<Histogram, () => Promise<void>>();

/**
 * A function that resolves at the end of the hub's next update round of
 * `engine` (its pages were updated or found behind), or rejects after `ms`.
 */
export function updateRounds(
  engine: Engine,
): (what: string, ms?: number) => Promise<void> {
  const series = engine.metrics.histogram(WEB_UPDATE_SECONDS);
  let next = ended.get(series);
  if (next === undefined) {
    let round = Promise.withResolvers<void>();
    const observe = series.observe.bind(series);
    series.observe = (v) => {
      observe(v);
      const done = round;
      round = Promise.withResolvers<void>();
      done.resolve();
    };
    next = () => round.promise;
    ended.set(series, next);
  }
  const wait = next;
  return (what, ms = 30_000) => within(wait(), ms, what);
}
