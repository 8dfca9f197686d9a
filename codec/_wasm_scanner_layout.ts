// The layout shared by the pieces of a specialized scanner module
// (codec/_wasm_scanner.ts): error kinds, globals, function types and
// function indices, the size limit past which the interpreter is used, and
// the locals of a scanning function (its context).

import { type Fn, type FnType, I32, I64, type Label } from "./_wasm_emit.ts";

// Error kinds (as in wasm/assembly/scan.ts).
export const TRUNCATED = -1;
export const LENGTH = -2;
export const CHOICE = -3;
export const UTF8 = -4;
export const TRAILING = -5;
export const LIMIT = -6;

export const INT_BIG = -0x80000000;
export const MAX_INTEGER_BYTES = 1024;
export const SAFE_MAX = 0x1fffffffffffffn;
export const ACC_MAX = 1n << 55n;
export const MAX_HASHED = 32;
export const HIGH_BITS = 0x8080808080808080n;
export const FNV_PRIME = 0x100000001b3n;
export const GOLDEN = 0x9e3779b97f4a7c15n;

// Globals.
export const G_END = 0;
export const G_BASE = 1;
export const G_TAPE = 2;
export const G_TP = 3;
export const G_DEPTH = 4;
export const G_MAX_DEPTH = 5;
export const G_EMPTY = 6;
export const G_COUNT = 7;
export const G_ERR_KIND = 8;
export const G_ERR_OFFSET = 9;
export const GLOBALS = [I32, I32, I32, I32, I32, I32, I64, I32, I32, I32];

// Function types.
export const T_PP = 0; // (p, tp) -> p
export const T_LEN = 1; // (p, tp, unit) -> p
export const T_FAIL = 2; // (kind, at) -> ()
export const T_SCAN = 3;
export const T_ENTER = 4; // (p) -> p, tape position in G_TP
export const TYPES: FnType[] = [
  { params: [I32, I32], results: [I32] },
  { params: [I32, I32, I32], results: [I32] },
  { params: [I32, I32], results: [] },
  { params: [I32, I32, I32, I32, I32, I32], results: [I32] },
  { params: [I32], results: [I32] },
];

// Functions: the import, then the helpers, the entry, the recursive types.
export const F_UTF8 = 0;
export const F_FAIL = 1;
export const F_INT = 2;
export const F_LEN = 3;
export const F_STR = 4;
export const F_BYTES = 5;
export const F_SCAN = 6;
export const F_FIRST_ENTER = 7;

/** Most bytes of code a scanner may take before the interpreter is used. */
export const MAX_CODE = 256 * 1024;

export class TooLarge extends Error {}

export interface Ctx {
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
export function context(f: Fn, p: number): Ctx {
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
