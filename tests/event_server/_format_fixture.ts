// The events of tests/testdata/data_dir_0e31681/, a data directory written
// by the SQLite storage of the release at commit 0e31681 (before the
// storage moved into sub-folders), which storage_format_compat_test.ts
// opens with the current code. They cover what the chunk formats encode
// differently: two servers, many sessions, JSON (parsed and kept as text,
// with Python's NaN), binary and no payloads, source timestamps or none,
// seconds beyond 2^53 and before 1970 (chunks in the fixed form), and
// enough events for several chunks and their merges.
//
// Written once by running this file with the release's checkout:
//   git worktree add /tmp/release 0e31681
//   deno run -A tests/event_server/_format_fixture.ts /tmp/release \
//     tests/testdata/data_dir_0e31681
// Do not write it again with newer code: the point is that it is old.

import type { Event, EventPayload, Timestamp } from "../../event/mod.ts";

/** The chunk size the fixture was written with (small: many chunks). */
export const FIXTURE_CHUNK_SIZE = 16;

/** The JSON texts of the payloads kept as text, by event index. */
export const JSON_TEXTS: ReadonlyMap<number, string> = new Map([
  [3, '{"value": NaN, "quality": "bad"}'],
  [77, '{"value": 1e400}'],
  [150, '[1, 2.5, "três", null, true]'],
]);

function ts(s: number | bigint, us: number): Timestamp {
  return { s, us };
}

/**
 * The events written, in registration order: each session of a server is
 * one register call.
 *
 * @param textPayload Makes a JSON payload kept as text (the writer passes
 * the release's own `JsonTextPayload`).
 */
export function fixtureEvents(
  textPayload: (text: string) => EventPayload,
): Event[][] {
  const sessions: Event[][] = [];
  let i = 0;
  for (let session = 1; session <= 12; session++) {
    for (const server of [1, 2]) {
      const batch: Event[] = [];
      for (let instance = 1; instance <= 9; instance++, i++) {
        const kind = i % 4;
        const text = JSON_TEXTS.get(i);
        let payload: EventPayload | null;
        if (text !== undefined) payload = textPayload(text);
        else if (kind === 0) payload = null;
        else if (kind === 1) {
          payload = { kind: "json", data: { seq: i, name: `e${i}` } };
        } else if (kind === 2) {
          payload = {
            kind: "binary",
            type: i % 3 === 0 ? "" : "öctets",
            data: Uint8Array.from({ length: i % 7 }, (_, k) => (i + k) & 0xff),
          };
        } else payload = { kind: "json", data: [i, -i / 4, "x".repeat(i % 5)] };
        let timestamp = ts(1_700_000_000 + i * 3, (i * 7919) % 1_000_000);
        if (i === 100) timestamp = ts(2n ** 60n, 5);
        if (i === 101) timestamp = ts(-86_400, 999_999);
        batch.push({
          id: { server, session, instance },
          type: ["gw", `dev${i % 5}`, i % 2 === 0 ? "data" : "état"],
          timestamp,
          sourceTimestamp: i % 3 === 0 ? null : ts(1_600_000_000 + i, i),
          payload,
        });
      }
      sessions.push(batch);
    }
  }
  return sessions;
}

if (import.meta.main) {
  const [release, out] = Deno.args;
  if (release === undefined || out === undefined) {
    throw new TypeError("usage: _format_fixture.ts RELEASE_DIR OUT_DIR");
  }
  const root = new URL(`file://${await Deno.realPath(release)}/`);
  const { SqliteStorage } = await import(
    new URL("event_server/storage/sqlite.ts", root).href
  );
  const { JsonTextPayload } = await import(new URL("event/mod.ts", root).href);
  await Deno.mkdir(out, { recursive: true });
  const storage = new SqliteStorage(`${out}/events.db`, {
    chunkSize: FIXTURE_CHUNK_SIZE,
  });
  for (const batch of fixtureEvents((t) => new JsonTextPayload(t))) {
    storage.reserveSessions(batch[0].id.server, batch[0].id.session);
    await storage.register(batch);
  }
  await storage.close();
  console.log(`wrote ${out}/events.db (${storage.chunkCount} chunks)`);
}
