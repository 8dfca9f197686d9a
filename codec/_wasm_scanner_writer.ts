// The writer of a specialized scanner (codec/_wasm_scanner.ts): walks the
// program of codec/_program.ts and writes the code of each of its types.

import { OP } from "./_program.ts";
import { Fn, type Label, Op } from "./_wasm_emit.ts";
import { inlineInteger, inlineString } from "./_wasm_scanner_inline.ts";
import {
  CHOICE,
  context,
  type Ctx,
  F_BYTES,
  F_FAIL,
  F_FIRST_ENTER,
  F_INT,
  F_LEN,
  G_BASE,
  G_COUNT,
  G_DEPTH,
  G_MAX_DEPTH,
  G_TAPE,
  G_TP,
  LIMIT,
  MAX_CODE,
  TooLarge,
  TRUNCATED,
} from "./_wasm_scanner_layout.ts";

/** Writes the code of the types of one program. */
export class Writer {
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
