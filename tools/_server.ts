// Starts the Event Server as a subprocess for the load and soak tools: its
// own process (event loop and core), a temporary data directory, loopback
// only, the ports it picked (eventer and HTTP) read from its log.

/** Options of {@linkcode startServer}. */
export interface ServerOptions {
  /** Prefix of the temporary data directory. */
  prefix: string;
  /** More `serve` arguments (storage, limits). */
  args?: string[];
  /** A config file to write into the data directory and pass with --config. */
  config?: unknown;
  /** Called with the server's log if it exits before `stop()`. */
  onExit?: (status: Deno.CommandStatus, log: string) => void;
}

/** A running server subprocess. */
export interface ServerProcess {
  addr: { hostname: string; port: number };
  /** The URL of its web view. */
  httpUrl: string;
  pid: number;
  /** What the server wrote to stderr so far. */
  log(): string;
  /** SIGTERM, wait for the exit, remove the data directory. */
  stop(): Promise<void>;
}

const LISTENING = /listening on 127\.0\.0\.1:(\d+)/;
const WEB = /web view, \/metrics and \/healthz at (\S+)/;
const START_TIMEOUT = 30_000;

/** Starts `cli/main.ts serve` on 127.0.0.1 with a port of its own. */
export async function startServer(o: ServerOptions): Promise<ServerProcess> {
  const dir = await Deno.makeTempDir({ prefix: o.prefix });
  const config = o.config === undefined
    ? []
    : ["--config", `${dir}/config.json`];
  if (o.config !== undefined) {
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(o.config));
  }
  const cli = new URL("../event_server/cli/main.ts", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      cli.href,
      "serve",
      "--address",
      "127.0.0.1:0",
      "--data-dir",
      dir,
      "--log-level",
      "info",
      "--http",
      "127.0.0.1:0",
      ...config,
      ...(o.args ?? []),
    ],
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let port = 0;
  let httpUrl = "";
  // The port comes from the info line (args given later must not lower the
  // log level); a server that says nothing for this long is given up on.
  const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT);
  try {
    while (port === 0 || httpUrl === "") {
      const { value, done } = await reader.read();
      if (done) {
        await child.status;
        await Deno.remove(dir, { recursive: true });
        throw new Error(`Server did not start:\n${text}`);
      }
      text += value;
      const m = LISTENING.exec(text);
      if (m !== null) port = Number(m[1]);
      const web = WEB.exec(text);
      if (web !== null) httpUrl = web[1];
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep reading, so that the pipe never fills and the log stays whole.
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  let stopping = false;
  child.status.then(async (status) => {
    if (stopping || o.onExit === undefined) return;
    await drained;
    o.onExit(status, text);
  });
  return {
    addr: { hostname: "127.0.0.1", port },
    httpUrl,
    pid: child.pid,
    log: () => text,
    async stop() {
      stopping = true;
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** CPU seconds (user + system) a process used so far; NaN off Linux. */
export function cpuSeconds(pid: number | "self"): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, in clock ticks
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
