// The JSON form of SBS values used by the golden vectors
// (tests/testdata/vectors/README.md), converted to our value mapping by type.

import type { ResolvedType, SbsValue } from "../../codec/mod.ts";
import { fromHex, readText, SPEC_DIR, VECTORS_DIR } from "../_vectors.ts";

/** The three schemas of the vectors: HatEventer, HatChatter, Prim. */
export async function vectorSchemas(): Promise<string[]> {
  return [
    await readText(new URL("eventer.sbs", SPEC_DIR)),
    await readText(new URL("chatter.sbs", SPEC_DIR)),
    await readText(new URL("primitives.sbs", VECTORS_DIR)),
  ];
}

function integer(v: bigint): number | bigint {
  return v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v;
}

/** Converts a JSON-form value of type `t` to its SbsValue. */
export function fromJsonForm(t: ResolvedType, json: unknown): SbsValue {
  // deno-lint-ignore no-explicit-any
  const j = json as any;
  switch (t.kind) {
    case "named":
      return fromJsonForm(t.type, json);
    case "none":
    case "boolean":
    case "string":
      return j;
    case "integer":
      if (typeof j === "number") {
        return Number.isSafeInteger(j) ? j : BigInt(j);
      }
      return integer(BigInt(j.int));
    case "float":
      if (typeof j === "number") return j;
      return ({
        inf: Infinity,
        "-inf": -Infinity,
        nan: NaN,
        "-0": -0,
      } as Record<string, number>)[j.float];
    case "bytes":
      return fromHex(j.bytes);
    case "array":
      return (j as unknown[]).map((x) => fromJsonForm(t.item, x));
    case "record":
      return Object.fromEntries(
        t.entries.map((e) => [e.name, fromJsonForm(e.type, j[e.name])]),
      );
    case "choice": {
      const e = t.entries.find((e) => e.name === j[0]);
      if (e === undefined) throw new Error(`bad vector choice ${j[0]}`);
      return [e.name, fromJsonForm(e.type, j[1])];
    }
  }
}
