// The JSON API the page uses (docs/web.md): the server's state, one level
// of the type tree, queries of the three kinds; and /healthz for load
// balancers and supervisors.

import type { Engine } from "../engine.ts";
import {
  BadRequestError,
  BodyTooLargeError,
  queryOf,
  typeOf,
  webEvent,
} from "./_json.ts";
import type { TypeLists } from "./_type_list.ts";
import type { WebQueryResult } from "./web_protocol.ts";

/** JSON payload text longer than this is cut in query answers. */
const QUERY_PREVIEW = 64 * 1024;
/** Most events in one page of a query's answer. */
const QUERY_PAGE = 1000;
/** Most children in one page of a type level. */
const TYPES_PAGE = 1000;
/** Largest query a page may send. */
const MAX_BODY = 1 << 20;

/** A JSON response. */
export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/** An error response in the API's form: `{ "error": message }`. */
export function jsonError(status: number, message: string): Response {
  return json({ error: message }, status);
}

function count(
  url: URL,
  name: string,
  fallback: number,
  max: number,
): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(n) || n < 0 || n > max) {
    throw new BadRequestError(
      `Invalid ${name}: expected an integer in 0..${max}, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return n;
}

/** `GET /api/types?prefix=[...]&offset=&limit=&match=`. */
export function typesResponse(
  engine: Engine,
  lists: TypeLists,
  url: URL,
): Response {
  const text = url.searchParams.get("prefix") ?? "[]";
  let prefix: unknown;
  try {
    prefix = JSON.parse(text);
  } catch {
    throw new BadRequestError(
      `Invalid prefix: expected a JSON array of strings, got ${text}`,
    );
  }
  const list = lists.list(
    engine.storage,
    typeOf(prefix, "prefix", false),
    count(url, "offset", 0, Number.MAX_SAFE_INTEGER),
    count(url, "limit", 200, TYPES_PAGE),
    url.searchParams.get("match") ?? "",
  );
  return json(list);
}

/**
 * A request's body as text, read no further than `max` bytes: a larger
 * one, declared or sent, is refused as soon as that is known.
 */
async function readBody(req: Request, max: number): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > max) {
    throw new BodyTooLargeError(
      `Query too large: ${declared} bytes, at most ${max} are taken`,
    );
  }
  if (req.body === null) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new BodyTooLargeError(
        `Query too large: more than ${max} bytes, at most ${max} are taken`,
      );
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** `POST /api/query` with a {@linkcode WebQuery} body. */
export async function queryResponse(
  engine: Engine,
  req: Request,
): Promise<Response> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) {
    throw new BadRequestError("Expected a JSON body (application/json)");
  }
  const text = await readBody(req, MAX_BODY);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new BadRequestError(`Invalid JSON: ${(cause as Error).message}`);
  }
  const params = queryOf(body, QUERY_PAGE);
  let result;
  try {
    result = engine.query(params, { jsonText: true });
  } catch (cause) {
    if (cause instanceof RangeError || cause instanceof TypeError) {
      throw new BadRequestError(cause.message, { cause });
    }
    throw cause;
  }
  // latest answers are not paged by the storage: page them here.
  const events = result.events.slice(0, QUERY_PAGE);
  const answer: WebQueryResult = {
    events: events.map((e) => webEvent(e, QUERY_PREVIEW)),
    moreFollows: result.moreFollows || result.events.length > QUERY_PAGE,
  };
  return json(answer);
}

/**
 * `GET /healthz`: 200 when the server is operational or standby and its
 * storage is open, 503 otherwise; the body says which.
 */
export function healthResponse(engine: Engine | null): Response {
  if (engine === null) {
    return json({ status: "starting", storage: "opening" }, 503);
  }
  const status = engine.status;
  const storage = engine.storage.isOpen ? "open" : "closed";
  const healthy = (status === "operational" || status === "standby") &&
    storage === "open";
  return json({ status, storage }, healthy ? 200 : 503);
}
