// Replays the registrations and queries that the Python reference server
// logged while the reference client talked to it (transcripts_meta.json)
// and checks that every storage answers each query exactly as it did.

import assert from "node:assert/strict";
import { event, type Json, params } from "../_reference_log.ts";
import { readVectors } from "../_vectors.ts";
import { KINDS } from "./_storages.ts";

const meta: Json = await readVectors("transcripts_meta.json");
const lines: Json[] = meta["transcript.json"].server_stdout_lines.map(
  (l: string) => JSON.parse(l),
);

for (const kind of KINDS) {
  Deno.test(`${kind.name} storage answers the queries of the reference transcript as the Python server`, async () => {
    await using opened = await kind.open();
    let queries = 0;
    for (const line of lines) {
      if (line.cb === "register") {
        await opened.storage.register(line.events.map(event));
      } else if (line.cb === "query") {
        const result = opened.storage.query(params(line.params));
        assert.deepEqual(result, {
          events: line.result.events.map(event),
          moreFollows: line.result.more_follows,
        }, JSON.stringify(line.params));
        queries++;
      }
    }
    assert.equal(queries, 5);
  });
}
