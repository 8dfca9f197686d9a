// Runs bench/_rss_server.ts as a subprocess and talks to it by lines: its
// first line is `{"port": N}`, and each "rss" request is answered with a JSON
// line of its memory figures. Shared by the RSS benchmarks.

/** A running `_rss_server.ts` subprocess. */
export interface RssServer {
  /** Port the server listens on (127.0.0.1). */
  port: number;
  /** Asks the server for its memory figures (the JSON line it answers). */
  rss(): Promise<Record<string, number>>;
  /** Ends the server and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts the server subprocess with extra `deno run` flags. */
export async function startRssServer(flags: string[] = []): Promise<RssServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...flags,
      new URL("./_rss_server.ts", import.meta.url).pathname,
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  async function readLine(): Promise<string> {
    for (;;) {
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("server exited");
      buffered += value;
    }
  }
  const { port } = JSON.parse(await readLine());
  return {
    port,
    async rss() {
      await writer.write(new TextEncoder().encode("rss\n"));
      return JSON.parse(await readLine());
    },
    async close() {
      await writer.close();
      await child.status;
    },
  };
}
