// A session's events made from the register events it was given: one
// server id, session id and timestamp, consecutive instances from 1 (the
// engine's register paths and the modules' sessions alike).

import type { Event, RegisterEvent, Timestamp } from "../event/mod.ts";

/**
 * The events of session `session` of server `server`, registered at
 * `timestamp`, from `registerEvents` in order (instances 1, 2, …).
 */
export function sessionEvents(
  registerEvents: readonly RegisterEvent[],
  server: number,
  session: number,
  timestamp: Timestamp,
): Event[] {
  const n = registerEvents.length;
  const events = new Array<Event>(n);
  for (let i = 0; i < n; i++) {
    const e = registerEvents[i];
    events[i] = {
      id: { server, session, instance: i + 1 },
      type: e.type,
      timestamp,
      sourceTimestamp: e.sourceTimestamp,
      payload: e.payload,
    };
  }
  return events;
}
