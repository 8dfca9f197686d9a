/**
 * An engine module that watches a number in the payloads of configured
 * event types and registers an alarm event when it crosses a limit, and
 * another when it comes back (the clearing), with a hysteresis so that a
 * value hovering at the limit does not flap.
 *
 * ```json
 * {
 *   "modules": [{
 *     "module": "jsr:@hat/eventer/modules/threshold_alarm",
 *     "eventTypes": [["gateway", "?", "data", "temperature"]],
 *     "field": "value",
 *     "high": 80,
 *     "low": 5,
 *     "hysteresis": 2,
 *     "alarmPrefix": ["alarm"]
 *   }]
 * }
 * ```
 *
 * - `eventTypes` (required): the query types watched.
 * - `field`: where the number is in the JSON payload, a dotted path
 *   (`"reading.value"`); absent: the payload data itself. Events without
 *   a number there are ignored.
 * - `high`, `low`: the limits (at least one). A value above `high` (below
 *   `low`) is in alarm; it clears once at or below `high - hysteresis` (at
 *   or above `low + hysteresis`).
 * - `hysteresis`: default 0.
 * - `alarmPrefix`: the alarm of `gateway/x/data/temperature` is
 *   `alarm/gateway/x/data/temperature` (default `["alarm"]`). Events under
 *   the prefix are never watched, so a broad `eventTypes` cannot loop.
 *
 * The alarm event is registered in the same session as the value that
 * caused it, with that event's source timestamp and the JSON payload
 * `{"state": "high" | "low" | "normal", "value": 83.5, "limit": 80,
 * "cause": [server, session, instance]}` (`limit` is the limit crossed, or
 * left for `"normal"`). Only changes are registered. When the module is
 * created it reads the latest alarm event of each type, so that an alarm
 * raised before a restart is cleared after it.
 *
 * @example
 * ```ts
 * import { info } from "@hat/eventer/modules/threshold_alarm";
 * import assert from "node:assert/strict";
 *
 * const engine = {
 *   serverId: 1,
 *   register: () => Promise.resolve(null),
 *   query: () => Promise.resolve({ events: [], moreFollows: false }),
 *   clientNames: () => [],
 * };
 * const alarm = await info.create(
 *   { module: "threshold_alarm", eventTypes: [["t", "*"]], high: 80, hysteresis: 2 },
 *   engine,
 *   { type: "module", id: 0 },
 * );
 * let instance = 0;
 * const states = [79, 81, 79, 77.5, 90].map((value) => {
 *   const out = alarm.process({ type: "eventer", id: 1 }, {
 *     id: { server: 1, session: 1, instance: ++instance },
 *     type: ["t", "a"],
 *     timestamp: { s: 0, us: 0 },
 *     sourceTimestamp: null,
 *     payload: { kind: "json", data: value },
 *   }) as { payload: { data: { state: string } } }[] | null;
 *   return (out ?? []).map((e) => e.payload.data.state).join();
 * });
 * assert.deepEqual(states, ["", "high", "", "normal", "high"]);
 * ```
 *
 * @module
 */

import type { Event, EventType, RegisterEvent } from "../../../event/mod.ts";
import type { Module, ModuleConf, ModuleEngine, ModuleInfo } from "../types.ts";
import {
  fieldOf,
  fieldSetting,
  isJsonObject,
  numberSetting,
  prefixSetting,
  queryTypes,
  startsWith,
  TypeMap,
} from "./_settings.ts";

/** The state of a watched value. */
export type AlarmState = "high" | "low" | "normal";

/** The settings of the threshold alarm, as checked by `create`. */
export interface ThresholdAlarmSettings {
  /** The query types watched. */
  readonly eventTypes: readonly (readonly string[])[];
  /** The path of the number in the payload (empty: the data itself). */
  readonly field: readonly string[];
  /** The high limit, if any. */
  readonly high: number | undefined;
  /** The low limit, if any. */
  readonly low: number | undefined;
  /** How far back within a limit a value must come to clear. */
  readonly hysteresis: number;
  /** The prefix of alarm event types. */
  readonly alarmPrefix: readonly string[];
}

/**
 * Reads and checks the settings of the threshold alarm.
 *
 * @param conf The module's configuration entry.
 * @returns The settings.
 * @throws {TypeError} Naming the setting that is wrong.
 *
 * @example
 * ```ts
 * import { thresholdAlarmSettings } from "@hat/eventer/modules/threshold_alarm";
 * import assert from "node:assert/strict";
 *
 * const s = thresholdAlarmSettings({ module: "x", eventTypes: [["a"]], high: 1 });
 * assert.equal(s.hysteresis, 0);
 * assert.throws(() => thresholdAlarmSettings({ module: "x", eventTypes: [["a"]] }), /"high" or "low"/);
 * ```
 */
export function thresholdAlarmSettings(
  conf: ModuleConf,
): ThresholdAlarmSettings {
  const high = numberSetting(conf, "high");
  const low = numberSetting(conf, "low");
  if (high === undefined && low === undefined) {
    throw new TypeError('set "high" or "low" (or both): the limits to watch');
  }
  if (high !== undefined && low !== undefined && low >= high) {
    throw new TypeError(`"low" (${low}) must be below "high" (${high})`);
  }
  const hysteresis = numberSetting(conf, "hysteresis", 0)!;
  if (hysteresis < 0) {
    throw new TypeError(`"hysteresis" must be 0 or more, got ${hysteresis}`);
  }
  return {
    eventTypes: queryTypes(conf, "eventTypes"),
    field: fieldSetting(conf),
    high,
    low,
    hysteresis,
    alarmPrefix: prefixSetting(conf, "alarmPrefix", ["alarm"]),
  };
}

/**
 * The next state of a value, given its state so far.
 *
 * @param s The settings.
 * @param state The state so far.
 * @param value The new value.
 * @returns The new state.
 *
 * @example
 * ```ts
 * import { nextAlarmState, thresholdAlarmSettings } from "@hat/eventer/modules/threshold_alarm";
 * import assert from "node:assert/strict";
 *
 * const s = thresholdAlarmSettings({ module: "x", eventTypes: [["a"]], high: 10, hysteresis: 1 });
 * assert.equal(nextAlarmState(s, "normal", 10.5), "high");
 * assert.equal(nextAlarmState(s, "high", 9.5), "high");
 * assert.equal(nextAlarmState(s, "high", 9), "normal");
 * ```
 */
export function nextAlarmState(
  s: ThresholdAlarmSettings,
  state: AlarmState,
  value: number,
): AlarmState {
  if (s.high !== undefined && value > s.high) return "high";
  if (s.low !== undefined && value < s.low) return "low";
  if (state === "high" && value > s.high! - s.hysteresis) return "high";
  if (state === "low" && value < s.low! + s.hysteresis) return "low";
  return "normal";
}

class ThresholdAlarm implements Module {
  readonly subscription: readonly (readonly string[])[];
  readonly #s: ThresholdAlarmSettings;
  readonly #states: TypeMap<AlarmState>;

  constructor(s: ThresholdAlarmSettings, states: TypeMap<AlarmState>) {
    this.#s = s;
    this.subscription = s.eventTypes;
    this.#states = states;
  }

  process(_source: unknown, event: Event): RegisterEvent[] | null {
    const s = this.#s;
    if (startsWith(event.type, s.alarmPrefix)) return null;
    const value = fieldOf(event, s.field);
    if (typeof value !== "number" || Number.isNaN(value)) return null;
    const before = this.#states.get(event.type) ?? "normal";
    const state = nextAlarmState(s, before, value);
    if (state === before) return null;
    this.#states.set(event.type, state);
    const limit = state === "high" || before === "high" && state === "normal"
      ? s.high
      : s.low;
    const { server, session, instance } = event.id;
    return [{
      type: [...s.alarmPrefix, ...event.type],
      sourceTimestamp: event.sourceTimestamp,
      payload: {
        kind: "json",
        data: {
          state,
          value,
          limit: limit ?? null,
          cause: [server, session, instance],
        },
      },
    }];
  }
}

/** The alarm states stored before (the latest alarm event of each type). */
async function storedStates(
  engine: ModuleEngine,
  prefix: readonly string[],
): Promise<TypeMap<AlarmState>> {
  const states = new TypeMap<AlarmState>();
  const { events } = await engine.query({
    kind: "latest",
    eventTypes: [[...prefix, "*"]],
  });
  for (const e of events) {
    const data = e.payload?.kind === "json" ? e.payload.data : null;
    const state = isJsonObject(data) ? data.state : null;
    if (state === "high" || state === "low") {
      const watched: EventType = e.type.slice(prefix.length);
      states.set(watched, state);
    }
  }
  return states;
}

/** The threshold alarm module. */
export const info: ModuleInfo = {
  async create(conf, engine) {
    const settings = thresholdAlarmSettings(conf);
    return new ThresholdAlarm(
      settings,
      await storedStates(engine, settings.alarmPrefix),
    );
  },
};
