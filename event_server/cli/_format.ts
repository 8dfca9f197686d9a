// How the CLI prints events: one JSON object per line (the default, for
// scripts), or an aligned table (`--format table`, for people).
//
// JSON form of an event: {"id":{"server","session","instance"},
// "type":[...], "timestamp":{"s","us"}, "sourceTimestamp":{"s","us"}|null,
// "payload": null | {"kind":"json","data":...} |
// {"kind":"binary","type":"...","data":"<base64>"}}; seconds beyond the
// safe integer range are decimal strings.

import {
  type Event,
  type Timestamp,
  timestampToDate,
} from "../../event/mod.ts";

/** Output format of the CLI. */
export type Format = "json" | "table";

function tsJson(t: Timestamp | null) {
  return t === null
    ? null
    : { s: typeof t.s === "bigint" ? String(t.s) : t.s, us: t.us };
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** The JSON form of an event (see the module comment). */
export function eventToJson(e: Event): unknown {
  const p = e.payload;
  return {
    id: e.id,
    type: e.type,
    timestamp: tsJson(e.timestamp),
    sourceTimestamp: tsJson(e.sourceTimestamp),
    payload: p === null
      ? null
      : p.kind === "json"
      ? { kind: "json", data: p.data }
      : { kind: "binary", type: p.type, data: base64(p.data) },
  };
}

function tsText(t: Timestamp | null): string {
  if (t === null) return "-";
  try {
    const iso = timestampToDate(t).toISOString();
    return `${iso.slice(0, 19)}.${String(t.us).padStart(6, "0")}Z`;
  } catch {
    return `${t.s}.${String(t.us).padStart(6, "0")}`;
  }
}

function payloadText(e: Event, width: number): string {
  const p = e.payload;
  if (p === null) return "-";
  const text = p.kind === "json"
    ? JSON.stringify(p.data)
    : `<${p.type}: ${p.data.length} bytes>`;
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

const HEADER = ["ID", "TYPE", "TIMESTAMP", "SOURCE TIMESTAMP", "PAYLOAD"];

/** Rows of a table of events, header first, columns padded. */
export function eventTable(events: readonly Event[]): string[] {
  const rows = events.map((e) => [
    `${e.id.server}/${e.id.session}/${e.id.instance}`,
    e.type.join("/"),
    tsText(e.timestamp),
    tsText(e.sourceTimestamp),
    payloadText(e, 60),
  ]);
  const all = [HEADER, ...rows];
  // Not Math.max(...lengths): spreading ~120,000 rows overflows the stack.
  const widths = HEADER.map((_, c) =>
    all.reduce((w, r) => Math.max(w, r[c].length), 0)
  );
  return all.map((r) =>
    r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c]))
      .join("  ")
  );
}

/** Writes text to a writer completely. */
export async function writeAll(
  writer: { write(p: Uint8Array): Promise<number> },
  text: string,
): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await writer.write(bytes.subarray(off));
}
