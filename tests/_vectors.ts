// Loads the golden vectors of the Python reference from ../shared/vectors
// (beside the project root). Tests only read them.

/** Directory of the golden vectors. */
export const VECTORS_DIR = new URL("../../shared/vectors/", import.meta.url);

/** Directory of the protocol spec and schemas. */
export const SPEC_DIR = new URL("../../shared/spec/", import.meta.url);

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
