// A checkpoint worker (see event_server/storage/sqlite/_checkpoint_worker.ts)
// whose checkpoints fail in runs shorter than the fallback threshold, each
// ended by one that succeeds; it posts them all at start.

/// <reference lib="deno.worker" />

import { FAILURES_BEFORE_FALLBACK } from "../../event_server/storage/sqlite/_checkpointer.ts";

self.onmessage = (e: MessageEvent<{ kind: string }>) => {
  if (e.data.kind === "start") {
    self.postMessage({ kind: "started" });
    for (let run = 0; run < 3; run++) {
      for (let i = 1; i < FAILURES_BEFORE_FALLBACK; i++) {
        self.postMessage({ kind: "error", message: "disk I/O error" });
      }
      self.postMessage({ kind: "recovered" });
    }
  } else self.postMessage({ kind: "stopped" });
};
