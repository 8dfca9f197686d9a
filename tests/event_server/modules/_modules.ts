// Shared setup of the module tests: an engine on a loopback port from 0
// with modules given as objects (no import), the failures it reports, and
// a subscriber that collects the notifications it gets.

import { connect } from "../../../client.ts";
import type { Event } from "../../../event/mod.ts";
import { type Engine, startEngine } from "../../../event_server/engine.ts";
import type {
  LoadedModule,
  ModuleError,
  ModuleInfo,
} from "../../../event_server/modules/internal_mod.ts";
import { MemoryStorage } from "../../../event_server/storage/mod.ts";
import type { Storage } from "../../../event_server/storage/mod.ts";

/** Loopback, any free port. */
export const ANY = { hostname: "127.0.0.1", port: 0 };

/** A module for {@linkcode loaded}: its info, and its settings. */
export type TestModule = ModuleInfo | {
  info: ModuleInfo;
  conf?: Record<string, unknown>;
  name?: string;
};

/** Modules as the loader would give them, in this order. */
export function loaded(...modules: TestModule[]): LoadedModule[] {
  return modules.map((m, index) => {
    const spec = "info" in m ? m : { info: m };
    const name = spec.name ?? `m${index}`;
    return {
      index,
      name,
      conf: { module: name, ...spec.conf } as LoadedModule["conf"],
      info: spec.info,
    };
  });
}

/** An engine with modules, and the module failures it reported. */
export interface ModuleEngineSetup extends AsyncDisposable {
  engine: Engine;
  failures: ModuleError[];
}

/** Starts an engine with `modules` on a memory storage. */
export async function startWith(
  modules: TestModule[],
  options: {
    moduleTimeout?: number;
    maxRegisterEvents?: number;
    storage?: Storage;
    status?: "operational" | "standby";
  } = {},
): Promise<ModuleEngineSetup> {
  const failures: ModuleError[] = [];
  const engine = await startEngine(ANY, {
    storage: options.storage ?? new MemoryStorage(),
    onError: () => {},
    modules: loaded(...modules),
    moduleTimeout: options.moduleTimeout,
    maxRegisterEvents: options.maxRegisterEvents,
    status: options.status,
    onModuleError: (error) => void failures.push(error),
  });
  return {
    engine,
    failures,
    [Symbol.asyncDispose]: () => engine.close(),
  };
}

/** A register event of `type` with `data` as JSON payload (or none). */
export function reg(type: string[], data?: unknown) {
  return {
    type,
    sourceTimestamp: null,
    payload: data === undefined
      ? null
      : { kind: "json" as const, data: data as string },
  };
}

/** JSON data of an event's payload (`undefined` without a JSON payload). */
export function dataOf(event: Event): unknown {
  return event.payload?.kind === "json" ? event.payload.data : undefined;
}

/**
 * A client subscribed to `types` that collects each notification it gets
 * (one array per message); `until(n)` resolves once `n` events arrived.
 */
export async function subscriber(
  engine: Engine,
  types: string[][],
  options: { persisted?: boolean; name?: string } = {},
) {
  const messages: Event[][] = [];
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const client = await connect(engine.addrs[0], options.name ?? "sub", {
    subscriptions: types,
    persisted: options.persisted,
    onEvents: (_c, events) => {
      messages.push(events);
      count += events.length;
      for (const w of waiters.filter((w) => count >= w.n)) w.resolve();
    },
  });
  return {
    client,
    messages,
    events: () => messages.flat(),
    until: (n: number) =>
      count >= n ? Promise.resolve() : new Promise<void>((resolve) => {
        waiters.push({ n, resolve });
      }),
    [Symbol.asyncDispose]: () => client.close(),
  };
}
