// Loads the golden vectors recorded from the Python reference
// (tests/testdata, see its README). Tests only read them.

/** Directory of the golden vectors and transcripts. */
export const VECTORS_DIR = new URL("./testdata/vectors/", import.meta.url);

/** Directory of the protocol: PROTOCOL.md and the schemas (`*.sbs`). */
export const SPEC_DIR = new URL("./testdata/spec/", import.meta.url);

/** Reads and parses one JSON file of the vectors. */
export async function readVectors<T = unknown>(name: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(name, VECTORS_DIR)));
}

/** Reads a text file of the vectors or the spec. */
export function readText(url: URL): Promise<string> {
  return Deno.readTextFile(url);
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a lowercase hex string. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}
