// What the layers beside monitor/ may use of its private parts (STYLE.md):
// the runner wrapper, which the eventer component (component.ts) runs its
// application's runner with, as a monitor component runs its own, and the
// safe calls of an application's callbacks both components make.

export { callSafely, reportSafely } from "./_callback.ts";
export { type RunningRunner, startRunner } from "./_runner.ts";
