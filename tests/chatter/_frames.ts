// Golden chatter frames and transcripts of the Python reference, in the
// form the chatter tests use.

import type { WireMsg } from "../../chatter/msg_codec.ts";
import { fromHex, readVectors } from "../_vectors.ts";

interface JsonMsg {
  id: number;
  first: number;
  owner: boolean;
  token: boolean;
  last: boolean;
  data: { type: string; data: { bytes: string } };
}

/** One recorded frame: its bytes and the message they hold. */
export interface GoldenFrame {
  name: string;
  frame: Uint8Array;
  msg: WireMsg;
}

function toWireMsg(m: JsonMsg): WireMsg {
  return {
    id: m.id,
    first: m.first,
    owner: m.owner,
    token: m.token,
    last: m.last,
    data: { type: m.data.type, data: fromHex(m.data.data.bytes) },
  };
}

/** The frames of chatter_frames.json. */
export async function goldenFrames(): Promise<GoldenFrame[]> {
  const entries = await readVectors<
    { name: string; msg: JsonMsg; hex: string }[]
  >("chatter_frames.json");
  return entries.map((e) => ({
    name: e.name,
    frame: fromHex(e.hex),
    msg: toWireMsg(e.msg),
  }));
}

/** The transcript files. */
export const TRANSCRIPTS = [
  "transcript.json",
  "transcript_bad_token.json",
  "transcript_notify_ack.json",
  "transcript_status_ping.json",
];

/** The frames of one transcript, with their direction. */
export async function transcriptFrames(
  file: string,
): Promise<(GoldenFrame & { dir: "c2s" | "s2c" })[]> {
  const entries = await readVectors<
    { dir: "c2s" | "s2c"; hex: string; msg: JsonMsg }[]
  >(file);
  return entries.map((e, i) => ({
    name: `${file}[${i}]`,
    dir: e.dir,
    frame: fromHex(e.hex),
    msg: toWireMsg(e.msg),
  }));
}
