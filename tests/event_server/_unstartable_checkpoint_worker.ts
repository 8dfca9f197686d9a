// A checkpoint worker (see event_server/storage/sqlite/_checkpoint_worker.ts)
// that cannot start, as when its connection to the database fails to open.

/// <reference lib="deno.worker" />

self.onmessage = (e: MessageEvent<{ kind: string }>) => {
  if (e.data.kind === "start") {
    self.postMessage({ kind: "startFailed", message: "no database here" });
  } else self.postMessage({ kind: "stopped" });
};
