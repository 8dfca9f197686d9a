/**
 * Finding and importing engine modules: a configuration entry's `module`
 * resolved to an import specifier (a path relative to the configuration
 * file, an absolute path, a URL, or any other specifier Deno's dynamic
 * `import()` accepts), imported, and its `info` checked. Nothing of a
 * module runs here but its top-level code: modules are created when the
 * engine starts.
 *
 * @example
 * ```ts
 * import { loadModules, resolveModuleSpecifier } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(
 *   `${dir}/m.ts`,
 *   "export const info = { create: () => ({ subscription: [], process() {} }) };",
 * );
 * const url = resolveModuleSpecifier("./m.ts", new URL(`file://${dir}/server.json`));
 * const [loaded] = await loadModules([{ url, conf: { module: "./m.ts" } }]);
 * assert.equal(typeof loaded.info.create, "function");
 * assert.equal(loaded.index, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { ModuleLoadError } from "./errors.ts";
import type { ModuleConf, ModuleInfo } from "./types.ts";

/** A configured module: its entry and the specifier to import. */
export interface ModuleSpec {
  /** The specifier to import (resolved: a URL, or a bare specifier). */
  readonly url: string;
  /** The module's configuration entry, as written. */
  readonly conf: ModuleConf;
}

/** An imported module, ready to be created. */
export interface LoadedModule {
  /** Its index in the configuration (its source id). */
  readonly index: number;
  /** Its configuration entry. */
  readonly conf: ModuleConf;
  /** Its name in messages: `conf.module`. */
  readonly name: string;
  /** What it exports as `info`. */
  readonly info: ModuleInfo;
}

const WINDOWS_PATH = /^[A-Za-z]:[\\/]/;

/**
 * A `file:` URL of an absolute path (`/x/y` or `C:\x\y`).
 *
 * @param path The absolute path.
 * @returns Its URL.
 */
function fileUrl(path: string): string {
  const url = new URL("file:///");
  const posix = WINDOWS_PATH.test(path)
    ? `/${path.replaceAll("\\", "/")}`
    : path;
  // The pathname setter escapes `?` and `#` but keeps `%xx` as it is.
  url.pathname = posix.replaceAll("%", "%25");
  return url.href;
}

/**
 * Resolves a module's `module` entry to what `import()` is given:
 * `./x.ts` and `../x.ts` against `base` (the configuration file, or the
 * working directory), an absolute path to its `file:` URL, a URL
 * (`file:`, `https:`, `jsr:`, `npm:`, `data:` ...) as it is, and anything
 * else (a bare specifier of an import map) as it is.
 *
 * @param specifier The entry's `module`.
 * @param base What relative paths are relative to: a URL of a file (its
 * folder is used) or of a folder ending in `/`.
 * @returns The specifier to import.
 *
 * @example
 * ```ts
 * import { resolveModuleSpecifier } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * const base = new URL("file:///etc/hat/server.json");
 * assert.equal(resolveModuleSpecifier("./m/a.ts", base), "file:///etc/hat/m/a.ts");
 * assert.equal(resolveModuleSpecifier("/opt/b.ts", base), "file:///opt/b.ts");
 * assert.equal(resolveModuleSpecifier("https://x.test/c.ts", base), "https://x.test/c.ts");
 * assert.equal(resolveModuleSpecifier("jsr:@scope/mod", base), "jsr:@scope/mod");
 * ```
 */
export function resolveModuleSpecifier(
  specifier: string,
  base: URL | string,
): string {
  if (
    specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier.startsWith(".\\") || specifier.startsWith("..\\")
  ) {
    return new URL(specifier.replaceAll("\\", "/"), base).href;
  }
  if (specifier.startsWith("/") || WINDOWS_PATH.test(specifier)) {
    return fileUrl(specifier);
  }
  return specifier;
}

/**
 * The URL of the working directory (with its trailing `/`), what relative
 * module paths given on the command line are relative to.
 *
 * @returns The URL.
 *
 * @example
 * ```ts
 * import { cwdUrl } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(cwdUrl().endsWith("/"));
 * ```
 */
export function cwdUrl(): string {
  const url = fileUrl(Deno.cwd());
  return url.endsWith("/") ? url : `${url}/`;
}

/**
 * The `file:` URL of a path (relative to the working directory, or
 * absolute): what a configuration file's relative module paths are
 * relative to.
 *
 * @param path The path of the configuration file.
 * @returns Its URL.
 *
 * @example
 * ```ts
 * import { pathUrl } from "./loader.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pathUrl("/etc/hat/server.json"), "file:///etc/hat/server.json");
 * assert.ok(pathUrl("server.json").endsWith("/server.json"));
 * ```
 */
export function pathUrl(path: string): string {
  if (path.startsWith("/") || WINDOWS_PATH.test(path)) return fileUrl(path);
  return new URL(path.replaceAll("\\", "/"), cwdUrl()).href;
}

function describeExports(mod: Record<string, unknown>): string {
  const names = Object.keys(mod);
  return names.length === 0 ? "nothing" : names.join(", ");
}

/**
 * Imports the modules in configuration order and checks that each exports
 * an `info` object with a `create` function.
 *
 * @param specs The configured modules.
 * @returns The imported modules.
 * @throws {ModuleLoadError} For the first module that cannot be imported
 * (its message says why: not found, a syntax error, a throw in its
 * top-level code) or exports no usable `info`.
 *
 * @example
 * ```ts
 * import { loadModules } from "./loader.ts";
 * import { ModuleLoadError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const url = "data:text/javascript,export const nothing = 1;";
 * await assert.rejects(
 *   loadModules([{ url, conf: { module: "empty" } }]),
 *   (e) => e instanceof ModuleLoadError && /exports no "info"/.test(e.message),
 * );
 * ```
 */
export async function loadModules(
  specs: readonly ModuleSpec[],
): Promise<LoadedModule[]> {
  const loaded: LoadedModule[] = [];
  for (let index = 0; index < specs.length; index++) {
    const { url, conf } = specs[index];
    const name = conf.module;
    let mod: Record<string, unknown>;
    try {
      mod = await import(url);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new ModuleLoadError(
        name,
        index,
        `cannot import ${url}: ${message}`,
        { cause },
      );
    }
    const info = mod.info as Partial<ModuleInfo> | undefined;
    if (
      typeof info !== "object" || info === null ||
      typeof info.create !== "function"
    ) {
      throw new ModuleLoadError(
        name,
        index,
        `it exports no "info" object with a "create" function (it ` +
          `exports ${describeExports(mod)})`,
      );
    }
    loaded.push({ index, conf, name, info: info as ModuleInfo });
  }
  return loaded;
}
