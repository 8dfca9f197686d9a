// JSON as Python's `json` module writes it: `json.dumps` (and so
// `hat.json.encode`, which Python eventer clients use for payloads) writes
// the floats nan, inf and -inf as the bare tokens `NaN`, `Infinity` and
// `-Infinity`, and `json.loads` reads them back. JSON.parse refuses them;
// `parseJson` reads them as the numbers NaN, Infinity and -Infinity, so a
// payload from a Python client does not fail the connection that carries
// it. Any other text gets exactly JSON.parse's value or error.

import type { JsonValue } from "./types.ts";

// Stands for NaN while JSON.parse reads the rewritten text (JSON has no
// number for it): a string starting with a lone low surrogate, numbered.
// The reviver counts the marks it sees; more than were written means a
// string value of the text spells mark k, and mark k + 1 is tried.
function nanMark(k: number): string {
  return `\udc00NaN${k}\ud800`;
}
function nanJson(k: number): string {
  return `"\\udc00NaN${k}\\ud800"`;
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
    for (let k = 0;; k++) {
      const rewritten = rewriteNonFinite(text, nanJson(k));
      if (rewritten === null) throw err;
      if (rewritten.nans === 0) {
        try {
          return JSON.parse(rewritten.text);
        } catch {
          throw err;
        }
      }
      const mark = nanMark(k);
      let seen = 0;
      let value: JsonValue;
      try {
        value = JSON.parse(rewritten.text, (_key, v) => {
          if (v !== mark) return v;
          seen++;
          return NaN;
        });
      } catch {
        throw err;
      }
      if (seen === rewritten.nans) return value;
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
  nanText: string,
): { text: string; nans: number } | null {
  let out = "";
  let from = 0;
  let nans = 0;
  let inString = false;
  // Whether each open container is an object: after a comma in an object
  // a key comes, not a value.
  const inObject: boolean[] = [];
  const startsValue = (prev: number) =>
    valueStarts(prev) &&
    !(prev === 0x2c && inObject[inObject.length - 1] === true);
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
    if (c === 0x4e && text.startsWith("NaN", i) && startsValue(last)) {
      len = 3;
    } else if (
      c === 0x49 && text.startsWith("Infinity", i) &&
      (startsValue(last) ||
        (last === 0x2d && lastAt === i - 1 && startsValue(beforeLast)))
    ) {
      len = 8;
    }
    if (len > 0 && valueEnds(text, i + len)) {
      out += text.slice(from, i) + (len === 3 ? nanText : "1e999");
      from = i + len;
      if (len === 3) nans++;
      i += len - 1;
      // A number stands there now: what follows is checked against it.
      beforeLast = last;
      last = 0x30;
      lastAt = i;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b) inObject.push(true);
    else if (c === 0x5b) inObject.push(false);
    else if (c === 0x7d || c === 0x5d) inObject.pop();
    beforeLast = last;
    last = c;
    lastAt = i;
  }
  if (from === 0) return null;
  return { text: out + text.slice(from), nans };
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
