// A tiny WebAssembly binary emitter: just what _scanner.ts needs
// to write a specialized scanner module (i32/i64 arithmetic, memory access,
// structured control flow, calls, globals). It only produces bytes; the one
// file that compiles them is _instance.ts.

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;

/** Opcodes without immediates, by name. */
export const Op = {
  unreachable: 0x00,
  return: 0x0f,
  drop: 0x1a,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_u: 0x4d,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i32_ctz: 0x68,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_div_u: 0x6e,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i64_ctz: 0x7a,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_u: 0x88,
  i64_rotr: 0x8a,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
} as const;

const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const BR_TABLE = 0x0e;
const CALL = 0x10;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const EMPTY = 0x40;

/** Memory access opcodes with their natural alignment (log2). */
const MEM = {
  i32_load: [0x28, 2],
  i64_load: [0x29, 3],
  i32_load8_u: [0x2d, 0],
  i32_store: [0x36, 2],
  i64_store: [0x37, 3],
} as const;

/** Appends the unsigned LEB128 of n. */
export function uleb(out: number[], n: number): void {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Appends the signed LEB128 of n. */
export function sleb(out: number[], n: bigint): void {
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (b & 0x40) === 0) ||
      (n === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

/** A branch target. */
export type Label = { readonly kind: "label" };

/** The body of one function, written instruction by instruction. */
export class Fn {
  /** Instruction bytes. */
  readonly code: number[] = [];
  #params: number;
  #locals: number[] = [];
  #labels: Label[] = [];

  /** A function with `params` i32 parameters (locals 0 .. params - 1). */
  constructor(params: number) {
    this.#params = params;
  }

  /** A new local of type `type`; returns its index. */
  local(type: number = I32): number {
    this.#locals.push(type);
    return this.#params + this.#locals.length - 1;
  }

  /** Plain instructions. */
  op(...codes: number[]): this {
    for (const c of codes) this.code.push(c);
    return this;
  }

  i32(n: number): this {
    this.code.push(0x41);
    sleb(this.code, BigInt(n | 0));
    return this;
  }

  i64(n: bigint): this {
    this.code.push(0x42);
    sleb(this.code, BigInt.asIntN(64, n));
    return this;
  }

  get(i: number): this {
    this.code.push(LOCAL_GET);
    uleb(this.code, i);
    return this;
  }

  set(i: number): this {
    this.code.push(LOCAL_SET);
    uleb(this.code, i);
    return this;
  }

  tee(i: number): this {
    this.code.push(LOCAL_TEE);
    uleb(this.code, i);
    return this;
  }

  gget(i: number): this {
    this.code.push(GLOBAL_GET);
    uleb(this.code, i);
    return this;
  }

  gset(i: number): this {
    this.code.push(GLOBAL_SET);
    uleb(this.code, i);
    return this;
  }

  /** A load or store with a constant byte offset. */
  mem(name: keyof typeof MEM, offset = 0): this {
    const [code, align] = MEM[name];
    this.code.push(code, align);
    uleb(this.code, offset);
    return this;
  }

  call(index: number): this {
    this.code.push(CALL);
    uleb(this.code, index);
    return this;
  }

  #open(code: number, type: number): Label {
    const label: Label = { kind: "label" };
    this.code.push(code, type);
    this.#labels.push(label);
    return label;
  }

  /** `block` (result type `type`, default none); returns its label. */
  block(type: number = EMPTY): Label {
    return this.#open(BLOCK, type);
  }

  /** `loop`; a branch to its label continues the loop. */
  loop(): Label {
    return this.#open(LOOP, EMPTY);
  }

  /** `if` on the i32 on the stack. */
  if(type: number = EMPTY): Label {
    return this.#open(IF, type);
  }

  else(): this {
    this.code.push(ELSE);
    return this;
  }

  /** Ends the innermost block, loop or if. */
  end(): this {
    this.#labels.pop();
    this.code.push(END);
    return this;
  }

  #depth(label: Label): number {
    const i = this.#labels.lastIndexOf(label);
    if (i < 0) throw new Error("branch to a label not in scope");
    return this.#labels.length - 1 - i;
  }

  br(label: Label): this {
    this.code.push(BR);
    uleb(this.code, this.#depth(label));
    return this;
  }

  brIf(label: Label): this {
    this.code.push(BR_IF);
    uleb(this.code, this.#depth(label));
    return this;
  }

  /** `br_table` over `labels`, the last also the default. */
  brTable(labels: Label[]): this {
    this.code.push(BR_TABLE);
    uleb(this.code, labels.length - 1);
    for (const l of labels) uleb(this.code, this.#depth(l));
    return this;
  }

  /** Bytes in size of the body so far. */
  get size(): number {
    return this.code.length;
  }

  /** The encoded function body (locals and code, with its size). */
  body(): number[] {
    if (this.#labels.length !== 0) throw new Error("unclosed block");
    const out: number[] = [];
    uleb(out, this.#locals.length);
    for (const t of this.#locals) out.push(1, t);
    for (const b of this.code) out.push(b);
    out.push(END);
    const sized: number[] = [];
    uleb(sized, out.length);
    return sized.concat(out);
  }
}

/** A function type: parameter and result types. */
export interface FnType {
  params: number[];
  results: number[];
}

/** What a module holds, in index order. */
export interface ModuleParts {
  types: FnType[];
  /** Imported memory (module "a", name "memory"), then imported functions. */
  importFns: { name: string; type: number }[];
  /** Defined functions: type index and body. */
  fns: { type: number; body: number[] }[];
  /** Mutable globals with their initial value, as i32 or i64. */
  globals: number[];
  /** Exported functions and globals, by index. */
  exports: { name: string; kind: "func" | "global"; index: number }[];
}

function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

/** The binary module. */
export function emitModule(m: ModuleParts): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  let s: number[] = [];
  uleb(s, m.types.length);
  for (const t of m.types) {
    s.push(0x60);
    uleb(s, t.params.length);
    s.push(...t.params);
    uleb(s, t.results.length);
    s.push(...t.results);
  }
  section(out, 1, s);
  s = [];
  uleb(s, m.importFns.length + 1);
  name(s, "a");
  name(s, "memory");
  s.push(0x02, 0x00, 0x00);
  for (const f of m.importFns) {
    name(s, "a");
    name(s, f.name);
    s.push(0x00);
    uleb(s, f.type);
  }
  section(out, 2, s);
  s = [];
  uleb(s, m.fns.length);
  for (const f of m.fns) uleb(s, f.type);
  section(out, 3, s);
  s = [];
  uleb(s, m.globals.length);
  for (const t of m.globals) {
    s.push(t, 0x01, t === I64 ? 0x42 : 0x41, 0x00, END);
  }
  section(out, 6, s);
  s = [];
  uleb(s, m.exports.length);
  for (const e of m.exports) {
    name(s, e.name);
    s.push(e.kind === "func" ? 0x00 : 0x03);
    uleb(s, e.index);
  }
  section(out, 7, s);
  s = [];
  uleb(s, m.fns.length);
  for (const f of m.fns) for (const b of f.body) s.push(b);
  section(out, 10, s);
  return Uint8Array.from(out);
}
