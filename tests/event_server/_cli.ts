// Runs the CLI in this process with captured streams, or as a subprocess.

import { main } from "../../event_server/cli/main.ts";

/**
 * Resolves as `promise` does, or rejects after `ms` naming what was awaited,
 * so that a test whose condition never comes fails instead of hanging.
 */
export async function within<T>(
  what: string,
  promise: Promise<T>,
  ms = 30_000,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Waited ${ms} ms in vain for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
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
  /** Everything the server logged so far (read until it exits). */
  log(): string;
  /** Resolves with the exit status once the process ended. */
  readonly status: Promise<Deno.CommandStatus>;
}

/** Starts `serve` as a subprocess on a free port. */
export async function serveProcess(args: string[]): Promise<ServeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI_MAIN.href,
      "serve",
      "--address",
      "127.0.0.1:0",
      ...args,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let address = "";
  while (address === "") {
    const { value, done } = await reader.read();
    if (done) {
      await child.status;
      throw new Error(`serve did not start:\n${text}`);
    }
    text += value;
    const m = /listening on (127\.0\.0\.1:\d+)/.exec(text);
    if (m !== null) address = m[1];
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
