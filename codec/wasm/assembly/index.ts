// Entry of the WebAssembly core: few exports, numbers only. The TypeScript
// binding (codec/wasm/_instance.ts) allocates what it hands to the module
// with `alloc` and frees it with `free` (the heap is AssemblyScript's TLSF
// allocator, runtime "minimal", which no managed object uses).

export { errKind, errOffset, scan } from "./scan";
export { frames, framesEnd, framesErr } from "./frames";
// For the scanners that codec/wasm/_scanner.ts writes per type.
export { utf8Check } from "./utf8";
export {
  assign,
  batchClear,
  batchFree,
  batchNew,
  jsonJoin,
  packBinary,
  scanEvents,
  scanRegister,
} from "./events";
export { batchCount, writeEvents } from "./write";
export { writeRegister } from "./register";
export { writeRecords, writeStored } from "./records";
export {
  intern,
  typeBytes,
  typeCount,
  typeKind,
  typeLength,
  typeMemory,
} from "./types";

/** Allocates `size` bytes; traps when memory cannot grow. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** Frees what `alloc` gave. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
