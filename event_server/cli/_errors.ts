// Exit codes of the CLI and the error that carries one.

/**
 * Exit codes scripts can rely on (also listed by `--help` of the main
 * command).
 */
export const EXIT = {
  /** Success. */
  ok: 0,
  /**
   * Bad command line, config, event type, JSON or payload source; an
   * engine module that cannot be loaded or created.
   */
  usage: 1,
  /**
   * Server unreachable, connection lost, client refused (token), or the
   * peer is not an eventer server.
   */
  connection: 2,
  /** The server answered that the registration failed. */
  failed: 3,
  /**
   * `serve` could not start (storage, data directory in use by another
   * server, address in use, TLS files) or its storage failed.
   */
  start: 4,
  /** An unexpected error (a bug: please report it). */
  internal: 5,
} as const;

/**
 * Standard output was closed by its reader (as `| head -1` does): the
 * command stops quietly with exit 0, since the reader wanted no more.
 */
export class OutputClosedError extends Error {
  constructor(options?: ErrorOptions) {
    super("standard output was closed by its reader", options);
    this.name = "OutputClosedError";
  }
}

/** An error the CLI reports with a message and an exit code. */
export class CliError extends Error {
  /** The exit code. */
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
