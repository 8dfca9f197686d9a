// The options of the eventer client (client.ts), the callbacks they take,
// and their validation before the init request; public types, exported from
// client.ts.

import type { ConnectionOptions, ConnectTlsOptions } from "../chatter/mod.ts";
import type { Client } from "../client.ts";
import type { Event, QueryType, Status } from "../event/mod.ts";
import { checkQueryTypes } from "./_common.ts";
import type { InitRequest } from "./_messages.ts";

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
   * Aborts connecting (not the connection once made).
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
}

/** Options of {@linkcode Client.register}. */
export interface RegisterOptions {
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
): { init: InitRequest; queueSize: number } {
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
  };
}
