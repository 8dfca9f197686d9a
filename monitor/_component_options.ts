// The options of connectMonitor, their defaults and their checks, in one
// place.

import type { ConnectOptions } from "../chatter/mod.ts";
import type { RunnerFn } from "./_runner.ts";
import {
  type ObserverOptions,
  type ResolvedObserverOptions,
  resolveObserverOptions,
} from "./_observer_options.ts";
import type { MonitorComponent } from "./component.ts";
import type { JsonValue, MonitorState } from "./types.ts";

/**
 * The reconnect delay, in seconds: the Python eventer component's
 * (`hat.event.component`) `reconnect_delay`. The Python Event Server itself
 * does not reconnect to its monitor: it stops when the connection ends.
 */
export const DEFAULT_RECONNECT_DELAY = 0.5;

/** How a component reconnects after losing its monitor. */
export interface ReconnectOptions {
  /**
   * Seconds between a lost connection (or a failed attempt) and the next
   * attempt.
   *
   * @default {0.5}
   */
  delay?: number;
}

/** Options of {@linkcode connectMonitor}. */
export interface MonitorOptions extends ConnectOptions {
  /** The component's name, unique in its group by convention. */
  name: string;
  /** The component's group (the monitor blesses per group). */
  group: string;
  /**
   * JSON data published with the component; see
   * {@linkcode eventServerData} for what an Event Server publishes.
   *
   * @default {null}
   */
  data?: JsonValue;
  /**
   * Whether the component is ready to be blessed from the start (the
   * reference starts not ready; see {@linkcode MonitorComponent.setReady}).
   *
   * @default {false}
   */
  ready?: boolean;
  /**
   * Made each time the component becomes active, closed when it stops
   * being active (or the component closes). It gets the component and a
   * signal aborted when it is to stop, and returns how to close it: a
   * function, an `AsyncDisposable`, an object with `close()`, or nothing.
   * A returned object whose `closed` promise settles while the component
   * is still active closes the component, as in the reference; a runner
   * that throws closes it too.
   *
   * @default {undefined}
   */
  runner?: RunnerFn<MonitorComponent>;
  /**
   * Called with each new state: the group's state from the monitor, and
   * this component's `connected` and `active`. A returned promise is not
   * awaited; its rejection goes to `onError`.
   *
   * @default {undefined}
   */
  onState?: (state: MonitorState, component: MonitorComponent) => unknown;
  /**
   * Called when the monitor sends `MsgClose`; the component closes right
   * after (it does not reconnect).
   *
   * @default {undefined}
   */
  onCloseRequest?: (component: MonitorComponent) => unknown;
  /**
   * Reconnect after the monitor connection is lost: `true` (after
   * {@linkcode DEFAULT_RECONNECT_DELAY} seconds, then every as many seconds
   * until it succeeds), `{ delay }`, or `false` to close the component
   * instead, as the Python Event Server does.
   *
   * @default {true}
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Receives what goes wrong without closing the component: an invalid
   * message from the monitor (the connection is then dropped), a failed
   * reconnect (the first of a series), a runner that fails, a throwing
   * callback.
   *
   * @default {reports to console.error}
   */
  onError?: (error: unknown) => void;
}

/** Options checked once. */
export interface ResolvedMonitorOptions {
  observer: ResolvedObserverOptions;
  ready: boolean;
  /** Milliseconds; `null` when not reconnecting. */
  reconnectDelay: number | null;
}

function reconnectDelay(
  reconnect: MonitorOptions["reconnect"],
): number | null {
  if (reconnect === undefined || reconnect === true) {
    return DEFAULT_RECONNECT_DELAY * 1000;
  }
  if (reconnect === false) return null;
  if (typeof reconnect !== "object" || reconnect === null) {
    throw new TypeError(
      "Invalid reconnect: expected a boolean or { delay }",
    );
  }
  const delay = reconnect.delay ?? DEFAULT_RECONNECT_DELAY;
  if (typeof delay !== "number" || !(delay >= 0) || delay === Infinity) {
    throw new RangeError(
      `Invalid reconnect.delay ${delay}: expected seconds >= 0`,
    );
  }
  return delay * 1000;
}

/**
 * Checks the options of connectMonitor.
 *
 * @throws {TypeError} When an option is invalid.
 * @throws {RangeError} When a delay is out of range.
 */
export function resolveMonitorOptions(
  options: MonitorOptions,
): ResolvedMonitorOptions {
  const observer = resolveObserverOptions(options as ObserverOptions);
  const ready = options.ready ?? false;
  if (typeof ready !== "boolean") {
    throw new TypeError(`Invalid ready: expected a boolean`);
  }
  for (const name of ["runner", "onState", "onCloseRequest", "onError"]) {
    const fn = (options as unknown as Record<string, unknown>)[name];
    if (fn !== undefined && typeof fn !== "function") {
      throw new TypeError(`Invalid ${name}: expected a function`);
    }
  }
  return {
    observer,
    ready,
    reconnectDelay: reconnectDelay(options.reconnect),
  };
}
