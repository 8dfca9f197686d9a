// A scanner specialized to one type: the program of _program.ts written out
// as WebAssembly code (through _emit.ts) instead of interpreted node by node
// by assembly/scan.ts, with the same rules, error offsets and tape; the
// differential tests hold it to both (docs/codec.md). Its module imports
// "a"."memory" and "a"."utf8" (the main module's) and exports `scan(input,
// len, tapeAt, depthLimit, emptyLimit, trailing)`, the interpreter's
// contract without the program, and the global `errOffset`.

import { OP } from "./_program.ts";
import {
  emitModule,
  Fn,
  type FnType,
  I32,
  I64,
  type Label,
  Op,
} from "./_emit.ts";

// --- layout: error kinds, globals, function types and indices ------------

// Error kinds (as in assembly/scan.ts).
const TRUNCATED = -1;
const LENGTH = -2;
const CHOICE = -3;
const UTF8 = -4;
const TRAILING = -5;
const LIMIT = -6;

const INT_BIG = -0x80000000;
const MAX_INTEGER_BYTES = 1024;
const SAFE_MAX = 0x1fffffffffffffn;
const ACC_MAX = 1n << 55n;
const MAX_HASHED = 32;
const HIGH_BITS = 0x8080808080808080n;
const FNV_PRIME = 0x100000001b3n;
const GOLDEN = 0x9e3779b97f4a7c15n;

// Globals.
const G_END = 0;
const G_BASE = 1;
const G_TAPE = 2;
const G_TP = 3;
const G_DEPTH = 4;
const G_MAX_DEPTH = 5;
const G_EMPTY = 6;
const G_COUNT = 7;
const G_ERR_KIND = 8;
const G_ERR_OFFSET = 9;
const GLOBALS = [I32, I32, I32, I32, I32, I32, I64, I32, I32, I32];

// Function types.
const T_PP = 0; // (p, tp) -> p
const T_LEN = 1; // (p, tp, unit) -> p
const T_FAIL = 2; // (kind, at) -> ()
const T_SCAN = 3;
const T_ENTER = 4; // (p) -> p, tape position in G_TP
const TYPES: FnType[] = [
  { params: [I32, I32], results: [I32] },
  { params: [I32, I32, I32], results: [I32] },
  { params: [I32, I32], results: [] },
  { params: [I32, I32, I32, I32, I32, I32], results: [I32] },
  { params: [I32], results: [I32] },
];

// Functions: the import, then the helpers, the entry, the recursive types.
const F_UTF8 = 0;
const F_FAIL = 1;
const F_INT = 2;
const F_LEN = 3;
const F_STR = 4;
const F_BYTES = 5;
const F_SCAN = 6;
const F_FIRST_ENTER = 7;

/** Most bytes of code a scanner may take before the interpreter is used. */
const MAX_CODE = 256 * 1024;

class TooLarge extends Error {}

interface Ctx {
  /** Input position. */
  P: number;
  /** Tape position. */
  TP: number;
  /** End of the input (a copy of the global). */
  END: number;
  /** Scratch (i32). */
  B: number;
  LAST: number;
  START: number;
  LEN: number;
  Q: number;
  /** Scratch (i64). */
  W: number;
  MASK: number;
  V: number;
  H: number;
  HIGH: number;
  /** Where failures go (the value is in errKind, errOffset). */
  FAIL: Label;
}

// Opens the failure block of a function whose input position is local `p`.
function context(f: Fn, p: number): Ctx {
  const [TP, END, B, LAST, START, LEN, Q] = [0, 0, 0, 0, 0, 0, 0].map(() =>
    f.local()
  );
  const [W, MASK, V, H, HIGH] = [0, 0, 0, 0, 0].map(() => f.local(I64));
  return {
    P: p,
    TP,
    END,
    B,
    LAST,
    START,
    LEN,
    Q,
    W,
    MASK,
    V,
    H,
    HIGH,
    FAIL: f.gget(G_END).set(END).block(),
  };
}

// --- helper functions of the module ---------------------------------------

function failHelper(): Fn {
  const f = new Fn(2);
  f.get(0).gset(G_ERR_KIND);
  f.get(1).gget(G_BASE).op(Op.i32_sub).gset(G_ERR_OFFSET);
  return f;
}

// Calls fail(kind, at) and returns 0 from a helper.
function ret0(f: Fn, kind: number, at: number): void {
  f.i32(kind).get(at).call(F_FAIL).i32(0).op(Op.return);
}

// Writes [hi, lo] of the i64 in `v` (or [INT_BIG, start - base]) at tp.
function storeInteger(
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
function sext7(f: Fn, b: number): Fn {
  return f.get(b).i32(25).op(Op.i32_shl).i32(25).op(Op.i32_shr_s);
}

/** integer(p, tp): as integer() and integerLong() of scan.ts. */
function intHelper(): Fn {
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
function lenHelper(): Fn {
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
function strHelper(): Fn {
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
function bytesHelper(): Fn {
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
function hashShort(
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

// --- code written in line ------------------------------------------------

// An Integer in line: up to 8 bytes from one load; the integer() function
// for longer ones, the end of the input and errors.
function inlineInteger(f: Fn, c: Ctx): void {
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
function inlineString(f: Fn, c: Ctx): void {
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

// --- the program walk ----------------------------------------------------

/** Writes the code of the types of one program. */
class ScannerWriter {
  #code: Int32Array;
  #enters = new Map<number, number>();
  #pending: number[] = [];
  #size = 0;

  constructor(code: Int32Array) {
    this.#code = code;
  }

  #op(node: number, k: number): number {
    return this.#code[node + k];
  }

  /** Function index of the recursive type at node `enter`. */
  enterFn(enter: number): number {
    let index = this.#enters.get(enter);
    if (index === undefined) {
      index = F_FIRST_ENTER + this.#enters.size;
      this.#enters.set(enter, index);
      this.#pending.push(enter);
    }
    return index;
  }

  /** The next recursive type whose function is still to write. */
  nextEnter(): number | undefined {
    return this.#pending.shift();
  }

  /** Writes code that scans a value of `node`: reads P, TP; fails to FAIL. */
  value(f: Fn, ctx: Ctx, node: number): void {
    if (f.size + this.#size > MAX_CODE) throw new TooLarge();
    const { P, TP, B, FAIL } = ctx;
    const fail = (kind: number, at: number) =>
      f.i32(kind).get(at).call(F_FAIL).br(FAIL);
    const advance = (local: number, n: number) =>
      f.get(local).i32(n).op(Op.i32_add).set(local);
    switch (this.#op(node, 0)) {
      case OP.none:
        return;
      case OP.boolean:
        f.get(P).get(ctx.END).op(Op.i32_ge_u).if();
        fail(TRUNCATED, P);
        f.end();
        f.get(TP).get(P).mem("i32_load8_u").i32(0).op(Op.i32_ne)
          .mem("i32_store");
        advance(TP, 4);
        advance(P, 1);
        return;
      case OP.integer:
        inlineInteger(f, ctx);
        return;
      case OP.float: {
        f.get(ctx.END).get(P).op(Op.i32_sub).i32(8).op(Op.i32_lt_u).if();
        fail(TRUNCATED, P);
        f.end();
        // Big-endian binary64 to [lo bits, hi bits].
        const swap = (offset: number) => {
          f.get(P).mem("i32_load", offset).set(B);
          f.get(B).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and);
          f.get(B).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0)
            .op(Op.i32_and, Op.i32_or);
        };
        f.get(TP);
        swap(4);
        f.mem("i32_store");
        f.get(TP);
        swap(0);
        f.mem("i32_store", 4);
        advance(TP, 8);
        advance(P, 8);
        return;
      }
      case OP.string:
        inlineString(f, ctx);
        return;
      case OP.bytes:
        f.get(P).get(TP).call(F_BYTES).tee(P).op(Op.i32_eqz).brIf(FAIL);
        advance(TP, 8);
        return;
      case OP.array: {
        const unit = this.#op(node, 2);
        const head = f.local();
        const n = f.local();
        f.get(P).get(TP).i32(unit).call(F_LEN).tee(P).op(Op.i32_eqz)
          .brIf(FAIL);
        f.get(TP).tee(head).gget(G_COUNT).tee(n).mem("i32_store");
        advance(TP, 12);
        if (unit > 0) {
          const brk = f.block();
          const l = f.loop();
          f.get(n).op(Op.i32_eqz).brIf(brk);
          this.value(f, ctx, this.#op(node, 1));
          f.get(n).i32(1).op(Op.i32_sub).set(n).br(l);
          f.end().end();
        }
        this.#ends(f, ctx, head);
        return;
      }
      case OP.record: {
        const n = this.#op(node, 1);
        for (let i = 0; i < n; i++) this.value(f, ctx, this.#op(node, 2 + i));
        return;
      }
      case OP.choice: {
        const n = this.#op(node, 1);
        const at = f.local();
        const index = f.local();
        const head = f.local();
        f.get(P).set(at);
        const read = f.block();
        f.get(P).get(ctx.END).op(Op.i32_lt_u).if();
        f.get(P).mem("i32_load8_u").tee(B).i32(0xc0).op(Op.i32_and).i32(0x80)
          .op(Op.i32_eq).if();
        f.get(B).i32(0x3f).op(Op.i32_and).set(index);
        advance(P, 1);
        f.br(read);
        f.end();
        f.end();
        f.get(P).get(TP).call(F_INT).tee(P).op(Op.i32_eqz).brIf(FAIL);
        f.get(TP).mem("i32_load").if();
        fail(CHOICE, at);
        f.end();
        f.get(TP).mem("i32_load", 4).set(index);
        f.end();
        f.get(index).i32(n).op(Op.i32_ge_u).if();
        fail(CHOICE, at);
        f.end();
        f.get(TP).tee(head).get(index).mem("i32_store");
        advance(TP, 12);
        if (n > 0) {
          const after = f.block();
          const entries: Label[] = [];
          for (let i = n - 1; i >= 0; i--) entries[i] = f.block();
          f.get(index).brTable(entries);
          for (let i = 0; i < n; i++) {
            f.end();
            this.value(f, ctx, this.#op(node, 2 + i));
            if (i < n - 1) f.br(after);
          }
          f.end();
        }
        this.#ends(f, ctx, head);
        return;
      }
      case OP.enter:
        f.get(TP).gset(G_TP);
        f.get(P).call(this.enterFn(node)).tee(P).op(Op.i32_eqz).brIf(FAIL);
        f.gget(G_TP).set(TP);
        return;
      default:
        throw new Error(`unknown opcode at node ${node}`);
    }
  }

  // [.., tapeEnd, byteEnd] of an Array or Choice whose head is at `head`.
  #ends(f: Fn, ctx: Ctx, head: number): void {
    f.get(head).get(ctx.TP).gget(G_TAPE).op(Op.i32_sub).i32(2)
      .op(Op.i32_shr_u).mem("i32_store", 4);
    f.get(head).get(ctx.P).gget(G_BASE).op(Op.i32_sub).mem("i32_store", 8);
  }

  /** Counts a finished function against the code budget. */
  add(f: Fn): number[] {
    this.#size += f.size;
    if (this.#size > MAX_CODE) throw new TooLarge();
    return f.body();
  }

  /** The function of the recursive type at node `enter`. */
  enter(enter: number): Fn {
    const f = new Fn(1);
    const ctx = context(f, 0);
    f.gget(G_TP).set(ctx.TP);
    f.gget(G_DEPTH).i32(1).op(Op.i32_add).tee(ctx.B).gset(G_DEPTH);
    f.get(ctx.B).gget(G_MAX_DEPTH).op(Op.i32_gt_s).if();
    f.i32(LIMIT).get(ctx.P).call(F_FAIL).br(ctx.FAIL);
    f.end();
    this.value(f, ctx, this.#op(enter, 1));
    f.gget(G_DEPTH).i32(1).op(Op.i32_sub).gset(G_DEPTH);
    f.get(ctx.TP).gset(G_TP);
    f.get(ctx.P).op(Op.return);
    f.end();
    f.i32(0);
    return f;
  }
}

// --- the module ----------------------------------------------------------

/**
 * The WebAssembly module of a scanner specialized to the program `code`
 * with its root at node `root`, or undefined when it would be too large
 * (then the interpreter serves the type).
 */
export function emitScanner(
  code: Int32Array,
  root: number,
): Uint8Array<ArrayBuffer> | undefined {
  const w = new ScannerWriter(code);
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
