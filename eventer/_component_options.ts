// The options of connectComponent (component.ts), the callbacks they take,
// their defaults and their checks, in one place; public types, exported
// from component.ts.

import type { ConnectOptions } from "../chatter/mod.ts";
import type { Event, Status } from "../event/mod.ts";
import type {
  EventServerComponent,
  JsonValue,
  MonitorState,
} from "../monitor/mod.ts";
import type { Client } from "./_client_interface.ts";
import type { ClientOptions } from "./_client_options.ts";
import type { EventerComponent } from "../component.ts";

/**
 * What a component's runner returns: how to close it. A function, an
 * `AsyncDisposable`, an object with `close()` (whose optional `closed`
 * promise says the runner ended on its own: the component then closes),
 * or nothing when the signal it was given is enough.
 */
export type ComponentRunnerHandle =
  | void
  | undefined
  | (() => unknown)
  | AsyncDisposable
  | { close(): unknown; readonly closed?: PromiseLike<unknown> };

/**
 * Made each time the component has a client connected to the active Event
 * Server (Python `RunnerCb`): it gets the component, the server's data,
 * the client, and a signal aborted when it is to stop; it is closed when
 * the client closes or another server becomes active, and made again for
 * the next one.
 */
export type ComponentRunner = (
  component: EventerComponent,
  server: EventServerComponent,
  client: Client,
  signal: AbortSignal,
) => ComponentRunnerHandle | PromiseLike<ComponentRunnerHandle>;

/** Options of {@linkcode connectComponent}: the eventer client's apply too. */
export interface ComponentOptions extends
  Omit<
    ClientOptions,
    | "onStatus"
    | "onEvents"
    | "onError"
    | "reconnect"
    | "onReconnect"
    | "onDisconnect"
    | "requestTimeout"
  > {
  /** This component's name in its monitor group. */
  name: string;
  /** This component's monitor group (the monitor blesses it in there). */
  group: string;
  /** The monitor group of the Event Servers. */
  serverGroup: string;
  /** The eventer client's name. */
  clientName: string;
  /** Runs while connected to the active Event Server. */
  runner: ComponentRunner;
  /**
   * JSON data this component publishes in its group.
   * @default {null}
   */
  data?: JsonValue;
  /**
   * Whether the component is ready to be blessed from the start (as in
   * the reference, it starts not ready: call
   * {@linkcode EventerComponent.setReady}). It connects to an Event
   * Server only while active: ready, and blessed in its own group.
   * @default {false}
   */
  ready?: boolean;
  /**
   * Only events of this server id are notified; `null` for every server.
   * @default {the active server's id, as in the reference}
   */
  serverId?: number | null;
  /**
   * Seconds between a failed or lost eventer connection and the next
   * attempt (the reference's `reconnect_delay`).
   * @default {0.5}
   */
  reconnectDelay?: number;
  /**
   * Reconnect to the monitor after a lost connection: `true` (every
   * 0.5 s), `{ delay }`, or `false` to close the component instead, as
   * the reference's monitor component does.
   * @default {true}
   */
  monitorReconnect?: boolean | { delay?: number };
  /**
   * Chatter options of the monitor connection (TLS, pings).
   * @default {{}}
   */
  monitorConnection?: ConnectOptions;
  /**
   * Called with each new state of the monitor group (Python `StateCb`).
   * @default {undefined}
   */
  onState?: (component: EventerComponent, state: MonitorState) => unknown;
  /**
   * Called when the monitor sends `MsgClose` (Python `CloseReqCb`).
   * @default {undefined}
   */
  onCloseRequest?: (component: EventerComponent) => unknown;
  /**
   * Called with each status the active server announces (Python
   * `StatusCb`); the client reads no further message until it returns.
   * @default {undefined}
   */
  onStatus?: (
    component: EventerComponent,
    client: Client,
    status: Status,
  ) => void | Promise<void>;
  /**
   * Called with each batch of notified events (Python `EventsCb`); without
   * it, the runner reads them from `client.events()`.
   * @default {undefined}
   */
  onEvents?: (
    component: EventerComponent,
    client: Client,
    events: Event[],
  ) => void | Promise<void>;
  /**
   * Receives what goes wrong without closing the component: a failed
   * connection to the server (the first of a series), a runner that failed
   * to close, a throwing callback, monitor errors.
   * @default {reports to console.error}
   */
  onError?: (error: unknown) => void;
}

/** The checked options. */
export interface ResolvedComponentOptions {
  /** Milliseconds. */
  reconnectDelay: number;
  /** The eventer client's options, without the component's own. */
  client: ClientOptions;
  /** Whether `serverId` was given (else the active server's id). */
  serverId: number | null | undefined;
}

/**
 * Checks the component's own options; the monitor's and the client's are
 * checked where they are used.
 *
 * @throws {TypeError} When one is of the wrong type.
 * @throws {RangeError} When `reconnectDelay` is out of range.
 */
export function resolveComponentOptions(
  options: ComponentOptions,
): ResolvedComponentOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Invalid options: expected an object");
  }
  for (const key of ["name", "group", "serverGroup", "clientName"] as const) {
    if (typeof options[key] !== "string") {
      throw new TypeError(
        `Invalid ${key}: expected a string, got ${typeof options[key]}`,
      );
    }
  }
  for (
    const key of [
      "runner",
      "onState",
      "onCloseRequest",
      "onStatus",
      "onEvents",
      "onError",
    ] as const
  ) {
    const fn = options[key];
    if ((key === "runner" || fn !== undefined) && typeof fn !== "function") {
      throw new TypeError(`Invalid ${key}: expected a function`);
    }
  }
  const delay = options.reconnectDelay ?? 0.5;
  if (typeof delay !== "number" || !(delay >= 0) || delay === Infinity) {
    throw new RangeError(
      `Invalid reconnectDelay ${delay}: expected seconds >= 0`,
    );
  }
  const {
    name: _name,
    group: _group,
    serverGroup: _serverGroup,
    clientName: _clientName,
    runner: _runner,
    data: _data,
    ready: _ready,
    serverId,
    reconnectDelay: _reconnectDelay,
    monitorReconnect: _monitorReconnect,
    monitorConnection: _monitorConnection,
    onState: _onState,
    onCloseRequest: _onCloseRequest,
    onStatus: _onStatus,
    onEvents: _onEvents,
    onError: _onError,
    signal: _signal,
    ...client
  } = options;
  return { reconnectDelay: delay * 1000, client, serverId };
}
