/**
 * Chatter: the framed message transport under the Hat eventer protocol,
 * over TCP or TLS (`Deno.connect` / `Deno.listen`). Each message is a
 * `HatChatter.Msg` frame carrying a typed SBS payload in a conversation;
 * connections number their messages, answer and send keep-alive pings, and
 * bound what they buffer: a slow reader makes `send` wait, a slow
 * application makes the connection stop reading, and a frame above
 * `maxMessageSize` (64 MiB by default) closes its connection with a
 * `ProtocolError` before it is buffered.
 *
 * Limits: one address per server; `close()` discards messages not yet
 * written (`await drain()` first).
 *
 * @example Request and reply
 * ```ts
 * import { connect, listen } from "@hat/eventer/chatter";
 * import assert from "node:assert/strict";
 *
 * await using server = await listen(async (conn) => {
 *   for await (const req of conn) {
 *     await conn.send({ type: "Res", data: req.data.reverse() }, {
 *       conv: req.conv,
 *     });
 *   }
 * }, { hostname: "127.0.0.1", port: 0 });
 *
 * await using conn = await connect(server.addrs[0]);
 * const conv = await conn.send(
 *   { type: "Req", data: new Uint8Array([1, 2, 3]) },
 *   { last: false },
 * );
 * const res = await conn.receive();
 * assert.deepEqual(res.conv, conv);
 * assert.equal(res.type, "Res");
 * assert.deepEqual(res.data, new Uint8Array([3, 2, 1]));
 * ```
 *
 * @module
 */

export type {
  Address,
  ConnectionOptions,
  Conversation,
  Msg,
  MsgData,
  SendOptions,
} from "./types.ts";
export {
  ConnectionError,
  ProtocolError,
  SendQueueFullError,
} from "./errors.ts";
export { Connection } from "./connection.ts";
export {
  connect,
  type ConnectOptions,
  type ConnectTlsOptions,
} from "./connect.ts";
export {
  type ConnectionCallback,
  listen,
  type ListenOptions,
  type ListenTlsOptions,
  Server,
} from "./listen.ts";
export { CHATTER_SBS } from "./chatter_schema.ts";
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  encodeFrame,
  frameHeaderSize,
  FrameParser,
  type FrameParserOptions,
  MAX_LENGTH_BYTES,
  writeFrameHeader,
} from "./frame.ts";
export {
  decodeMsg,
  encodeMsg,
  MsgDecoder,
  type WireMsg,
  writeMsgFrame,
} from "./msg_codec.ts";
