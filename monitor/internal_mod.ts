// What the layers beside monitor/ may use of its private parts (STYLE.md):
// the runner wrapper, which the eventer component (component.ts) runs its
// application's runner with, as a monitor component runs its own.

export { type RunningRunner, startRunner } from "./_runner.ts";
