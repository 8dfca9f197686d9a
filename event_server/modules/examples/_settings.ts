// What the example modules share: reading their settings (each problem
// named, so that `serve` says which setting is wrong) and a number out of
// an event's JSON payload.

import type {
  Event,
  EventType,
  JsonValue,
  QueryType,
} from "../../../event/mod.ts";
import type { ModuleConf } from "../types.ts";

/** The event types a module subscribes to: a non-empty array of query types. */
export function queryTypes(conf: ModuleConf, key: string): QueryType[] {
  const v = conf[key];
  if (
    !Array.isArray(v) || v.length === 0 ||
    !v.every((q) => Array.isArray(q) && q.every((s) => typeof s === "string"))
  ) {
    throw new TypeError(
      `"${key}" must be a non-empty array of event types like ` +
        `[["gateway", "?", "data", "*"]], got ${JSON.stringify(v)}`,
    );
  }
  return v as QueryType[];
}

/** A number setting (`undefined` when absent and optional). */
export function numberSetting(
  conf: ModuleConf,
  key: string,
  fallback?: number,
): number | undefined {
  const v = conf[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`"${key}" must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** An event type prefix setting. */
export function prefixSetting(
  conf: ModuleConf,
  key: string,
  fallback: string[],
): string[] {
  const v = conf[key];
  if (v === undefined) return fallback;
  if (
    !Array.isArray(v) || v.length === 0 ||
    !v.every((s) => typeof s === "string")
  ) {
    throw new TypeError(
      `"${key}" must be a non-empty array of strings, got ${JSON.stringify(v)}`,
    );
  }
  return v as string[];
}

/** The path of the payload field a module reads: `"a.b"`, or the whole data. */
export function fieldSetting(conf: ModuleConf): string[] {
  const v = conf.field;
  if (v === undefined || v === null || v === "") return [];
  if (typeof v !== "string") {
    throw new TypeError(
      `"field" must be a dotted path like "value" or "reading.value", got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v.split(".");
}

/** Whether a JSON value is an object (neither an array nor null). */
export function isJsonObject(
  v: JsonValue | undefined,
): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path` of an event's JSON payload (`undefined` if none). */
export function fieldOf(event: Event, path: readonly string[]): unknown {
  if (event.payload?.kind !== "json") return undefined;
  let v: JsonValue | undefined = event.payload.data;
  for (const key of path) {
    if (!isJsonObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

/** Whether `type` starts with `prefix`. */
export function startsWith(
  type: EventType,
  prefix: readonly string[],
): boolean {
  if (type.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (type[i] !== prefix[i]) return false;
  }
  return true;
}

/** A map key of an event type. */
export function typeKey(type: EventType): string {
  return JSON.stringify(type);
}
