/**
 * What the layers above use of the WebAssembly core beyond its public API:
 * the eventer core (event_core.ts), which scans, holds and writes eventer
 * messages and storage records as bytes, and the client's writer of
 * register requests (register.ts). Not part of the package's API.
 *
 * @module
 */

export * from "./event_core.ts";
export * from "./register.ts";
