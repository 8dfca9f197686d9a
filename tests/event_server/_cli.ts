// Runs the CLI in this process with captured streams, or as a subprocess.

import { connect } from "../../client.ts";
import { main } from "../../event_server/cli/main.ts";
import type { Engine } from "../../event_server/engine.ts";
import { within } from "../_within.ts";

/**
 * Tells when a client of the given name has connected or disconnected,
 * from the CONNECTED/DISCONNECTED events the engine registers (CONNECTED
 * once the client is added, so it is notified of what is registered after
 * that event).
 */
export async function connectionWatcher(engine: Engine) {
  const seen = new Map<string, PromiseWithResolvers<void>>();
  const entry = (name: string, what: string) => {
    const key = `${name} ${what}`;
    let e = seen.get(key);
    if (e === undefined) seen.set(key, e = Promise.withResolvers());
    return e;
  };
  const client = await connect(engine.addrs[0], "watcher", {
    subscriptions: [["event", String(engine.serverId), "eventer", "*"]],
    onEvents: (_client, events) => {
      for (const e of events) {
        if (e.payload?.kind === "json") {
          entry(e.type[3], String(e.payload.data)).resolve();
        }
      }
    },
  });
  return {
    client,
    connected: (name: string) =>
      within(
        entry(name, "CONNECTED").promise,
        30_000,
        `client ${name} to connect`,
      ),
    disconnected: (name: string) =>
      within(
        entry(name, "DISCONNECTED").promise,
        30_000,
        `client ${name} to disconnect`,
      ),
  };
}

/** A captured run of the CLI. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Collects bytes written to it as text. */
export class TextSink {
  text = "";
  #decoder = new TextDecoder();
  #waiters: { lines: number; resolve: () => void }[] = [];

  write(p: Uint8Array): Promise<number> {
    this.text += this.#decoder.decode(p, { stream: true });
    const lines = this.lines().length;
    this.#waiters = this.#waiters.filter((w) => {
      if (lines < w.lines) return true;
      w.resolve();
      return false;
    });
    return Promise.resolve(p.length);
  }

  /** Complete lines so far. */
  lines(): string[] {
    const parts = this.text.split("\n");
    parts.pop();
    return parts;
  }

  /** Resolves once at least `n` complete lines were written. */
  waitLines(n: number): Promise<void> {
    if (this.lines().length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ lines: n, resolve }));
  }
}

/** Runs the CLI in this process. */
export async function cli(
  args: string[],
  options: {
    stdin?: string | Uint8Array<ArrayBuffer>;
    signal?: AbortSignal;
    stdout?: TextSink;
  } = {},
): Promise<Run> {
  const stdout = options.stdout ?? new TextSink();
  const stderr = new TextSink();
  const code = await main(args, {
    stdout,
    stderr,
    stdin: new Blob([options.stdin ?? ""]).stream(),
    stderrIsTerminal: false,
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The CLI entry point, for subprocesses. */
export const CLI_MAIN = new URL(
  "../../event_server/cli/main.ts",
  import.meta.url,
);

/** A CLI subprocess running `serve`, with its address parsed from its log. */
export interface ServeProcess extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly address: string;
  /** The URL of its HTTP part, or null when it runs without. */
  readonly httpUrl: string | null;
  /** Everything the server logged so far (read until it exits). */
  log(): string;
  /** Resolves with the exit status once the process ended. */
  readonly status: Promise<Deno.CommandStatus>;
}

/**
 * Starts `serve` as a subprocess (on a free port unless told one), with
 * its HTTP part on a free port too unless `args` say otherwise (`--http`);
 * in `cwd`, with `env` added to the environment.
 */
export async function serveProcess(
  args: string[],
  options: {
    listenOn?: string;
    cwd?: string;
    env?: Record<string, string>;
  } = {},
): Promise<ServeProcess> {
  const http = args.some((a) => a === "--http" || a.startsWith("--http="))
    ? []
    : ["--http", "127.0.0.1:0"];
  const httpOff = args.some((a, i) =>
    a === "--http=off" || (a === "--http" && args[i + 1] === "off")
  );
  const child = new Deno.Command(Deno.execPath(), {
    cwd: options.cwd,
    env: options.env,
    args: [
      "run",
      "-A",
      CLI_MAIN.href,
      "serve",
      "--address",
      options.listenOn ?? "127.0.0.1:0",
      ...http,
      ...args,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let address = "";
  let httpUrl: string | null | undefined;
  while (address === "" || httpUrl === undefined) {
    const { value, done } = await reader.read();
    if (done) {
      await child.status;
      throw new Error(`serve did not start:\n${text}`);
    }
    text += value;
    const m = /listening on (127\.0\.0\.1:\d+)/.exec(text);
    if (m !== null) address = m[1];
    const web = /web view, \/metrics and \/healthz at (\S+)/.exec(text);
    if (web !== null) httpUrl = web[1];
    // Without HTTP the eventer line is the last of the start.
    else if (address !== "" && httpOff) httpUrl = null;
  }
  const drained = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  const status = child.status.then(async (s) => {
    await drained;
    return s;
  });
  return {
    child,
    address,
    httpUrl,
    log: () => text,
    status,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await status;
    },
  };
}

/**
 * Runs the CLI as a subprocess, reads its stdout until the first complete
 * line, then closes the reading end (as `| head -1` does).
 */
export async function cliReadOneLine(args: string[]): Promise<{
  /** The first line the CLI printed. */
  line: string;
  /** Resolves once the process ended: its exit code and stderr. */
  ended: Promise<{ code: number; stderr: string }>;
}> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_MAIN.href, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const ended = child.status.then(async (s) => ({
    code: s.code,
    stderr: await stderr,
  }));
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await within(
      reader.read(),
      30_000,
      "a line on stdout",
    );
    if (done) {
      const { code, stderr } = await ended;
      throw new Error(`The CLI ended (${code}) before a line:\n${stderr}`);
    }
    text += value;
  }
  await reader.cancel();
  return { line: text.slice(0, text.indexOf("\n")), ended };
}
