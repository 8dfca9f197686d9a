// Metrics of the server process (memory, CPU, start time) and of the web
// view, read when /metrics is scraped.

import process from "node:process";
import type { MetricsRegistry } from "../metrics.ts";
import {
  PROCESS_CPU,
  PROCESS_HEAP,
  PROCESS_RSS,
  PROCESS_START,
  WEB_SESSIONS,
} from "../metric_names.ts";

/**
 * Starts collecting them.
 *
 * @returns Stops collecting them.
 */
export function collectProcessMetrics(
  metrics: MetricsRegistry,
  webSessions: () => number,
): () => void {
  const started = (performance.timeOrigin) / 1000;
  const stops = [
    metrics.collect(PROCESS_RSS, () => Deno.memoryUsage().rss),
    metrics.collect(PROCESS_HEAP, () => Deno.memoryUsage().heapUsed),
    metrics.collect(PROCESS_CPU, () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    }),
    metrics.collect(PROCESS_START, () => started),
    metrics.collect(WEB_SESSIONS, webSessions),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
