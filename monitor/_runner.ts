// What a component runs while it is active: the application's runner, made
// when the component becomes active and closed when it stops being so. A
// runner hands back whatever closes it: a function, an AsyncDisposable, or
// an object with close() (and, to say that it ended on its own, a `closed`
// promise), or nothing when the abort signal it was given is enough.

import { RunnerError } from "./errors.ts";

/**
 * What a runner returns: how to close it. An object's optional `closed`
 * promise says when the runner ended on its own (a component then closes).
 */
export type RunnerHandle =
  | void
  | undefined
  | (() => unknown)
  | AsyncDisposable
  | { close(): unknown; readonly closed?: PromiseLike<unknown> };

/** A runner as the application gives it. */
export type RunnerFn<C> = (
  component: C,
  signal: AbortSignal,
) => RunnerHandle | PromiseLike<RunnerHandle>;

/** A started runner. */
export interface RunningRunner {
  /** Resolves when the runner says it ended on its own; never rejects. */
  readonly ended: Promise<void>;
  /** Aborts its signal and closes its handle; never rejects. */
  close(report: (error: unknown) => void): Promise<void>;
}

const NEVER: Promise<void> = new Promise(() => {});

/**
 * Starts a runner.
 *
 * @throws {RunnerError} When it throws or rejects (its signal is aborted).
 */
export async function startRunner<C>(
  fn: RunnerFn<C>,
  component: C,
): Promise<RunningRunner> {
  const abort = new AbortController();
  let handle: RunnerHandle;
  try {
    handle = await fn(component, abort.signal);
  } catch (e) {
    abort.abort(new RunnerError("start", e));
    throw new RunnerError("start", e);
  }
  if (
    handle !== undefined && typeof handle !== "function" &&
    !(typeof handle === "object" && handle !== null &&
      (Symbol.asyncDispose in handle ||
        typeof (handle as { close?: unknown }).close === "function"))
  ) {
    const error = new RunnerError(
      "start",
      new TypeError(
        "expected the runner to return nothing, a function, an " +
          "AsyncDisposable or an object with close()",
      ),
    );
    abort.abort(error);
    throw error;
  }
  const closed = typeof handle === "object" && handle !== null &&
      "closed" in handle && handle.closed !== undefined
    ? Promise.resolve(handle.closed).then(() => {}, () => {})
    : NEVER;
  let closing: Promise<void> | undefined;
  return {
    ended: closed,
    close(report) {
      closing ??= (async () => {
        abort.abort(
          new DOMException("the component is not active", "AbortError"),
        );
        try {
          if (typeof handle === "function") {
            await handle();
          } else if (typeof handle === "object" && handle !== null) {
            if (Symbol.asyncDispose in handle) {
              await handle[Symbol.asyncDispose]();
            } else {
              await handle.close();
            }
          }
        } catch (e) {
          report(new RunnerError("close", e));
        }
      })();
      return closing;
    },
  };
}
