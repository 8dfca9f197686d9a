// The options of the eventer server (server.ts) and the callbacks they
// take; public types, exported from server.ts.

import type { ConnectionOptions, ListenTlsOptions } from "../chatter/mod.ts";
import type {
  Event,
  QueryParams,
  QueryResult,
  RegisterEvent,
  Status,
} from "../event/mod.ts";
import type { Codec } from "./_codec.ts";
import type { ConnectionInfo } from "./connection_info.ts";

/** Called when a client connects or disconnects (Python `ConnectionCb`). */
export type ConnectionCallback = (
  info: ConnectionInfo,
) => void | Promise<void>;

/**
 * Called with each register request (Python `RegisterCb`): gives the
 * registered events, or `null` (or nothing) for a failure. If it throws,
 * the error is reported and the client gets `failure` (when it asked for a
 * response).
 */
export type RegisterCallback = (
  info: ConnectionInfo,
  events: RegisterEvent[],
) => readonly Event[] | null | void | Promise<readonly Event[] | null | void>;

/**
 * Called with each query (Python `QueryCb`). If it throws, the error is
 * reported and that client's connection closes (the protocol has no error
 * answer to a query).
 */
export type QueryCallback = (
  info: ConnectionInfo,
  params: QueryParams,
) => QueryResult | Promise<QueryResult>;

/**
 * Options of {@linkcode listen}; the chatter connection options apply to
 * every connection.
 */
export interface ServerOptions extends ConnectionOptions {
  /**
   * Which codec checks register requests and writes what is built from
   * their bytes: the WebAssembly core (one Wasm call per request, the
   * received bytes copied once into its memory) or the TypeScript
   * reference. Both accept the same requests and give callbacks the same
   * values; notifications of events built by callbacks are written by the
   * TypeScript writer either way.
   * @default {"wasm"}
   */
  codec?: Codec;
  /**
   * Accept TLS with this certificate; plain TCP when absent.
   * @default {undefined}
   */
  tls?: ListenTlsOptions;
  /**
   * Initial status.
   * @default {"standby"}
   */
  status?: Status;
  /**
   * Called when a client sent its init request; if it throws, the client
   * is refused with the error's message.
   * @default {undefined}
   */
  onConnected?: ConnectionCallback;
  /**
   * Called when an accepted client's connection closed.
   * @default {undefined}
   */
  onDisconnected?: ConnectionCallback;
  /**
   * Register callback; without it, every registration fails. Binary payload
   * bytes of the register events are views of the connection's 64 KiB
   * receive buffers (never rewritten): `slice()` those kept for long.
   * @default {undefined}
   */
  onRegister?: RegisterCallback;
  /**
   * JSON payloads of register events reach `onRegister` as
   * {@linkcode JsonTextPayload}s: checked as JSON.parse would check them,
   * but kept as the received text, parsed only if `data` is read, and sent
   * on (notifications, responses) as the same bytes. A server that only
   * stores and forwards payloads then never parses or serializes them;
   * text such as `1e400` stays as it was. Like binary payloads, the text
   * is a view of a receive buffer.
   * @default {false}
   */
  jsonText?: boolean;
  /**
   * Query callback; without it, every query gets an empty result.
   * @default {undefined}
   */
  onQuery?: QueryCallback;
  /**
   * Seconds to wait for a refused client to close before closing.
   * @default {0.5}
   */
  closeTimeout?: number;
  /**
   * Register and query requests of one connection waiting for their turn
   * before the server stops reading that connection.
   * @default {1024}
   */
  requestQueueSize?: number;
  /**
   * Most connections (accepted sockets, initialized or not) held at once;
   * a connection beyond it is closed as soon as it is accepted (reported as
   * a {@linkcode ServerLimitError}).
   * @default {4096}
   */
  maxConnections?: number;
  /**
   * Seconds a new connection may take to send its `MsgInitReq`; a silent
   * or half-sent connection is closed after it (reported as a
   * {@linkcode ServerLimitError}).
   * @default {10}
   */
  initTimeout?: number;
  /**
   * Most events in one register request. A request over it is not passed
   * to `onRegister`: it gets a `failure` response, or, when the client
   * asked for no response, its connection is closed (reported as a
   * {@linkcode ServerLimitError}).
   * @default {100000}
   */
  maxRegisterEvents?: number;
  /**
   * Most events in one query result of a timeseries or server query: a
   * longer result from `onQuery` is cut to it and sent with `moreFollows:
   * true` (the client pages on with `lastEventId`). `onQuery` still gets
   * the client's params unchanged, so a storage that can should stop at
   * the cap itself. Latest queries are not capped (one event per type at
   * most). `Infinity` turns the cap off.
   * @default {10000}
   */
  maxQueryResults?: number;
  /**
   * Largest frame body accepted from a client, in bytes (the chatter
   * option, with a lower default on the server). A peer announcing more
   * is cut off before anything of that size is allocated.
   * @default {16777216}
   */
  maxMessageSize?: number;
  /**
   * Bytes waiting to be sent to one client above which it counts as slow
   * (the chatter option). Notifications never wait: one that would exceed
   * it disconnects that client (reported as a
   * {@linkcode SlowConsumerError}); responses wait, which pauses only that
   * client's requests.
   * @default {4194304}
   */
  sendQueueBytes?: number;
  /**
   * Receives the errors the server handles by itself (a callback that
   * threw, a malformed or unexpected message, a
   * {@linkcode SlowConsumerError} or {@linkcode ServerLimitError}), with
   * the connection's info when known.
   * @default {console.warn for SlowConsumerError and ServerLimitError, console.error otherwise}
   */
  onError?: (error: unknown, info: ConnectionInfo | null) => void;
}

/** Options of {@linkcode Server.notifyEvents}. */
export interface NotifyOptions {
  /**
   * Whether these events are persisted: only clients that asked for
   * persisted (or, when false, for new) events are notified.
   * @default {false}
   */
  persisted?: boolean;
  /**
   * Whether to ask each client for an ack and wait for all of them.
   * @default {false}
   */
  withAck?: boolean;
}
