/// <reference lib="dom" />
// Text for people: timestamps, sizes, counts, payload previews, and the
// event and query types as people write them (`a/b/*`, or a JSON array
// when a segment holds a slash).

import type {
  WebPayload,
  WebTimestamp,
} from "../event_server/http/web_protocol.ts";

/** `2026-11-25 10:00:01.123456` in local time. */
export function formatTimestamp(t: WebTimestamp | null): string {
  if (t === null) return "";
  const d = new Date(t[0] * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `.${pad(t[1], 6)}`;
}

/**
 * A timestamp for a narrow place: `10:00:01.123` (local time, to the
 * millisecond, cut not rounded), with the date before it when that is not
 * today's; {@linkcode formatTimestamp} gives it whole.
 */
export function formatShortTimestamp(
  t: WebTimestamp,
  today: Date = new Date(),
): string {
  const full = formatTimestamp(t);
  const date = full.slice(0, 10);
  const time = full.slice(11, 23);
  const pad = (n: number) => String(n).padStart(2, "0");
  const now = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${
    pad(today.getDate())
  }`;
  return date === now ? time : `${date} ${time}`;
}

/** `1.5 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `3 d 4 h`, `5 min 2 s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ${Math.floor(s / 60) % 60} min`;
  }
  return `${Math.floor(s / 86400)} d ${Math.floor(s / 3600) % 24} h`;
}

/** A payload in one line. */
export function formatPayload(p: WebPayload | null): string {
  if (p === null) return "";
  if (p.kind === "json") {
    return p.length === undefined
      ? p.text
      : `${p.text}… (${formatCount(p.length)} characters)`;
  }
  const hex = p.hex.replace(/(..)/g, "$1 ").trim();
  return `${p.type}, ${formatBytes(p.size)}: ${hex}${
    p.size > p.hex.length / 2 ? " …" : ""
  }`;
}

/** A type as people write it. */
export function formatType(type: readonly string[]): string {
  return type.some((s) => s.includes("/") || s === "")
    ? JSON.stringify(type)
    : type.join("/");
}

/**
 * Types from a text: comma-separated `a/b/*` paths, or JSON arrays (a
 * JSON array of arrays for several).
 *
 * @throws {Error} With a message for people when the text is not types.
 */
export function parseTypes(text: string): string[][] {
  const t = text.trim();
  if (t === "") return [];
  if (t.startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new Error(`Not JSON: ${t}`);
    }
    const list = Array.isArray(v) && v.every(Array.isArray) ? v : [v];
    for (const type of list) {
      if (!Array.isArray(type) || !type.every((s) => typeof s === "string")) {
        throw new Error(
          `Not a type (an array of strings): ${JSON.stringify(type)}`,
        );
      }
    }
    return list as string[][];
  }
  return t.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) =>
    s.split("/")
  );
}

/**
 * A time from a text: `now`, `-15m` / `-2h` / `-1d` / `-30s` before now,
 * seconds since 1970, or an ISO 8601 date; null for an empty text.
 *
 * @throws {Error} When it is none of these.
 */
export function parseTime(text: string, now = Date.now()): WebTimestamp | null {
  const t = text.trim();
  if (t === "") return null;
  let ms: number;
  const rel = /^-(\d+(?:\.\d+)?)\s*(s|m|min|h|d)$/.exec(t);
  if (t === "now") {
    ms = now;
  } else if (rel !== null) {
    const unit = { s: 1, m: 60, min: 60, h: 3600, d: 86400 }[rel[2]]!;
    ms = now - Number(rel[1]) * unit * 1000;
  } else if (/^\d+(\.\d+)?$/.test(t)) {
    ms = Number(t) * 1000;
  } else {
    ms = Date.parse(t);
    if (Number.isNaN(ms)) {
      throw new Error(`Not a time: ${t} (now, -15m, seconds or an ISO date)`);
    }
  }
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1000)];
}
