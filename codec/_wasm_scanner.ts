// A scanner specialized to one type: the program of codec/_program.ts,
// written out as WebAssembly code (through codec/_wasm_emit.ts) instead of
// interpreted node by node by wasm/assembly/scan.ts. It validates with the
// same rules, reports the same error kinds and offsets, and writes the same
// tape (layout in wasm/assembly/scan.ts); the differential tests hold it to
// both the interpreter and the TypeScript decoder.
//
// Records, Arrays, Choices and one-byte Integers are inlined, so there is
// no dispatch; Integers of more bytes, lengths, Strings and Bytes call
// small functions of the module; each recursive named type is a function
// (it counts the nesting). UTF-8 checks of non-ASCII or long Strings call
// `utf8Check` of the main module, whose memory the scanner shares.
//
// The module imports "a"."memory" and "a"."utf8" and exports `scan(input,
// len, tapeAt, depthLimit, emptyLimit, trailing)` (the same contract as the
// interpreter's, without the program) and the global `errOffset`.

import { emitModule, Fn, Op } from "./_wasm_emit.ts";
import {
  bytesHelper,
  failHelper,
  intHelper,
  lenHelper,
  strHelper,
} from "./_wasm_scanner_helpers.ts";
import {
  context,
  F_FAIL,
  F_SCAN,
  G_BASE,
  G_DEPTH,
  G_EMPTY,
  G_END,
  G_ERR_KIND,
  G_ERR_OFFSET,
  G_MAX_DEPTH,
  G_TAPE,
  GLOBALS,
  T_ENTER,
  T_FAIL,
  T_LEN,
  T_PP,
  T_SCAN,
  TooLarge,
  TRAILING,
  TYPES,
} from "./_wasm_scanner_layout.ts";
import { Writer } from "./_wasm_scanner_writer.ts";

/**
 * The WebAssembly module of a scanner specialized to the program `code`
 * with its root at node `root`, or undefined when it would be too large
 * (then the interpreter serves the type).
 */
export function emitScanner(
  code: Int32Array,
  root: number,
): Uint8Array<ArrayBuffer> | undefined {
  const w = new Writer(code);
  try {
    const fns = [
      { type: T_FAIL, body: w.add(failHelper()) },
      { type: T_PP, body: w.add(intHelper()) },
      { type: T_LEN, body: w.add(lenHelper()) },
      { type: T_PP, body: w.add(strHelper()) },
      { type: T_PP, body: w.add(bytesHelper()) },
    ];
    // scan(input, len, tapeAt, depthLimit, emptyLimit, trailing)
    const f = new Fn(6);
    const P = f.local();
    f.get(0).gset(G_BASE);
    f.get(0).get(1).op(Op.i32_add).gset(G_END);
    f.get(2).gset(G_TAPE);
    f.get(3).gset(G_MAX_DEPTH);
    f.i32(0).gset(G_DEPTH);
    f.get(4).op(Op.i64_extend_i32_s).gset(G_EMPTY);
    f.i32(0).gset(G_ERR_KIND);
    f.i32(0).gset(G_ERR_OFFSET);
    f.get(0).set(P);
    const ctx = context(f, P);
    f.get(2).set(ctx.TP);
    w.value(f, ctx, root);
    f.get(5).op(Op.i32_eqz).if();
    f.get(P).gget(G_END).op(Op.i32_ne).if();
    f.i32(TRAILING).get(P).call(F_FAIL).br(ctx.FAIL);
    f.end();
    f.end();
    f.get(ctx.TP).get(2).op(Op.i32_sub).i32(2).op(Op.i32_shr_u)
      .op(Op.return);
    f.end();
    f.gget(G_ERR_KIND);
    fns.push({ type: T_SCAN, body: w.add(f) });
    for (let e = w.nextEnter(); e !== undefined; e = w.nextEnter()) {
      fns.push({ type: T_ENTER, body: w.add(w.enter(e)) });
    }
    return emitModule({
      types: TYPES,
      importFns: [{ name: "utf8", type: T_PP }],
      fns,
      globals: GLOBALS,
      exports: [
        { name: "scan", kind: "func", index: F_SCAN },
        { name: "errOffset", kind: "global", index: G_ERR_OFFSET },
      ],
    });
  } catch (e) {
    if (e instanceof TooLarge) return undefined;
    throw e;
  }
}
