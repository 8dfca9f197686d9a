// The small functions of a specialized scanner module that the inlined
// code calls (codec/_wasm_scanner.ts): fail, integer, length, string and
// bytes, each as its counterpart in wasm/assembly/scan.ts, and the hash of
// short Strings they share with the inlined code.

import { Fn, I64, Op } from "./_wasm_emit.ts";
import {
  ACC_MAX,
  type Ctx,
  F_FAIL,
  F_INT,
  F_LEN,
  F_UTF8,
  FNV_PRIME,
  G_BASE,
  G_COUNT,
  G_EMPTY,
  G_END,
  G_ERR_KIND,
  G_ERR_OFFSET,
  GOLDEN,
  HIGH_BITS,
  INT_BIG,
  LENGTH,
  LIMIT,
  MAX_HASHED,
  MAX_INTEGER_BYTES,
  SAFE_MAX,
  TRUNCATED,
  UTF8,
} from "./_wasm_scanner_layout.ts";

export function failHelper(): Fn {
  const f = new Fn(2);
  f.get(0).gset(G_ERR_KIND);
  f.get(1).gget(G_BASE).op(Op.i32_sub).gset(G_ERR_OFFSET);
  return f;
}

// Calls fail(kind, at) and returns 0 from a helper.
export function ret0(f: Fn, kind: number, at: number): void {
  f.i32(kind).get(at).call(F_FAIL).i32(0).op(Op.return);
}

// Writes [hi, lo] of the i64 in `v` (or [INT_BIG, start - base]) at tp.
export function storeInteger(
  f: Fn,
  tp: number,
  v: number,
  start: number,
  big?: number,
): void {
  if (big !== undefined) f.get(big);
  else f.i32(0);
  f.get(v).i64(SAFE_MAX).op(Op.i64_gt_s).op(Op.i32_or);
  f.get(v).i64(-SAFE_MAX).op(Op.i64_lt_s).op(Op.i32_or);
  f.if();
  f.get(tp).i32(INT_BIG).mem("i32_store");
  f.get(tp).get(start).gget(G_BASE).op(Op.i32_sub).mem("i32_store", 4);
  f.else();
  f.get(tp).get(v).i64(32n).op(Op.i64_rotr).mem("i64_store");
  f.end();
}

// v = the low 7 bits of b, sign-extended, as i64.
export function sext7(f: Fn, b: number): Fn {
  return f.get(b).i32(25).op(Op.i32_shl).i32(25).op(Op.i32_shr_s);
}

/** integer(p, tp): as integer() and integerLong() of scan.ts. */
export function intHelper(): Fn {
  const f = new Fn(2);
  const [P, TP] = [0, 1];
  const B = f.local();
  const START = f.local();
  const LAST = f.local();
  const K = f.local();
  const BIG = f.local();
  const W = f.local(I64);
  const MASK = f.local(I64);
  const V = f.local(I64);
  f.get(P).gget(G_END).op(Op.i32_ge_u).if();
  ret0(f, TRUNCATED, P);
  f.end();
  f.get(P).set(START);
  f.get(P).mem("i32_load8_u").tee(B).i32(0x80).op(Op.i32_and).if();
  f.get(TP);
  sext7(f, B).tee(B).i32(31).op(Op.i32_shr_s).mem("i32_store");
  f.get(TP).get(B).mem("i32_store", 4);
  f.get(P).i32(1).op(Op.i32_add).op(Op.return);
  f.end();
  // Up to 8 bytes from one load.
  f.gget(G_END).get(P).op(Op.i32_sub).i32(8).op(Op.i32_ge_u).if();
  f.get(P).mem("i64_load").tee(W).i64(HIGH_BITS).op(Op.i64_and).tee(MASK);
  f.op(Op.i64_eqz, Op.i32_eqz).if();
  f.get(MASK).op(Op.i64_ctz, Op.i32_wrap_i64).i32(3).op(Op.i32_shr_u)
    .set(LAST);
  sext7(f, B).op(Op.i64_extend_i32_s).set(V);
  f.i32(1).set(K);
  {
    const brk = f.block();
    const l = f.loop();
    f.get(K).get(LAST).op(Op.i32_gt_u).brIf(brk);
    f.get(V).i64(7n).op(Op.i64_shl);
    f.get(W).get(K).i32(3).op(Op.i32_shl, Op.i64_extend_i32_u, Op.i64_shr_u);
    f.i64(0x7fn).op(Op.i64_and, Op.i64_or).set(V);
    f.get(K).i32(1).op(Op.i32_add).set(K).br(l);
    f.end().end();
  }
  storeInteger(f, TP, V, START);
  f.get(P).get(LAST).op(Op.i32_add).i32(1).op(Op.i32_add).op(Op.return);
  f.end();
  f.end();
  // Longer, or near the end of the input.
  f.get(P).i32(1).op(Op.i32_add).set(P);
  sext7(f, B).op(Op.i64_extend_i32_s).set(V);
  {
    const brk = f.block();
    const l = f.loop();
    f.get(B).i32(0x80).op(Op.i32_and).brIf(brk);
    f.get(P).gget(G_END).op(Op.i32_ge_u).if();
    ret0(f, TRUNCATED, START);
    f.end();
    f.get(P).get(START).op(Op.i32_sub).i32(MAX_INTEGER_BYTES)
      .op(Op.i32_ge_u).if();
    ret0(f, LIMIT, START);
    f.end();
    f.get(P).mem("i32_load8_u").set(B);
    f.get(P).i32(1).op(Op.i32_add).set(P);
    f.get(BIG).op(Op.i32_eqz).if();
    f.get(V).i64(ACC_MAX).op(Op.i64_gt_s);
    f.get(V).i64(-ACC_MAX).op(Op.i64_lt_s).op(Op.i32_or).if();
    f.i32(1).set(BIG);
    f.else();
    f.get(V).i64(7n).op(Op.i64_shl);
    f.get(B).i32(0x7f).op(Op.i32_and, Op.i64_extend_i32_u, Op.i64_or).set(V);
    f.end();
    f.end();
    f.br(l);
    f.end().end();
  }
  storeInteger(f, TP, V, START, BIG);
  f.get(P);
  return f;
}

/** length(p, tp, unit): as readLength() of scan.ts; the count in G_COUNT. */
export function lenHelper(): Fn {
  const f = new Fn(3);
  const [P, TP, UNIT] = [0, 1, 2];
  const B = f.local();
  const AT = f.local();
  const N = f.local(I64);
  const countEmpty = (n: () => void, at: number) => {
    f.gget(G_EMPTY);
    n();
    f.op(Op.i64_sub).gset(G_EMPTY);
    f.gget(G_EMPTY).i64(0n).op(Op.i64_lt_s).if();
    ret0(f, LIMIT, at);
    f.end();
  };
  f.get(P).gget(G_END).op(Op.i32_lt_u).if();
  f.get(P).mem("i32_load8_u").tee(B).i32(0xc0).op(Op.i32_and).i32(0x80)
    .op(Op.i32_eq).if();
  f.get(B).i32(0x3f).op(Op.i32_and).set(B);
  f.get(UNIT).if();
  f.get(B).op(Op.i64_extend_i32_u).get(UNIT).op(Op.i64_extend_i32_u)
    .op(Op.i64_mul);
  f.gget(G_END).get(P).op(Op.i32_sub).i32(1).op(Op.i32_sub)
    .op(Op.i64_extend_i32_u).op(Op.i64_gt_u).if();
  ret0(f, LENGTH, P);
  f.end();
  f.else();
  countEmpty(() => f.get(B).op(Op.i64_extend_i32_u), P);
  f.end();
  f.get(B).gset(G_COUNT);
  f.get(P).i32(1).op(Op.i32_add).op(Op.return);
  f.end();
  f.end();
  f.get(P).set(AT);
  f.get(P).get(TP).call(F_INT).tee(P).op(Op.i32_eqz).if();
  f.i32(0).op(Op.return);
  f.end();
  f.get(TP).mem("i32_load").tee(B).i32(0).op(Op.i32_lt_s).if();
  ret0(f, LENGTH, AT);
  f.end();
  f.get(B).op(Op.i64_extend_i32_s).i64(32n).op(Op.i64_shl);
  f.get(TP).mem("i32_load", 4).op(Op.i64_extend_i32_u, Op.i64_or).set(N);
  f.get(UNIT).if();
  f.get(N).gget(G_END).get(P).op(Op.i32_sub).get(UNIT).op(Op.i32_div_u)
    .op(Op.i64_extend_i32_u).op(Op.i64_gt_s).if();
  ret0(f, LENGTH, AT);
  f.end();
  f.else();
  countEmpty(() => f.get(N), AT);
  f.end();
  f.get(N).op(Op.i32_wrap_i64).gset(G_COUNT);
  f.get(P);
  return f;
}

/** string(p, tp): as string() of scan.ts. */
export function strHelper(): Fn {
  const f = new Fn(2);
  const [P, TP] = [0, 1];
  const START = f.local();
  const LEN = f.local();
  const Q = f.local();
  const C = f.local();
  const H = f.local(I64);
  const HIGH = f.local(I64);
  const W = f.local(I64);
  const HASH = f.local(I64);
  f.get(P).get(TP).i32(1).call(F_LEN).tee(P).op(Op.i32_eqz).if();
  f.i32(0).op(Op.return);
  f.end();
  f.get(P).set(START);
  f.gget(G_COUNT).tee(LEN).get(P).op(Op.i32_add).set(P);
  f.get(LEN).i32(MAX_HASHED).op(Op.i32_le_u).if();
  hashShort(f, { P, START, LEN, Q, W, H, HIGH });
  f.get(H).set(HASH);
  f.get(HIGH).i64(HIGH_BITS).op(Op.i64_and, Op.i64_eqz, Op.i32_eqz).if();
  f.get(START).get(P).call(F_UTF8).i32(-1).op(Op.i32_eq).if();
  ret0(f, UTF8, START);
  f.end();
  f.get(LEN).i32(-1).op(Op.i32_xor).set(LEN);
  f.end();
  f.else();
  // Longer: ASCII words here; the main module's utf8Check (a call into
  // another instance, which costs) from the first word with a high bit.
  f.get(START).set(Q);
  {
    const ascii = f.block();
    const other = f.block();
    const l = f.loop();
    f.get(Q).i32(8).op(Op.i32_add).get(P).op(Op.i32_le_u).if();
    f.get(Q).mem("i64_load").i64(HIGH_BITS).op(Op.i64_and, Op.i64_eqz)
      .op(Op.i32_eqz).brIf(other);
    f.get(Q).i32(8).op(Op.i32_add).set(Q).br(l);
    f.end();
    f.end();
    f.get(Q).get(P).op(Op.i32_ge_u).brIf(ascii);
    f.get(Q).mem("i64_load").i64(HIGH_BITS).op(Op.i64_and);
    f.i64(1n).get(P).get(Q).op(Op.i32_sub).i32(3).op(Op.i32_shl)
      .op(Op.i64_extend_i32_u, Op.i64_shl).i64(1n).op(Op.i64_sub);
    f.op(Op.i64_and, Op.i64_eqz).brIf(ascii);
    f.end();
    // All bytes before Q are ASCII, so Q starts a character.
    f.get(Q).get(P).call(F_UTF8).tee(C).if();
    f.get(C).i32(-1).op(Op.i32_eq).if();
    ret0(f, UTF8, START);
    f.end();
    f.get(LEN).i32(-1).op(Op.i32_xor).set(LEN);
    f.end();
    f.end();
  }
  f.end();
  f.get(TP).get(START).gget(G_BASE).op(Op.i32_sub).mem("i32_store");
  f.get(TP).get(LEN).mem("i32_store", 4);
  f.get(TP).get(HASH).i64(32n).op(Op.i64_shr_u)
    .op(Op.i32_wrap_i64).mem("i32_store", 8);
  f.get(P);
  return f;
}

/** bytes(p, tp): as bytes() of scan.ts. */
export function bytesHelper(): Fn {
  const f = new Fn(2);
  const [P, TP] = [0, 1];
  f.get(P).get(TP).i32(1).call(F_LEN).tee(P).op(Op.i32_eqz).if();
  f.i32(0).op(Op.return);
  f.end();
  f.get(TP).get(P).gget(G_BASE).op(Op.i32_sub).mem("i32_store");
  f.get(TP).gget(G_COUNT).mem("i32_store", 4);
  f.get(P).gget(G_COUNT).op(Op.i32_add);
  return f;
}

// Hashes the String [START, P) of at most 8 words into H (from its length
// in LEN), with the OR of its bytes in HIGH, as string() of scan.ts.
export function hashShort(
  f: Fn,
  c: Pick<Ctx, "P" | "START" | "LEN" | "Q" | "W" | "H" | "HIGH">,
): void {
  const mix = () => {
    f.get(c.HIGH).get(c.W).op(Op.i64_or).set(c.HIGH);
    f.get(c.H).get(c.W).op(Op.i64_xor).i64(FNV_PRIME).op(Op.i64_mul).set(c.H);
  };
  f.get(c.LEN).op(Op.i64_extend_i32_u).set(c.H);
  f.i64(0n).set(c.HIGH);
  f.get(c.START).set(c.Q);
  const brk = f.block();
  const l = f.loop();
  f.get(c.Q).i32(8).op(Op.i32_add).get(c.P).op(Op.i32_gt_u).brIf(brk);
  f.get(c.Q).mem("i64_load").set(c.W);
  mix();
  f.get(c.Q).i32(8).op(Op.i32_add).set(c.Q).br(l);
  f.end().end();
  f.get(c.Q).get(c.P).op(Op.i32_lt_u).if();
  // The input is followed by the tape: reading past the String is safe.
  f.get(c.Q).mem("i64_load");
  f.i64(1n).get(c.P).get(c.Q).op(Op.i32_sub).i32(3).op(Op.i32_shl)
    .op(Op.i64_extend_i32_u, Op.i64_shl).i64(1n).op(Op.i64_sub);
  f.op(Op.i64_and).set(c.W);
  mix();
  f.end();
  f.get(c.H).get(c.H).i64(29n).op(Op.i64_shr_u, Op.i64_xor);
  f.i64(GOLDEN).op(Op.i64_mul).set(c.H);
}
