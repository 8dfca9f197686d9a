/**
 * The shapes of the chatter API: addresses, conversations, messages and the
 * options of a connection.
 *
 * @module
 */

/** A TCP address. */
export interface Address {
  /** Host name or literal IP address. */
  hostname: string;
  /** TCP port; 0 when listening asks for any free port. */
  port: number;
}

/**
 * A conversation, as seen from one side: a request and its replies, named by
 * the `id` of its first message. Two values with equal fields are the same
 * conversation.
 */
export interface Conversation {
  /** Whether this side sent the first message. */
  readonly owner: boolean;
  /** Id of the first message, as counted by the owner. */
  readonly firstId: number;
}

/** What the application sends and receives: a typed SBS payload. */
export interface MsgData {
  /** SBS type name of the payload, e.g. `HatEventer.MsgInitReq`. */
  readonly type: string;
  /** The payload's SBS encoding. */
  readonly data: Uint8Array;
}

/**
 * A received message, seen from the receiving side.
 *
 * Its `data` is usually a view of a larger receive buffer (64 KiB) shared
 * with other messages received at about the same time: no bytes are copied
 * per message. The bytes are never overwritten, so the view stays valid for
 * as long as it is kept, but keeping it keeps that whole buffer alive: use
 * `data.slice()` for small parts held for long, and `byteOffset` with
 * `data.buffer`.
 */
export interface Msg extends MsgData {
  /** Its conversation, from the receiver's side. */
  readonly conv: Conversation;
  /** Whether it opens its conversation. */
  readonly first: boolean;
  /** Whether it is the last message of its conversation. */
  readonly last: boolean;
  /** The token flag, carried for the reference implementation. */
  readonly token: boolean;
}

/** Options of {@linkcode Connection.send}. */
export interface SendOptions {
  /**
   * Conversation to reply in (as received in {@linkcode Msg.conv} or
   * returned by an earlier `send`); a new one when absent.
   */
  conv?: Conversation;
  /**
   * Whether this is the last message of the conversation.
   *
   * @default {true}
   */
  last?: boolean;
  /**
   * The token flag (eventer does not use it).
   *
   * @default {true}
   */
  token?: boolean;
}

/** Options of a connection (both for `connect` and for `listen`). */
export interface ConnectionOptions {
  /**
   * Seconds without receiving anything before a ping is sent; `0` or `null`
   * turns pings (and the timeout) off.
   *
   * @default {20}
   */
  pingDelay?: number | null;
  /**
   * Seconds to wait for anything to arrive after a ping before closing.
   *
   * @default {20}
   */
  pingTimeout?: number;
  /**
   * Received messages held for the application; when full the connection
   * stops reading the socket until the application receives.
   *
   * @default {1024}
   */
  receiveQueueSize?: number;
  /** Messages queued for writing; when full, `send` waits.
   *
   * @default {1024}
   */
  sendQueueSize?: number;
  /**
   * Bytes queued for writing above which `send` waits too (a single larger
   * message is still accepted into an empty queue).
   *
   * @default {4194304}
   */
  sendQueueBytes?: number;
  /**
   * Largest frame body accepted from the peer (and sent), in bytes; a peer
   * announcing more is cut off with a `ProtocolError` before anything of
   * that size is allocated.
   *
   * @default {67108864}
   */
  maxMessageSize?: number;
}
