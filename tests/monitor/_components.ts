// Test helpers: components of the in-test monitor that record what their
// runners and callbacks saw.

import {
  type Address,
  connectMonitor,
  type MonitorComponent,
  type MonitorOptions,
  type MonitorState,
} from "../../monitor/mod.ts";
import { within } from "../_within.ts";

export interface Watched {
  component: MonitorComponent;
  /** Runner starts and closes, in order. */
  log: string[];
  errors: unknown[];
  /** Resolves when the component's state satisfies `pred`. */
  until(pred: (s: MonitorState) => boolean, what: string): Promise<void>;
}

/** A component whose runner logs `start` and `stop`. */
export async function watchedComponent(
  addr: Address,
  options: Partial<MonitorOptions> & { name: string },
): Promise<Watched> {
  const log: string[] = [];
  const errors: unknown[] = [];
  const component = await connectMonitor(addr, {
    group: "event",
    ready: true,
    reconnect: { delay: 0.02 },
    onError: (e) => errors.push(e),
    runner: () => {
      log.push("start");
      return () => {
        log.push("stop");
      };
    },
    ...options,
  });
  return {
    component,
    log,
    errors,
    until: (pred, what) =>
      within(
        (async () => {
          for await (const s of component.states()) if (pred(s)) return;
          throw new Error(`closed before ${what}`);
        })(),
        10_000,
        what,
      ),
  };
}
