// The Python reference's servers (HAT_REF) as child processes of live
// tests, and the wait for each to listen.
//
// Why a log line: the reference's configs log at WARNING, and at that level
// a Python server writes nothing when it starts listening; all that would
// be left is polling its port. Its TCP driver (hat.drivers.tcp) logs
// "listening for incomming connections" at DEBUG once the socket listens,
// with the address in the record's `meta`. `listenLog()` turns that one
// logger on and prints `meta`; `spawnRef()` reads stderr for the line. The
// same logger writes a line per frame at DEBUG, so stderr is read to its
// end for the whole life of the process.

import { within } from "./_within.ts";

const HOST = "127.0.0.1";

/** A port free on the loopback right now (for a config: a Python server
 * cannot tell the port it got for 0 to the peers it names itself to). */
export function freePort(): number {
  const l = Deno.listen({ hostname: HOST, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const LOG = `log:
    version: 1
    formatters:
        plain:
            format: "[%(levelname)s %(name)s] %(message)s"
        tcp:
            format: "[%(levelname)s %(name)s] %(message)s %(meta)s"
    handlers:
        plain:
            class: logging.StreamHandler
            formatter: plain
        tcp:
            class: logging.StreamHandler
            formatter: tcp
    loggers:
        hat.drivers.tcp:
            level: DEBUG
            handlers: [tcp]
            propagate: false
    root:
        level: WARNING
        handlers: [plain]
    disable_existing_loggers: false
`;

/**
 * A reference config (YAML text) whose `log` section is replaced by one
 * that logs warnings and the TCP driver's "listening" lines to stderr.
 */
export function listenLog(conf: string): string {
  const block = /^log:\n(?:(?:[ \t].*)?\n)*/m;
  if (!block.test(conf)) throw new Error("the config has no log section");
  return conf.replace(block, LOG);
}

/** A Python server of the reference, started by {@linkcode spawnRef}. */
export interface RefProcess {
  readonly pid: number;
  /** Resolves once the process ended and its stderr was read to the end. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Sends `signal` (throws as Deno.ChildProcess does once it ended). */
  kill(signal?: Deno.Signal): void;
  /**
   * Resolves once the process logged that it listens on `port`; rejects
   * when it ends first (with its last lines) or after `ms`.
   */
  listening(port: number, ms?: number): Promise<void>;
}

const LISTENING = /listening for incom+ing connections/;

/**
 * Starts `command args` (its config made with {@linkcode listenLog}),
 * reading its stderr; `what` names it in errors.
 */
export function spawnRef(
  command: string,
  args: string[],
  what: string,
): RefProcess {
  const child = new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const ports = new Set<number>();
  const tail: string[] = [];
  let ended: Deno.CommandStatus | undefined;
  let changed = Promise.withResolvers<void>();
  const notify = () => {
    changed.resolve();
    changed = Promise.withResolvers<void>();
  };
  const take = (line: string) => {
    if (LISTENING.test(line)) {
      for (const m of line.matchAll(/'port': (\d+)/g)) ports.add(Number(m[1]));
      notify();
    } else if (!line.startsWith("[DEBUG ")) {
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  };
  const read = (async () => {
    let rest = "";
    for await (
      const text of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      lines.forEach(take);
    }
    if (rest !== "") take(rest);
  })();
  const status = Promise.all([child.status, read]).then(([s]) => {
    ended = s;
    notify();
    return s;
  });
  return {
    pid: child.pid,
    status,
    kill: (signal) => child.kill(signal),
    listening(port, ms = 30_000) {
      const heard = (async () => {
        while (!ports.has(port)) {
          if (ended !== undefined) {
            throw new Error(
              `${what} ended (code ${ended.code}) before listening on ` +
                `port ${port}${tail.length ? ":\n" + tail.join("\n") : ""}`,
            );
          }
          await changed.promise;
        }
      })();
      return within(heard, ms, `${what} listening on port ${port}`);
    },
  };
}
