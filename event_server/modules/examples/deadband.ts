/**
 * An engine module that passes on a value only when it changed enough: for
 * each event of the configured types it registers a copy under an output
 * prefix when its number moved at least `deadband` from the last value
 * passed on (a last-value deadband filter), so that subscribers of the
 * output see a measurement's real changes and not its noise.
 *
 * ```json
 * {
 *   "modules": [{
 *     "module": "jsr:@hat/eventer/modules/deadband",
 *     "eventTypes": [["gateway", "?", "data", "*"]],
 *     "field": "value",
 *     "deadband": 0.5,
 *     "outputPrefix": ["filtered"]
 *   }]
 * }
 * ```
 *
 * - `eventTypes` (required): the query types filtered.
 * - `field`: where the number is in the JSON payload, a dotted path;
 *   absent: the payload data itself.
 * - `deadband` (required): the least change passed on (absolute, > 0).
 * - `outputPrefix`: the copy of `gateway/x/data/t` is `filtered/gateway/x/
 *   data/t` (default `["filtered"]`); events under it are never filtered.
 *
 * The first value of each type is passed on; an event without a number
 * at `field` is passed on when its payload differs from the last one
 * passed on (a state change such as `{"value": null, "quality": "bad"}`
 * is never swallowed). The copy keeps the payload and the source
 * timestamp and is registered in the same session. When created, the
 * module reads the latest copy of each type, so that a restart does not
 * pass on an unchanged value again.
 *
 * @example
 * ```ts
 * import { info } from "@hat/eventer/modules/deadband";
 * import assert from "node:assert/strict";
 *
 * const engine = {
 *   serverId: 1,
 *   register: () => Promise.resolve(null),
 *   query: () => Promise.resolve({ events: [], moreFollows: false }),
 *   clientNames: () => [],
 * };
 * const filter = await info.create(
 *   { module: "deadband", eventTypes: [["t", "*"]], deadband: 1 },
 *   engine,
 *   { type: "module", id: 0 },
 * );
 * let instance = 0;
 * const passed = [10, 10.4, 10.9, 11, 9.9, 10.5].filter((value) =>
 *   filter.process({ type: "eventer", id: 1 }, {
 *     id: { server: 1, session: 1, instance: ++instance },
 *     type: ["t", "a"],
 *     timestamp: { s: 0, us: 0 },
 *     sourceTimestamp: null,
 *     payload: { kind: "json", data: value },
 *   }) !== null
 * );
 * assert.deepEqual(passed, [10, 11, 9.9]);
 * ```
 *
 * @module
 */

import type { Event, JsonValue, RegisterEvent } from "../../../event/mod.ts";
import type { Module, ModuleConf, ModuleEngine, ModuleInfo } from "../types.ts";
import {
  fieldOf,
  fieldSetting,
  numberSetting,
  prefixSetting,
  queryTypes,
  startsWith,
  TypeMap,
} from "./_settings.ts";

/** The settings of the deadband filter, as checked by `create`. */
export interface DeadbandSettings {
  /** The query types filtered. */
  readonly eventTypes: readonly (readonly string[])[];
  /** The path of the number in the payload (empty: the data itself). */
  readonly field: readonly string[];
  /** The least change passed on. */
  readonly deadband: number;
  /** The prefix of the copies' event types. */
  readonly outputPrefix: readonly string[];
}

/**
 * Reads and checks the settings of the deadband filter.
 *
 * @param conf The module's configuration entry.
 * @returns The settings.
 * @throws {TypeError} Naming the setting that is wrong.
 *
 * @example
 * ```ts
 * import { deadbandSettings } from "@hat/eventer/modules/deadband";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   deadbandSettings({ module: "x", eventTypes: [["a"]], deadband: 2 }).outputPrefix,
 *   ["filtered"],
 * );
 * assert.throws(() => deadbandSettings({ module: "x", eventTypes: [["a"]] }), /"deadband"/);
 * ```
 */
export function deadbandSettings(conf: ModuleConf): DeadbandSettings {
  const deadband = numberSetting(conf, "deadband");
  if (deadband === undefined || !(deadband > 0)) {
    throw new TypeError(
      `"deadband" must be a number above 0, got ${
        JSON.stringify(conf.deadband)
      }`,
    );
  }
  return {
    eventTypes: queryTypes(conf, "eventTypes"),
    field: fieldSetting(conf),
    deadband,
    outputPrefix: prefixSetting(conf, "outputPrefix", ["filtered"]),
  };
}

/** What was last passed on for a type: its number, or its payload text. */
type Last = { value: number } | { text: string };

function lastOf(event: Event, field: readonly string[]): Last {
  const value = fieldOf(event, field);
  if (typeof value === "number" && !Number.isNaN(value)) return { value };
  const payload = event.payload;
  return {
    text: payload === null
      ? "null"
      : payload.kind === "json"
      ? JSON.stringify(payload.data as JsonValue)
      : `${payload.type}:${Array.from(payload.data).join(",")}`,
  };
}

class Deadband implements Module {
  readonly subscription: readonly (readonly string[])[];
  readonly #s: DeadbandSettings;
  readonly #last: TypeMap<Last>;

  constructor(s: DeadbandSettings, last: TypeMap<Last>) {
    this.#s = s;
    this.subscription = s.eventTypes;
    this.#last = last;
  }

  process(_source: unknown, event: Event): RegisterEvent[] | null {
    const s = this.#s;
    if (startsWith(event.type, s.outputPrefix)) return null;
    const now = lastOf(event, s.field);
    const before = this.#last.get(event.type);
    if (before !== undefined) {
      if ("value" in now && "value" in before) {
        if (Math.abs(now.value - before.value) < s.deadband) return null;
      } else if (
        "text" in now && "text" in before && now.text === before.text
      ) {
        return null;
      }
    }
    this.#last.set(event.type, now);
    return [{
      type: [...s.outputPrefix, ...event.type],
      sourceTimestamp: event.sourceTimestamp,
      payload: event.payload,
    }];
  }
}

/** What was passed on before (the latest copy of each type). */
async function storedLast(
  engine: ModuleEngine,
  s: DeadbandSettings,
): Promise<TypeMap<Last>> {
  const last = new TypeMap<Last>();
  const { events } = await engine.query({
    kind: "latest",
    eventTypes: [[...s.outputPrefix, "*"]],
  });
  for (const e of events) {
    last.set(e.type.slice(s.outputPrefix.length), lastOf(e, s.field));
  }
  return last;
}

/** The deadband filter module. */
export const info: ModuleInfo = {
  async create(conf, engine) {
    const settings = deadbandSettings(conf);
    return new Deadband(settings, await storedLast(engine, settings));
  },
};
