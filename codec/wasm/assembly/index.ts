// Entry of the SBS WebAssembly module: few exports, numbers only. The
// TypeScript binding (_instance.ts) owns the memory layout above heapBase().

export { errKind, errOffset, scan } from "./scan";
export { frames, framesEnd, framesErr } from "./frames";
// For the scanners that _scanner.ts writes per type.
export { utf8Check } from "./utf8";

/** First byte of linear memory that the module does not use itself. */
export function heapBase(): usize {
  return __heap_base;
}
