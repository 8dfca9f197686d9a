/**
 * What the layers above use of the WebAssembly core beyond its public API:
 * the eventer core (event_core.ts), which scans, holds and writes eventer
 * messages and storage records as bytes. Not part of the package's API.
 *
 * @module
 */

export * from "./event_core.ts";
