// `deno task crash [cycles] [seed]`: SIGKILL the Event Server (SQLite)
// during sustained registration at random moments, `cycles` times in a row
// (default 20), checking after each restart that the store opens, every
// event notified as persisted is there and ids continue.

import { crashCycles } from "../tests/hardening/_crash.ts";

const cycles = Number(Deno.args[0] ?? 20);
const seed = Deno.args[1] === undefined ? undefined : Number(Deno.args[1]);
if (!Number.isSafeInteger(cycles) || cycles < 1) {
  console.error("usage: deno task crash [cycles] [seed]");
  Deno.exit(2);
}
const start = performance.now();
try {
  const results = await crashCycles({
    cycles,
    seed,
    progress: (i, r) =>
      console.log(
        `cycle ${
          i + 1
        }: killed after ${r.notified} persisted notifications and ${r.answered} answered requests; store holds ${r.stored} events, highest session ${r.session}: ok`,
      ),
  });
  console.log(
    `${results.length} SIGKILL cycles ok in ${
      ((performance.now() - start) / 1000).toFixed(0)
    } s`,
  );
} catch (e) {
  console.error(e);
  Deno.exit(1);
}
