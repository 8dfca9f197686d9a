// Seeded random events and queries for differential tests.

import type { Event, QueryParams, Timestamp } from "../../event/types.ts";
import { Prng } from "../_prng.ts";

/** The shared seeded PRNG (`tests/_prng.ts`) as a function. */
export function rng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

const SEGMENTS = ["a", "b", "c"];

/** Random sessions of events of one server, with ties and gaps in time. */
export function randomSessions(
  rand: () => number,
  sessions: number,
  server = 1,
  firstSession = 1,
): Event[][] {
  const out: Event[][] = [];
  let t = 1000;
  for (let s = 0; s < sessions; s++) {
    // time mostly advances, sometimes stands still or goes back
    const r = rand();
    t += r < 0.2 ? 0 : r < 0.25 ? -3 : Math.floor(rand() * 3);
    const n = 1 + Math.floor(rand() * 5);
    const session: Event[] = [];
    for (let i = 1; i <= n; i++) {
      const depth = Math.floor(rand() * 3);
      const type = Array.from(
        { length: depth },
        () => SEGMENTS[Math.floor(rand() * SEGMENTS.length)],
      );
      const src: Timestamp | null = rand() < 0.3
        ? null
        : { s: 500 + Math.floor(rand() * 40), us: Math.floor(rand() * 3) };
      session.push({
        id: { server, session: firstSession + s, instance: i },
        type,
        timestamp: { s: t, us: 0 },
        sourceTimestamp: src,
        payload: rand() < 0.5 ? null : { kind: "json", data: { s, i } },
      });
    }
    out.push(session);
  }
  return out;
}

/** A random query type over the segments of {@linkcode randomSessions}. */
export function randomQueryType(rand: () => number): string[] {
  const depth = Math.floor(rand() * 3);
  const q = Array.from({ length: depth }, () => {
    const r = rand();
    return r < 0.2 ? "?" : SEGMENTS[Math.floor(rand() * SEGMENTS.length)];
  });
  if (rand() < 0.3) q.push("*");
  return q;
}

function maybeTs(rand: () => number, base: number, span: number) {
  return rand() < 0.6
    ? null
    : { s: base + Math.floor(rand() * span), us: Math.floor(rand() * 3) };
}

/** A random query over events made by {@linkcode randomSessions}. */
export function randomQuery(
  rand: () => number,
  stored: readonly Event[],
): QueryParams {
  const r = rand();
  const pick = () =>
    stored.length === 0 || rand() < 0.1
      ? { server: 1, session: 999999, instance: 1 }
      : stored[Math.floor(rand() * stored.length)].id;
  const maxResults = rand() < 0.3 ? null : Math.floor(rand() * 12) - 1;
  if (r < 0.15) {
    return {
      kind: "latest",
      eventTypes: rand() < 0.3 ? null : [randomQueryType(rand)],
    };
  }
  if (r < 0.3) {
    return {
      kind: "server",
      serverId: 1,
      maxResults,
      lastEventId: rand() < 0.4 ? null : pick(),
    };
  }
  return {
    kind: "timeseries",
    eventTypes: rand() < 0.4 ? null : Array.from(
      { length: 1 + Math.floor(rand() * 2) },
      () => randomQueryType(rand),
    ),
    tFrom: maybeTs(rand, 1000, 60),
    tTo: maybeTs(rand, 1010, 80),
    sourceTFrom: rand() < 0.7 ? null : maybeTs(rand, 500, 20),
    sourceTTo: rand() < 0.7 ? null : maybeTs(rand, 510, 40),
    order: rand() < 0.5 ? "ascending" : "descending",
    orderBy: rand() < 0.5 ? "timestamp" : "sourceTimestamp",
    maxResults,
    lastEventId: rand() < 0.5 ? null : pick(),
  };
}
