// The options of the eventer client (client.ts), the callbacks they take,
// and their validation before the init request; public types, exported from
// client.ts.

import type { ConnectionOptions, ConnectTlsOptions } from "../chatter/mod.ts";
import type { Client } from "./_client_interface.ts";
import { type Codec, resolveCodec } from "./_codec.ts";
import type { Event, QueryType, Status } from "../event/mod.ts";
import { checkQueryTypes } from "./_common.ts";
import type { InitRequest } from "./_messages.ts";
import type {
  DisconnectCallback,
  ReconnectCallback,
  ReconnectOptions,
} from "./_reconnect_options.ts";

/**
 * Called with each status the server announces (Python `StatusCb`). The
 * client reads no further message until it returns (or its promise
 * settles); if it throws, the client closes.
 */
export type StatusCallback = (
  client: Client,
  status: Status,
) => void | Promise<void>;

/**
 * Called with each batch of notified events (Python `EventsCb`). The client
 * reads no further message until it returns (or its promise settles), and
 * acknowledges a batch the server asked an ack for only then; if it throws,
 * the client closes. Awaiting a `register`/`query` response inside it
 * deadlocks (as in Python): use {@linkcode Client.events} for that.
 */
export type EventsCallback = (
  client: Client,
  events: Event[],
) => void | Promise<void>;

/** Options of {@linkcode connect}; the chatter connection options apply too. */
export interface ClientOptions extends ConnectionOptions {
  /**
   * Which codec checks and decodes the server's messages: the WebAssembly
   * core (one Wasm call per notification or answer) or the TypeScript
   * reference. Both accept the same messages and give the same events.
   * Register requests are written by the TypeScript writer either way (see
   * the README's measurements).
   * @default {"wasm"}
   */
  codec?: Codec;
  /**
   * Aborts connecting, the init exchange included (not the connection once
   * made, nor a later reconnect).
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Connect over TLS with these settings; plain TCP when absent.
   * @default {undefined}
   */
  tls?: ConnectTlsOptions;
  /**
   * Token that identifies the client to the server, if any.
   * @default {null}
   */
  clientToken?: string | null;
  /**
   * Query types of the events to be notified of (`?` matches one segment,
   * a final `*` any number); empty for none.
   * @default {[]}
   */
  subscriptions?: Iterable<QueryType>;
  /**
   * Only events registered by this server are notified; `null` for all.
   * @default {null}
   */
  serverId?: number | null;
  /**
   * Whether events are notified only once persisted.
   * @default {false}
   */
  persisted?: boolean;
  /**
   * Status callback.
   * @default {undefined}
   */
  onStatus?: StatusCallback;
  /**
   * Events callback; without it, batches wait for {@linkcode Client.events}.
   * The events are the application's to keep: binary payload bytes are
   * copies, not views of the connection's receive buffers.
   * @default {undefined}
   */
  onEvents?: EventsCallback;
  /**
   * Without `onEvents`: how many batches wait for {@linkcode Client.events}
   * before the client stops reading from the connection.
   * @default {1024}
   */
  eventsQueueSize?: number;
  /**
   * Receives the errors the client handles by itself (a callback that
   * threw, a malformed or unexpected message); the client closes after
   * each of them.
   * @default {console.error}
   */
  onError?: (error: unknown) => void;
  /**
   * Reconnect when the connection drops (`true` for the defaults of
   * {@linkcode ReconnectOptions}): the addresses are tried in order, round
   * after round, with a capped, jittered backoff between rounds; the
   * subscriptions are restored, and a `persisted` subscriber catches up on
   * what it missed (see docs/failover.md). Without it, the client closes
   * when its connection does.
   * @default {false}
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * With `reconnect`: called on each reconnect.
   * @default {undefined}
   */
  onReconnect?: ReconnectCallback;
  /**
   * With `reconnect`: called each time the connection drops.
   * @default {undefined}
   */
  onDisconnect?: DisconnectCallback;
  /**
   * With `reconnect`: how long, in seconds, a `register`/`query` made while
   * the client reconnects waits for a connection before it rejects with a
   * `ConnectionError` (unsent); `Infinity` to wait until the client closes.
   * A call's `signal` can end the wait sooner.
   * @default {10}
   */
  requestTimeout?: number;
}

/** Options of {@linkcode Client.register} and {@linkcode Client.query}. */
export interface CallOptions {
  /**
   * Stops waiting: for a connection (while reconnecting), and for the
   * answer (the call rejects with the signal's reason; the server may
   * still act on a request already sent).
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * While a client made with `reconnect` reconnects: `false` rejects the
   * call at once with a `ConnectionError` instead of waiting for the next
   * connection (up to `requestTimeout`).
   * @default {true}
   */
  waitForConnection?: boolean;
}

/** Options of {@linkcode Client.query}. */
export type QueryOptions = CallOptions;

/** Options of {@linkcode Client.register}. */
export interface RegisterOptions extends CallOptions {
  /**
   * Whether to wait for the server's answer (the registered events, or
   * `null` when the registration failed).
   * @default {false}
   */
  withResponse?: boolean;
}

/**
 * Validates the client name and the options that go into the init request,
 * with `eventsQueueSize`; throws `TypeError`/`RangeError` naming the bad one.
 */
export function resolveClientOptions(
  clientName: string,
  options: ClientOptions,
): { init: InitRequest; queueSize: number; codec: Codec } {
  if (typeof clientName !== "string") {
    throw new TypeError(
      `Invalid client name: expected a string, got ${typeof clientName}`,
    );
  }
  const clientToken = options.clientToken ?? null;
  if (clientToken !== null && typeof clientToken !== "string") {
    throw new TypeError(
      `Invalid clientToken: expected a string or null, got ${typeof clientToken}`,
    );
  }
  const subscriptions = checkQueryTypes(
    options.subscriptions ?? [],
    "subscriptions",
  );
  const serverId = options.serverId ?? null;
  if (serverId !== null && !Number.isSafeInteger(serverId)) {
    throw new TypeError(
      `Invalid serverId: expected a safe integer or null, got ${serverId}`,
    );
  }
  const persisted = options.persisted ?? false;
  if (typeof persisted !== "boolean") {
    throw new TypeError(
      `Invalid persisted: expected a boolean, got ${typeof persisted}`,
    );
  }
  const queueSize = options.eventsQueueSize ?? 1024;
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) {
    throw new RangeError(
      `Invalid eventsQueueSize: expected a positive integer, got ${queueSize}`,
    );
  }
  return {
    init: { clientName, clientToken, subscriptions, serverId, persisted },
    queueSize,
    codec: resolveCodec(options.codec),
  };
}
