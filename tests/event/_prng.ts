// A small seeded PRNG (mulberry32) so that property tests are reproducible.

export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

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
