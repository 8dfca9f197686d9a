// The frames recorded from the Python monitor server and Python Event
// Servers (tests/testdata/monitor, see its README): loading, and the
// frames' hex.

import { decodeMsg } from "../../chatter/mod.ts";

const DIR = new URL("../testdata/monitor/", import.meta.url);

export interface RecordedFrame {
  dir: "c2s" | "s2c";
  t_ms: number;
  hex: string;
  msg: {
    id: number;
    first: number;
    owner: boolean;
    token: boolean;
    last: boolean;
    type: string;
    data: string;
  };
  inner: unknown;
}

export interface Mark {
  dir: "open" | "c2s_eof" | "s2c_eof";
  t_ms: number;
}

export type Entry = RecordedFrame | Mark;

export const NAMES = ["event_a", "event_b", "bad_client"] as const;
export type Name = typeof NAMES[number];

export function loadTranscript(name: Name): Entry[] {
  return JSON.parse(
    Deno.readTextFileSync(new URL(`transcript_${name}.json`, DIR)),
  );
}

export function loadMeta(): { steps: string[] } {
  return JSON.parse(
    Deno.readTextFileSync(new URL("transcripts_meta.json", DIR)),
  );
}

export const isFrame = (e: Entry): e is RecordedFrame =>
  e.dir === "c2s" || e.dir === "s2c";

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

/** The chatter message of a recorded frame (header stripped). */
export function frameMsg(f: RecordedFrame) {
  const frame = fromHex(f.hex);
  return decodeMsg(frame.subarray(1 + frame[0]));
}

/** When the recorder sent SIGTERM to the monitor (ms, recording clock). */
export function sigtermAt(): number {
  const step = loadMeta().steps.find((s) => s.endsWith("SIGTERM the monitor"));
  if (step === undefined) throw new Error("no SIGTERM step in the meta");
  return Number(step.split(" ")[0]);
}
