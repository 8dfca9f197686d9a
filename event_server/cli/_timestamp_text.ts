// Timestamps written on the command line: seconds since 1970 and ISO 8601
// dates, read exactly (to the microsecond, beyond 2^53 seconds) and checked
// against the calendar, where `Number()` and `new Date()` would round or roll
// over (2026-02-30 becoming March 2) without a word.

import { type Timestamp, validateTimestamp } from "../../event/mod.ts";

const US_PER_S = 1_000_000n;

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?$/;
const EXPONENT = /^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$/;
const ISO =
  /^([-+]\d{6}|\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?(Z|z|[-+]\d\d(?::?\d\d)?)?$/;

/** Why a text is not a timestamp: `syntax` (not one at all) or `range`. */
export class TimestampTextError extends Error {
  readonly kind: "syntax" | "range";
  constructor(kind: "syntax" | "range", message: string) {
    super(message);
    this.name = "TimestampTextError";
    this.kind = kind;
  }
}

// Microseconds from fraction digits, rounded half away from zero.
function fractionMicros(digits: string): bigint {
  const padded = digits.padEnd(7, "0");
  const micros = BigInt(padded.slice(0, 6));
  return padded.charCodeAt(6) >= 0x35 ? micros + 1n : micros;
}

function fromMicros(micros: bigint): Timestamp {
  let s = micros / US_PER_S;
  let us = micros % US_PER_S;
  if (us < 0n) {
    us += US_PER_S;
    s -= 1n;
  }
  try {
    return validateTimestamp({ s, us: Number(us) });
  } catch {
    throw new TimestampTextError(
      "range",
      "out of range (a signed 64-bit number of seconds)",
    );
  }
}

function seconds(text: string): Timestamp | undefined {
  const m = DECIMAL.exec(text);
  if (m !== null && (m[2] !== "" || (m[3] ?? "") !== "")) {
    const micros = BigInt(m[2] || "0") * US_PER_S + fractionMicros(m[3] ?? "");
    return fromMicros(m[1] === "-" ? -micros : micros);
  }
  if (EXPONENT.test(text)) {
    const value = Number(text);
    if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      throw new TimestampTextError(
        "range",
        "out of range for exponent notation (write all the digits)",
      );
    }
    const whole = Math.floor(value);
    return fromMicros(
      BigInt(whole) * US_PER_S + BigInt(Math.round((value - whole) * 1e6)),
    );
  }
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    month - 1
  ];
}

function isoDate(text: string): Timestamp | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h ?? 0), minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  const endOfDay = hour === 24 && minute === 0 && second === 0 &&
    !/[1-9]/.test(frac ?? "");
  if (
    month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    (hour > 23 && !endOfDay) || minute > 59 || second > 59
  ) {
    throw new TimestampTextError("syntax", "not a date of the calendar");
  }
  // As `new Date()`: a date alone is UTC, a date and time without a zone is
  // local time.
  const date = new Date(0);
  if (zone === undefined && h !== undefined) {
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, 0);
  } else {
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
  }
  let ms = date.getTime();
  if (Number.isNaN(ms)) {
    throw new TimestampTextError("range", "out of range of a date");
  }
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const offset = Number(digits.slice(1, 3)) * 60 +
      Number(digits.slice(3, 5) || "0");
    ms -= (zone[0] === "-" ? -offset : offset) * 60_000;
  }
  return fromMicros(BigInt(ms) * 1000n + fractionMicros(frac ?? ""));
}

/**
 * Seconds since 1970 (`-1.5`, `1e9`, any number of digits) or an ISO 8601
 * date (`2026-11-25`, `2026-11-25T10:00:00.123456+01:00`), exactly.
 *
 * @throws {TimestampTextError} When it is neither, or out of range.
 */
export function parseTimestampText(text: string): Timestamp {
  const trimmed = text.trim();
  const t = seconds(trimmed) ?? isoDate(trimmed);
  if (t === undefined) {
    throw new TimestampTextError("syntax", "not a timestamp");
  }
  return t;
}
