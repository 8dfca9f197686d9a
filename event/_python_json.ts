// JSON as Python's `json` module writes it: `json.dumps` (and so
// `hat.json.encode`, which Python eventer clients use for payloads) writes
// the floats nan, inf and -inf as the bare tokens `NaN`, `Infinity` and
// `-Infinity`, and `json.loads` reads them back. JSON.parse refuses them;
// `parseJson` reads them as the numbers NaN, Infinity and -Infinity, so a
// payload from a Python client does not fail the connection that carries
// it. Any other text gets exactly JSON.parse's value or error.

import type { JsonValue } from "./types.ts";

// Stands for NaN while JSON.parse reads the rewritten text (JSON has no
// number for it): a string no JSON text holds by accident (it starts with
// an escaped low surrogate); a text holding it anyway is not rewritten.
const NAN_MARK = "\udc00NaN\ud800";
const NAN_JSON = '"\\udc00NaN\\ud800"';

function reviveNaN(_key: string, value: unknown): unknown {
  return value === NAN_MARK ? NaN : value;
}

/**
 * `JSON.parse`, also reading Python's `NaN`, `Infinity` and `-Infinity`
 * outside strings.
 *
 * @throws {SyntaxError} JSON.parse's error, for a text that is not JSON in
 * either dialect.
 */
export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text);
  } catch (err) {
    const rewritten = rewriteNonFinite(text);
    if (rewritten === null) throw err;
    try {
      return JSON.parse(rewritten.text, rewritten.nan ? reviveNaN : undefined);
    } catch {
      throw err;
    }
  }
}

/**
 * The text with Python's non-finite tokens outside strings replaced
 * (`Infinity` by `1e999`, which JSON.parse reads as Infinity; `NaN` by a
 * marker string), or `null` when it has none. A token is replaced only
 * where a value starts (at the beginning, or after `[`, `,` or `:`; for
 * `-Infinity` the `-` there) and a value ends after it (at the end, or
 * before whitespace, `,`, `]` or `}`), so `1Infinity` or `NaN1` stay
 * invalid.
 */
function rewriteNonFinite(
  text: string,
): { text: string; nan: boolean } | null {
  if (text.includes("\\udc00NaN")) return null;
  let out = "";
  let from = 0;
  let nan = false;
  let inString = false;
  // The last two characters outside strings other than whitespace, and
  // where the last one is.
  let last = -1;
  let beforeLast = -1;
  let lastAt = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // the escaped character cannot end the string
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    let len = 0;
    if (c === 0x4e && text.startsWith("NaN", i) && valueStarts(last)) {
      len = 3;
    } else if (
      c === 0x49 && text.startsWith("Infinity", i) &&
      (valueStarts(last) ||
        (last === 0x2d && lastAt === i - 1 && valueStarts(beforeLast)))
    ) {
      len = 8;
    }
    if (len > 0 && valueEnds(text, i + len)) {
      out += text.slice(from, i) + (len === 3 ? NAN_JSON : "1e999");
      from = i + len;
      nan ||= len === 3;
      i += len - 1;
      // A number stands there now: what follows is checked against it.
      beforeLast = last;
      last = 0x30;
      lastAt = i;
      continue;
    }
    if (c === 0x22) inString = true;
    beforeLast = last;
    last = c;
    lastAt = i;
  }
  if (from === 0) return null;
  return { text: out + text.slice(from), nan };
}

/** Whether a value may start after this character (-1: the beginning). */
function valueStarts(prev: number): boolean {
  return prev === -1 || prev === 0x5b || prev === 0x2c || prev === 0x3a;
}

/** Whether a value may end before index i of the text. */
function valueEnds(text: string, i: number): boolean {
  if (i >= text.length) return true;
  const c = text.charCodeAt(i);
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d ||
    c === 0x2c || c === 0x5d || c === 0x7d;
}
