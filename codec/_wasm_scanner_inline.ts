// Code a specialized scanner (codec/_wasm_scanner.ts) writes in line:
// Integers and short ASCII Strings without a call.

import { type Fn, Op } from "./_wasm_emit.ts";
import { hashShort, sext7, storeInteger } from "./_wasm_scanner_helpers.ts";
import {
  type Ctx,
  F_INT,
  F_STR,
  G_BASE,
  HIGH_BITS,
  MAX_HASHED,
} from "./_wasm_scanner_layout.ts";

// An Integer in line: up to 8 bytes from one load; the integer() function
// for longer ones, the end of the input and errors.
export function inlineInteger(f: Fn, c: Ctx): void {
  const done = f.block();
  f.get(c.END).get(c.P).op(Op.i32_sub).i32(8).op(Op.i32_ge_u).if();
  f.get(c.P).mem("i64_load").tee(c.W).i64(HIGH_BITS).op(Op.i64_and)
    .tee(c.MASK).op(Op.i64_eqz, Op.i32_eqz).if();
  f.get(c.MASK).op(Op.i64_ctz, Op.i32_wrap_i64).i32(3).op(Op.i32_shr_u)
    .set(c.LAST);
  f.get(c.W).op(Op.i32_wrap_i64).set(c.B);
  sext7(f, c.B).op(Op.i64_extend_i32_s).set(c.V);
  f.i32(1).set(c.Q);
  {
    const brk = f.block();
    const l = f.loop();
    f.get(c.Q).get(c.LAST).op(Op.i32_gt_u).brIf(brk);
    f.get(c.V).i64(7n).op(Op.i64_shl);
    f.get(c.W).get(c.Q).i32(3).op(Op.i32_shl, Op.i64_extend_i32_u)
      .op(Op.i64_shr_u);
    f.i64(0x7fn).op(Op.i64_and, Op.i64_or).set(c.V);
    f.get(c.Q).i32(1).op(Op.i32_add).set(c.Q).br(l);
    f.end().end();
  }
  storeInteger(f, c.TP, c.V, c.P);
  f.get(c.P).get(c.LAST).op(Op.i32_add).i32(1).op(Op.i32_add).set(c.P);
  f.br(done);
  f.end();
  f.end();
  f.get(c.P).get(c.TP).call(F_INT).tee(c.P).op(Op.i32_eqz).brIf(c.FAIL);
  f.end();
  f.get(c.TP).i32(8).op(Op.i32_add).set(c.TP);
}

// A String in line when its length takes one byte and it is short ASCII;
// the string() function otherwise (and for errors).
export function inlineString(f: Fn, c: Ctx): void {
  const done = f.block();
  const slow = f.block();
  f.get(c.P).get(c.END).op(Op.i32_ge_u).brIf(slow);
  f.get(c.P).mem("i32_load8_u").tee(c.B).i32(0xc0).op(Op.i32_and).i32(0x80)
    .op(Op.i32_ne).brIf(slow);
  f.get(c.B).i32(0x3f).op(Op.i32_and).tee(c.LEN);
  f.get(c.END).get(c.P).op(Op.i32_sub).i32(1).op(Op.i32_sub)
    .op(Op.i32_gt_u).brIf(slow);
  f.get(c.P).i32(1).op(Op.i32_add).tee(c.START).get(c.LEN).op(Op.i32_add)
    .set(c.P);
  f.get(c.LEN).i32(MAX_HASHED).op(Op.i32_le_u).if();
  hashShort(f, c);
  f.else();
  // 33 to 63 bytes: no hash, only the ASCII check.
  f.i64(0n).set(c.H).i64(0n).set(c.HIGH);
  f.get(c.START).set(c.Q);
  {
    const brk = f.block();
    const l = f.loop();
    f.get(c.Q).i32(8).op(Op.i32_add).get(c.P).op(Op.i32_gt_u).brIf(brk);
    f.get(c.HIGH).get(c.Q).mem("i64_load").op(Op.i64_or).set(c.HIGH);
    f.get(c.Q).i32(8).op(Op.i32_add).set(c.Q).br(l);
    f.end().end();
  }
  f.get(c.Q).get(c.P).op(Op.i32_lt_u).if();
  f.get(c.HIGH).get(c.Q).mem("i64_load");
  f.i64(1n).get(c.P).get(c.Q).op(Op.i32_sub).i32(3).op(Op.i32_shl)
    .op(Op.i64_extend_i32_u, Op.i64_shl).i64(1n).op(Op.i64_sub);
  f.op(Op.i64_and, Op.i64_or).set(c.HIGH);
  f.end();
  f.end();
  f.get(c.HIGH).i64(HIGH_BITS).op(Op.i64_and, Op.i64_eqz).if();
  f.get(c.TP).get(c.START).gget(G_BASE).op(Op.i32_sub).mem("i32_store");
  f.get(c.TP).get(c.LEN).mem("i32_store", 4);
  f.get(c.TP).get(c.H).i64(32n).op(Op.i64_shr_u)
    .op(Op.i32_wrap_i64).mem("i32_store", 8);
  f.br(done);
  f.end();
  // Not ASCII: string() reads it again from its length.
  f.get(c.START).i32(1).op(Op.i32_sub).set(c.P);
  f.end();
  f.get(c.P).get(c.TP).call(F_STR).tee(c.P).op(Op.i32_eqz).brIf(c.FAIL);
  f.end();
  f.get(c.TP).i32(12).op(Op.i32_add).set(c.TP);
}
