/// <reference lib="dom" />
// The page's requests to the JSON API (same origin; the session cookie, if
// any, goes with them).

/** An answer of the API that was an error: its status and message. */
export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** GETs or POSTs (with a JSON body) `path`; the answer's JSON. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    path,
    body === undefined ? {} : {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
  const value = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(
      res.status,
      (value as { error?: string } | null)?.error ?? res.statusText,
    );
  }
  return value as T;
}
