// The options of connectObserver (shared by connectMonitor), their
// defaults and their checks, in one place.

import type { ConnectOptions } from "../chatter/mod.ts";
import { dumpJson } from "./_json_dumps.ts";
import type { ObserverClient } from "./observer_client.ts";
import type { BlessingRes, JsonValue, ObserverState } from "./types.ts";

/** Options of {@linkcode connectObserver}. */
export interface ObserverOptions extends ConnectOptions {
  /** The component's name, unique in its group by convention. */
  name: string;
  /** The component's group (the monitor blesses per group). */
  group: string;
  /**
   * JSON data published with the component (an Event Server publishes
   * `{server_id, eventer_server: {host, port}, server_token}`).
   *
   * @default {null}
   */
  data?: JsonValue;
  /**
   * The blessing response sent with the first `MsgClient`.
   *
   * @default {{ token: null, ready: false }}
   */
  blessingRes?: BlessingRes;
  /**
   * Called with each new state the monitor sends (not for a repeat of the
   * previous one). A returned promise is not awaited; its rejection goes to
   * `onError`.
   *
   * @default {undefined}
   */
  onState?: (state: ObserverState, client: ObserverClient) => unknown;
  /**
   * Called when the monitor sends `MsgClose`; the client closes right
   * after.
   *
   * @default {undefined}
   */
  onCloseRequest?: (client: ObserverClient) => unknown;
  /**
   * Receives what goes wrong: an invalid message from the monitor (the
   * connection is then closed), a throwing callback.
   *
   * @default {reports to console.error}
   */
  onError?: (error: unknown) => void;
}

/** The state before the monitor sent any (and after a disconnect). */
export const EMPTY_OBSERVER_STATE: ObserverState = Object.freeze({
  cid: null,
  mid: null,
  info: null,
  components: Object.freeze([]),
});

/** Options checked and encoded once. */
export interface ResolvedObserverOptions {
  name: string;
  group: string;
  /** The data as Python's `json.dumps` writes it. */
  dataText: string;
  blessingRes: BlessingRes;
}

function checkString(v: unknown, name: string): string {
  if (typeof v !== "string") {
    throw new TypeError(`Invalid ${name}: expected a string, got ${typeof v}`);
  }
  return v;
}

/**
 * Checks a blessing response given by the application.
 *
 * @throws {TypeError} When it is not one.
 */
export function checkBlessingRes(res: unknown, name: string): BlessingRes {
  if (typeof res !== "object" || res === null) {
    throw new TypeError(`Invalid ${name}: expected { token, ready }`);
  }
  const { token, ready } = res as BlessingRes;
  if (token !== null && !Number.isSafeInteger(token)) {
    throw new TypeError(
      `Invalid ${name}.token ${token}: expected an integer or null`,
    );
  }
  if (typeof ready !== "boolean") {
    throw new TypeError(`Invalid ${name}.ready: expected a boolean`);
  }
  return { token, ready };
}

/**
 * Checks the options of {@linkcode connectObserver} (and of the monitor
 * component, which shares them).
 *
 * @throws {TypeError} When an option is invalid.
 */
export function resolveObserverOptions(
  options: ObserverOptions,
): ResolvedObserverOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Invalid options: expected { name, group, ... }");
  }
  return {
    name: checkString(options.name, "name"),
    group: checkString(options.group, "group"),
    dataText: dumpJson(options.data ?? null),
    blessingRes: checkBlessingRes(
      options.blessingRes ?? { token: null, ready: false },
      "blessingRes",
    ),
  };
}
