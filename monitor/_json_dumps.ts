// JSON text as Python's `json.dumps` writes it with hat-json's defaults
// (`hat.json.encode`: no indent, `allow_nan=False`): `", "` and `": "` as
// separators, every character outside printable ASCII escaped as `\uXXXX`
// (lowercase hex), floats as Python's `repr`. A component's `data` travels
// as this text in `MsgClient`, so ours is byte for byte the one a Python
// component with the same data sends.

import type { JsonValue } from "./types.ts";

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

// Python's ESCAPE_ASCII: a quote, a backslash, or anything not in ' '..'~'.
const NEEDS_ESCAPE = /["\\]|[^\x20-\x7e]/g;

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ??
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function dumpString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

// float.__repr__: the shortest digits that round-trip (as JavaScript's),
// fixed notation for exponents -4..15, else d.ddde±XX.
function dumpNumber(n: number, path: string): string {
  if (!Number.isFinite(n)) {
    throw new TypeError(
      `Invalid component data at ${path}: ${n} is not allowed in JSON`,
    );
  }
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa, expText] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) return String(n);
  const sign = exp < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function dump(value: unknown, path: string, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return dumpString(value);
    case "number":
      return dumpNumber(value, path);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (seen.has(value)) {
        throw new TypeError(`Invalid component data at ${path}: a cycle`);
      }
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          return `[${
            value.map((v, i) => dump(v, `${path}[${i}]`, seen)).join(", ")
          }]`;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new TypeError(
            `Invalid component data at ${path}: expected a plain object, ` +
              `got ${proto?.constructor?.name ?? "an object"}`,
          );
        }
        return `{${
          Object.entries(value).map(([k, v]) =>
            `${dumpString(k)}: ${dump(v, `${path}.${k}`, seen)}`
          ).join(", ")
        }}`;
      } finally {
        seen.delete(value);
      }
    }
    default:
      throw new TypeError(
        `Invalid component data at ${path}: ${typeof value} is not JSON`,
      );
  }
}

/**
 * Writes a JSON value as Python's `json.dumps` (hat-json defaults) does.
 *
 * @throws {TypeError} When the value is not JSON (non-finite numbers,
 * `undefined`, functions, bigints, class instances, cycles).
 */
export function dumpJson(value: JsonValue): string {
  return dump(value, "data", new Set());
}
