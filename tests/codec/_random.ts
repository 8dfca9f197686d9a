// Seeded random schemas and values for the property tests.

import type { ResolvedType, SbsValue } from "../../codec/mod.ts";
import { Prng as Rng } from "../_prng.ts";

// The shared seeded PRNG, under the name these tests know it by.
export { Rng };

const SPACES = [" ", "  ", "\t", ",", " , ", "\n", "\r\n", " # c\n"];

function space(rng: Rng): string {
  return rng.pick(SPACES);
}

/**
 * A random schema text: module `R` with types `T0..Tn` (`Tn` an instance of `P0`), each built from
 * built-ins and earlier types; some are parametric (`P0(A B)`), some
 * recursive through `Optional(Ti)` or `Array(Ti)`.
 */
export function randomSchema(rng: Rng, types = 6): string {
  const defs: string[] = [];
  const expr = (depth: number, self: number, params: string[]): string => {
    const r = rng.int(depth > 2 ? 4 : 12);
    switch (r) {
      case 0:
        return rng.pick([
          "None",
          "Boolean",
          "Integer",
          "Float",
          "String",
          "Bytes",
        ]);
      case 1:
        return params.length > 0 ? rng.pick(params) : "Integer";
      case 2:
        return self > 0 ? `T${rng.int(self)}` : "String";
      case 3:
        return rng.pick(["Integer", "String", "Boolean"]);
      case 4:
      case 5:
        return `Array(${space(rng)}${expr(depth + 1, self, params)})`;
      case 6:
      case 7:
      case 8: {
        const kw = rng.pick(["Record", "Choice"]);
        const n = kw === "Choice" ? 1 + rng.int(4) : rng.int(5);
        const es = [];
        for (let i = 0; i < n; i++) {
          es.push(`e${i}:${space(rng)}${expr(depth + 1, self, params)}`);
        }
        return `${kw}${space(rng)}{${space(rng)}${es.join(space(rng) + "\n")}${
          space(rng)
        }}`;
      }
      case 9:
        return `Optional(${expr(depth + 1, self, params)})`;
      case 10:
        // Recursion through an Optional or an Array always has a finite value.
        return rng.next() < 0.5 ? `Optional(T${self})` : `Array(T${self})`;
      default:
        return `P0(${expr(depth + 1, self, params)}${space(rng)}${
          expr(depth + 1, self, params)
        })`;
    }
  };
  defs.push(`P0(A${space(rng)}B) = Record { a: A, b: Array(B) }`);
  for (let i = 0; i < types; i++) {
    defs.push(`T${i}${space(rng)}=${space(rng)}${expr(0, i, [])}`);
  }
  defs.push(`T${types} = P0(Integer${space(rng)}T${rng.int(types)})`);
  return `# random schema\nmodule R\n${defs.join("\n")}\n`;
}

/** A random value of type `t`, bounded in size and depth. */
export function randomValue(rng: Rng, t: ResolvedType, depth = 0): SbsValue {
  switch (t.kind) {
    case "named":
      return randomValue(rng, t.type, depth + 1);
    case "none":
      return null;
    case "boolean":
      return rng.next() < 0.5;
    case "integer": {
      const r = rng.int(5);
      if (r === 0) return rng.int(128) - 64;
      if (r === 1) return rng.int(2 ** 31) - 2 ** 30;
      if (r === 2) return Math.floor((rng.next() - 0.5) * 2 ** 53);
      if (r === 3) {
        const big = BigInt(Math.floor(rng.next() * 2 ** 52)) <<
          BigInt(rng.int(90) + 2);
        const v = rng.next() < 0.5 ? big : -big;
        const safe = v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n;
        return safe ? Number(v) : v;
      }
      return rng.pick([0, -1, 63, 64, -64, -65, 2 ** 53 - 1, -(2 ** 53 - 1)]);
    }
    case "float":
      return rng.pick([
        0,
        -0,
        1.5,
        -1e300,
        NaN,
        Infinity,
        -Infinity,
        rng.next(),
      ]);
    case "string": {
      const alphabet = ["a", "Z", "0", " ", "ž", "€", "😀", "\u0000", "\u07ff"];
      let s = "";
      const n = rng.int(rng.next() < 0.1 ? 200 : 12);
      for (let i = 0; i < n; i++) s += rng.pick(alphabet);
      return s;
    }
    case "bytes": {
      const b = new Uint8Array(rng.int(rng.next() < 0.1 ? 300 : 8));
      for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
      return b;
    }
    case "array": {
      const n = depth > 6 ? 0 : rng.int(4);
      const a: SbsValue[] = [];
      for (let i = 0; i < n; i++) a.push(randomValue(rng, t.item, depth + 1));
      return a;
    }
    case "record":
      return Object.fromEntries(
        t.entries.map((e) => [e.name, randomValue(rng, e.type, depth + 1)]),
      );
    case "choice": {
      // Deep down, take a non-recursive entry so that values stay finite.
      let e = rng.pick(t.entries);
      if (depth > 6) {
        e = t.entries.find((x) => !mentionsNamed(x.type)) ?? t.entries[0];
      }
      return [e.name, randomValue(rng, e.type, depth + 1)];
    }
  }
}

function mentionsNamed(t: ResolvedType): boolean {
  switch (t.kind) {
    case "named":
      return true;
    case "array":
      return false; // an empty array ends the recursion
    case "record":
    case "choice":
      return t.entries.some((e) => mentionsNamed(e.type));
    default:
      return false;
  }
}
