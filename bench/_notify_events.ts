// The message both codec benchmarks measure: HatEventer.MsgEventsNotify
// with n events of a gateway (JSON payloads, source timestamps), as SBS
// values, and the repository of the eventer schema.

import { Repository, type SbsValue } from "../codec/mod.ts";
import { EVENTER_SBS } from "../event/mod.ts";

/** The repository of the eventer schema. */
export const repo: Repository = new Repository(EVENTER_SBS);

/** The type measured. */
export const TYPE = "HatEventer.MsgEventsNotify";

/** A MsgEventsNotify value of `n` events. */
export function makeEvents(n: number): SbsValue {
  const events = [];
  for (let i = 0; i < n; i++) {
    const s = 1732540000 + i;
    events.push({
      id: { server: 1, session: 1000 + (i >> 4), instance: 1 + i },
      type: ["gateway", `device${i % 10}`, "data", "temperature"],
      timestamp: { s, us: (i * 7919) % 1000000 },
      sourceTimestamp: ["value", { s: s - 1, us: (i * 104729) % 1000000 }],
      payload: ["value", [
        "json",
        JSON.stringify({
          value: 21.5 + i % 10,
          quality: "good",
          ts: s + 0.123,
        }),
      ]],
    });
  }
  return events;
}
