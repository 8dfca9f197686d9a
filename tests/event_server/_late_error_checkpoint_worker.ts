// A checkpoint worker (see event_server/storage/sqlite/_checkpoint_worker.ts)
// whose checkpoint fails just as it is told to stop: the failure is posted
// before the answer to the stop.

/// <reference lib="deno.worker" />

self.onmessage = (e: MessageEvent<{ kind: string }>) => {
  if (e.data.kind === "start") self.postMessage({ kind: "started" });
  else {
    self.postMessage({ kind: "error", message: "disk I/O error" });
    self.postMessage({ kind: "stopped" });
  }
};
