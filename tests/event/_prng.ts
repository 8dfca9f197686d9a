// Random event and query types for the property tests.

import { Prng } from "../_prng.ts";

export { Prng };

/** A random event type of up to `maxDepth` segments over `alphabet`. */
export function randomEventType(
  rng: Prng,
  alphabet: readonly string[],
  maxDepth: number,
): string[] {
  const n = rng.int(maxDepth + 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(alphabet));
  return out;
}

/**
 * A random query type of up to `maxDepth` segments over `alphabet`, `?`
 * and a last `*`.
 */
export function randomQueryType(
  rng: Prng,
  alphabet: readonly string[],
  maxDepth: number,
): string[] {
  const n = rng.int(maxDepth + 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(rng.next() < 0.3 ? "?" : rng.pick(alphabet));
  }
  if (rng.next() < 0.35) out.push("*");
  return out;
}

/** Every event type of up to `maxDepth` segments over `alphabet`. */
export function allEventTypes(
  alphabet: readonly string[],
  maxDepth: number,
): string[][] {
  const out: string[][] = [[]];
  let level: string[][] = [[]];
  for (let d = 1; d <= maxDepth; d++) {
    const next: string[][] = [];
    for (const prefix of level) {
      for (const seg of alphabet) next.push([...prefix, seg]);
    }
    for (const e of next) out.push(e);
    level = next;
  }
  return out;
}
