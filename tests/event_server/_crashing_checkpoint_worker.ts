// A checkpoint worker (see event_server/storage/sqlite/_checkpoint_worker.ts)
// that starts, then dies at its first checkpoint.

/// <reference lib="deno.worker" />

self.onmessage = (e: MessageEvent<{ kind: string; period: number }>) => {
  if (e.data.kind === "start") {
    self.postMessage({ kind: "started" });
    setTimeout(() => {
      throw new Error("checkpoint worker crashed");
    }, e.data.period);
  } else self.postMessage({ kind: "stopped" });
};
