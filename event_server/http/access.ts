/**
 * Who may use the HTTP part. With a token, a request carries it as
 * `Authorization: Bearer <token>`, or carries the session cookie that a
 * page request with `?token=<token>` set once (a browser's WebSocket
 * cannot send headers). The cookie holds an HMAC of the token, not the
 * token; it is HttpOnly and SameSite=Strict, and sent only over TLS when
 * the server has TLS. Requests from another site's page (an Origin that is
 * not this server) are refused, so a page elsewhere cannot use the cookie
 * of a browser that has it; on a loopback address, so are requests naming
 * another host (a page elsewhere reaching it by DNS rebinding).
 *
 * @example
 * ```ts
 * import { Access } from "./access.ts";
 * import assert from "node:assert/strict";
 *
 * const access = await Access.create("s3cret", false, false);
 * const url = new URL("http://10.0.0.5:23080/metrics");
 * const ask = (headers: HeadersInit) =>
 *   access.check(new Request(url, { headers }), url).kind;
 * assert.equal(ask({}), "deny");
 * assert.equal(ask({ authorization: "Bearer s3cret" }), "allow");
 * ```
 *
 * @module
 */

const COOKIE = "hat_eventer_session";
const encoder = new TextEncoder();

/** What {@linkcode Access.check} decided (`login`: the token was right in
 * the query: set the cookie and load the URL without it). */
export type Verdict =
  | { readonly kind: "allow" }
  | {
    readonly kind: "deny";
    readonly status: 401 | 403;
    readonly reason: string;
  }
  | {
    readonly kind: "login";
    readonly location: string;
    readonly cookie: string;
  };

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(
    /\//g,
    "_",
  ).replace(/=+$/, "");
}

/** Equal strings, compared in time that does not depend on where they differ. */
function same(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i % y.length] ?? 0);
  return diff === 0 && y.length > 0;
}

function cookieValue(header: string | null): string | null {
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) {
      return part.slice(eq + 1).trim();
    }
  }
  return null;
}

/**
 * Whether a host name or address is the loopback interface (`localhost`,
 * 127.0.0.0/8, `::1`; brackets of a URL's IPv6 host allowed).
 *
 * @param hostname A host name or IP address.
 * @returns Whether it is loopback.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./access.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("[::1]"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" ||
    h === "0:0:0:0:0:0:0:1" || /^127(\.\d{1,3}){3}$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The token rules of one HTTP server.
 *
 * @example A right token in the query sets the session cookie
 * ```ts
 * import { Access } from "./access.ts";
 * import assert from "node:assert/strict";
 *
 * const access = await Access.create("s3cret", false, true);
 * const url = new URL("http://127.0.0.1:23080/?token=s3cret");
 * const verdict = access.check(new Request(url), url);
 * assert.equal(verdict.kind, "login");
 * if (verdict.kind === "login") {
 *   assert.equal(verdict.location, "/");
 *   const cookie = verdict.cookie.split(";")[0];
 *   const next = new URL("http://127.0.0.1:23080/api/status");
 *   const again = access.check(new Request(next, { headers: { cookie } }), next);
 *   assert.equal(again.kind, "allow");
 * }
 * ```
 */
export class Access {
  #token: string | null;
  #session: string;
  #secure: boolean;
  #loopback: boolean;

  private constructor(
    token: string | null,
    session: string,
    secure: boolean,
    loopback: boolean,
  ) {
    this.#token = token;
    this.#session = session;
    this.#secure = secure;
    this.#loopback = loopback;
  }

  /**
   * The rules for `token` (null: every request is allowed).
   *
   * @param token The token, or null for none.
   * @param secure Whether the cookie is for TLS only.
   * @param loopback Whether only loopback host names are allowed in
   * requests (a server listening on loopback).
   * @returns The rules.
   */
  static async create(
    token: string | null,
    secure: boolean,
    loopback: boolean,
  ): Promise<Access> {
    let session = "";
    if (token !== null) {
      const key = await crypto.subtle.importKey(
        "raw",
        encoder.encode(token),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = await crypto.subtle.sign(
        "HMAC",
        key,
        encoder.encode("hat-eventer web session"),
      );
      session = base64url(new Uint8Array(mac));
    }
    return new Access(token, session, secure, loopback);
  }

  /** Whether requests need a token. */
  get guarded(): boolean {
    return this.#token !== null;
  }

  /**
   * Decides about a request.
   *
   * @param req The request.
   * @param url Its URL, parsed.
   * @returns Allow, deny (why), or log in (set the cookie).
   */
  check(req: Request, url: URL): Verdict {
    if (this.#loopback && !isLoopback(url.hostname)) {
      return {
        kind: "deny",
        status: 403,
        reason: `Host ${url.hostname} is not this server's loopback address`,
      };
    }
    const origin = req.headers.get("origin");
    if (origin !== null && origin !== url.origin) {
      return {
        kind: "deny",
        status: 403,
        reason: `Requests from ${origin} are not allowed`,
      };
    }
    if (this.#token === null) return { kind: "allow" };
    const query = url.searchParams.get("token");
    if (query !== null) {
      if (!same(query, this.#token) || req.method !== "GET") {
        return { kind: "deny", status: 401, reason: "Wrong token" };
      }
      const clean = new URL(url);
      clean.searchParams.delete("token");
      return {
        kind: "login",
        location: clean.pathname + clean.search,
        cookie: `${COOKIE}=${this.#session}; HttpOnly; SameSite=Strict; ` +
          `Path=/${this.#secure ? "; Secure" : ""}`,
      };
    }
    const auth = req.headers.get("authorization");
    if (auth !== null) {
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      return m !== null && same(m[1], this.#token)
        ? { kind: "allow" }
        : { kind: "deny", status: 401, reason: "Wrong token" };
    }
    const cookie = cookieValue(req.headers.get("cookie"));
    if (cookie !== null && same(cookie, this.#session)) {
      return { kind: "allow" };
    }
    return {
      kind: "deny",
      status: 401,
      reason: "A token is needed: send Authorization: Bearer <token>, " +
        "or open the page once as /?token=<token>",
    };
  }
}
