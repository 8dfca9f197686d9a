// The JSON API the page uses (docs/web.md): the server's state, one level
// of the type tree, queries of the three kinds; and /healthz for load
// balancers and supervisors.

import type { Engine } from "../engine.ts";
import { BadRequestError, queryOf, typeOf, webEvent } from "./_json.ts";
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

/** `POST /api/query` with a {@linkcode WebQuery} body. */
export async function queryResponse(
  engine: Engine,
  req: Request,
): Promise<Response> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) {
    throw new BadRequestError("Expected a JSON body (application/json)");
  }
  const text = await req.text();
  if (text.length > MAX_BODY) {
    throw new BadRequestError(`Query too large: ${text.length} bytes`);
  }
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
