// The live hub's update rounds, for tests that wait for the next one
// rather than poll: each round ends by observing its duration in the
// WEB_UPDATE_SECONDS histogram (event_server/http/_live.ts), so the test
// wraps that series' `observe` to resolve a promise as well.

import type { Engine } from "../../../event_server/engine.ts";
import type { Histogram } from "../../../event_server/metrics.ts";
import {
  SLOW_CONSUMER_DROPS,
  WEB_UPDATE_SECONDS,
} from "../../../event_server/metric_names.ts";
import { within } from "../../_within.ts";
import { jsonEvent, type Web } from "./_web.ts";

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

/**
 * Registers batches of `batch` events of type `["big"]` with `payload`, one
 * batch per update round, until a web page is dropped as a slow consumer;
 * resolves to the most bytes any page had waiting meanwhile.
 */
export async function registerUntilDropped(
  web: Web,
  batch: number,
  payload: string,
  ms: number,
  what: string,
): Promise<number> {
  const drops = web.engine.metrics.counter(SLOW_CONSUMER_DROPS, {
    transport: "web",
  });
  const round = updateRounds(web.engine);
  let largest = 0;
  await within(
    (async () => {
      while (drops.value === 0) {
        const events = [];
        for (let i = 0; i < batch; i++) {
          events.push(jsonEvent(["big"], payload));
        }
        web.engine.register(events);
        for (const s of web.http.liveSessionInfos()) {
          largest = Math.max(largest, s.maxBuffered);
        }
        await round("an update round");
      }
    })(),
    ms,
    what,
  );
  return largest;
}
