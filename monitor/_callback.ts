// Calling an application's callbacks from a component: what one throws, or
// what the promise it returns rejects with, goes to the component's error
// reporter; a reporter that throws has nowhere left to report to.

/**
 * Calls `report` with `error`, ignoring what `report` itself throws.
 *
 * @param report The error reporter (`onError`).
 * @param error What to report.
 */
export function reportSafely(
  report: (error: unknown) => void,
  error: unknown,
): void {
  try {
    report(error);
  } catch {
    // A throwing reporter has nowhere left to report to.
  }
}

/**
 * Calls `fn`; what it throws, or what its promise rejects with, goes to
 * `report` (through {@linkcode reportSafely}).
 *
 * @param fn The application's callback, bound to its arguments.
 * @param report The error reporter (`onError`).
 */
export function callSafely(
  fn: () => unknown,
  report: (error: unknown) => void,
): void {
  try {
    const r = fn();
    if (r instanceof Promise) r.catch((e) => reportSafely(report, e));
  } catch (e) {
    reportSafely(report, e);
  }
}
