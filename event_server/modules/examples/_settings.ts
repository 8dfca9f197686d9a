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

interface TypeNode<V> {
  value: V | undefined;
  children: Map<string, TypeNode<V>> | null;
}

/**
 * A map by event type, segment by segment: looking a type up builds no
 * key (an event type's strings joined would cost as much as the rest of
 * what a module does with an event).
 */
export class TypeMap<V> {
  #root: TypeNode<V> = { value: undefined, children: null };

  /** The value of `type`, if any. */
  get(type: EventType): V | undefined {
    let node: TypeNode<V> | undefined = this.#root;
    for (let i = 0; i < type.length && node !== undefined; i++) {
      node = node.children?.get(type[i]);
    }
    return node?.value;
  }

  /** Sets the value of `type`. */
  set(type: EventType, value: V): void {
    let node = this.#root;
    for (const segment of type) {
      const children: Map<string, TypeNode<V>> = node.children ??= new Map();
      let next = children.get(segment);
      if (next === undefined) {
        next = { value: undefined, children: null };
        children.set(segment, next);
      }
      node = next;
    }
    node.value = value;
  }
}
