// What the engine, the configuration and the server's start use of the
// module machinery (docs/modules.md): loading, the module step of the
// register path, and the rate-limited failure log.

export * from "./errors.ts";
export type * from "./types.ts";
export {
  cwdUrl,
  type LoadedModule,
  loadModules,
  type ModuleSpec,
  pathUrl,
  resolveModuleSpecifier,
} from "./loader.ts";
export {
  type ModuleFailures,
  ModuleRunner,
  type SessionHost,
} from "./runner.ts";
export { ObjectSession, type SessionEvents } from "./session.ts";
export { FailureLog } from "./failure_log.ts";
