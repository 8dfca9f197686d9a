// What a command reads and writes, so commands run in a process (the real
// streams, signals) or in tests (buffers, an AbortSignal).

import { type Format, writeAll } from "./_format.ts";
import { CliError, EXIT, OutputClosedError } from "./_errors.ts";

/** A byte sink. */
export interface Sink {
  /** Writes some of `p`; resolves with the number of bytes written. */
  write(p: Uint8Array): Promise<number>;
}

/** The streams and stop signal of one run of the CLI. */
export interface Io {
  /** Standard output (events). */
  readonly stdout: Sink;
  /** Standard error (messages, progress). */
  readonly stderr: Sink;
  /** Standard input (payloads from `-`). */
  readonly stdin: ReadableStream<Uint8Array>;
  /** Whether stderr is a terminal (progress lines are shown then). */
  readonly stderrIsTerminal: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** The process's streams; SIGINT and SIGTERM abort the signal. */
export function processIo(): Io & Disposable {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  return {
    stdout: Deno.stdout,
    stderr: Deno.stderr,
    stdin: Deno.stdin.readable,
    stderrIsTerminal: Deno.stderr.isTerminal(),
    signal: controller.signal,
    [Symbol.dispose]() {
      for (const s of signals) Deno.removeSignalListener(s, stop);
    },
  };
}

/**
 * Writes a line to stdout.
 *
 * @throws {OutputClosedError} When the reader closed stdout (EPIPE).
 */
export async function out(io: Io, line: string): Promise<void> {
  try {
    await writeAll(io.stdout, line + "\n");
  } catch (cause) {
    if (
      cause instanceof Deno.errors.BrokenPipe ||
      (cause as { code?: unknown } | null)?.code === "EPIPE"
    ) {
      throw new OutputClosedError({ cause });
    }
    throw cause;
  }
}

/** Writes a line to stderr. */
export function err(io: Io, line: string): Promise<void> {
  return writeAll(io.stderr, line + "\n");
}

/** Reads all of stdin. */
export async function readStdin(io: Io): Promise<Uint8Array> {
  return new Uint8Array(await new Response(io.stdin).arrayBuffer());
}

/**
 * Reads a file, or stdin for `-`.
 *
 * @throws {CliError} (usage) When the file cannot be read.
 */
export async function readSource(io: Io, path: string): Promise<Uint8Array> {
  if (path === "-") return await readStdin(io);
  try {
    return await Deno.readFile(path);
  } catch (cause) {
    throw new CliError(
      `Cannot read ${path}: ${(cause as Error).message}`,
      EXIT.usage,
      { cause },
    );
  }
}

/**
 * The `--format` value.
 *
 * @throws {CliError} (usage) When not `json` or `table`.
 */
export function formatOf(value: string | undefined): Format {
  const f = value ?? "json";
  if (f !== "json" && f !== "table") {
    throw new CliError(
      `Invalid --format ${f}: expected json or table`,
      EXIT.usage,
    );
  }
  return f;
}
