// Interned byte strings: event types (the SBS bytes of an EventType, which
// name it exactly) and binary payload type names (UTF-8), each with a small
// id. A type seen before is found by its bytes, so the JavaScript side
// builds its strings once per id, and everything keyed by type (matching
// subscriptions, storage type ids) is keyed by the id.
//
// Entries (16 bytes each, by id): u32 hash, u32 kind, u32 offset of the
// bytes in the arena, u32 length. The index is open addressing over ids
// (slot = id + 1, 0 empty), at most half full.

/** Kind of an interned EventType. */
export const KIND_TYPE: u32 = 0;
/** Kind of an interned binary payload type name. */
export const KIND_NAME: u32 = 1;

const ENTRY: usize = 16;
const FNV_PRIME: u64 = 0x100000001b3;
const GOLDEN: u64 = 0x9e3779b97f4a7c15;

let entries: usize = 0;
let entryCap: u32 = 0;
let count: u32 = 0;
let index: usize = 0;
let indexMask: u32 = 0;
let arena: usize = 0;
let arenaLen: usize = 0;
let arenaCap: usize = 0;

/**
 * Hash of the bytes [p, p + len). Reads whole words (up to 7 bytes past
 * the end, which callers pad), masking what is past the end.
 */
// @ts-ignore: decorator
@inline
export function hashBytes(p: usize, len: usize): u32 {
  let h: u64 = <u64>len;
  const end = p + len;
  while (p + 8 <= end) {
    h = (h ^ load<u64>(p)) * FNV_PRIME;
    p += 8;
  }
  if (p < end) {
    const w = load<u64>(p) & ((<u64>1 << (<u64>(end - p) << 3)) - 1);
    h = (h ^ w) * FNV_PRIME;
  }
  return <u32>(((h ^ (h >>> 29)) * GOLDEN) >>> 32);
}

/** Whether [a, a + len) and [b, b + len) hold the same bytes. */
export function sameBytes(a: usize, b: usize, len: usize): bool {
  while (len >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8;
    b += 8;
    len -= 8;
  }
  while (len > 0) {
    if (load<u8>(a) != load<u8>(b)) return false;
    a++;
    b++;
    len--;
  }
  return true;
}

function grow(): void {
  const cap = entryCap == 0 ? 64 : entryCap << 1;
  entries = entries == 0
    ? heap.alloc(<usize>cap * ENTRY)
    : heap.realloc(entries, <usize>cap * ENTRY);
  entryCap = cap;
  // The index: twice the entries, rebuilt.
  const slots = cap << 1;
  if (index != 0) heap.free(index);
  index = heap.alloc(<usize>slots << 2);
  memory.fill(index, 0, <usize>slots << 2);
  indexMask = slots - 1;
  for (let id: u32 = 0; id < count; id++) {
    let s = load<u32>(entries + <usize>id * ENTRY) & indexMask;
    while (load<u32>(index + (<usize>s << 2)) != 0) s = (s + 1) & indexMask;
    store<u32>(index + (<usize>s << 2), id + 1);
  }
}

function keep(p: usize, len: usize): usize {
  // Room for a word read past the end (hashBytes, sameBytes callers).
  const need = arenaLen + len + 8;
  if (need > arenaCap) {
    let cap = arenaCap == 0 ? <usize>4096 : arenaCap << 1;
    while (cap < need) cap <<= 1;
    arena = arena == 0 ? heap.alloc(cap) : heap.realloc(arena, cap);
    arenaCap = cap;
  }
  const at = arenaLen;
  memory.copy(arena + at, p, len);
  arenaLen += len;
  return at;
}

/** The id of the bytes [p, p + len) of a kind, interning them when new. */
export function intern(p: usize, len: usize, kind: u32): i32 {
  if (count >= entryCap) grow();
  const h = hashBytes(p, len);
  let s = h & indexMask;
  for (;;) {
    const slot = load<u32>(index + (<usize>s << 2));
    if (slot == 0) break;
    const e = entries + <usize>(slot - 1) * ENTRY;
    if (
      load<u32>(e) == h && load<u32>(e, 12) == <u32>len &&
      load<u32>(e, 4) == kind && sameBytes(arena + load<u32>(e, 8), p, len)
    ) {
      return <i32>(slot - 1);
    }
    s = (s + 1) & indexMask;
  }
  const id = count++;
  const e = entries + <usize>id * ENTRY;
  store<u32>(e, h);
  store<u32>(e, kind, 4);
  store<u32>(e, <u32>keep(p, len), 8);
  store<u32>(e, <u32>len, 12);
  store<u32>(index + (<usize>s << 2), id + 1);
  return <i32>id;
}

/** Number of ids handed out. */
export function typeCount(): u32 {
  return count;
}

/** Address of the bytes of an id. */
export function typeBytes(id: u32): usize {
  return arena + load<u32>(entries + <usize>id * ENTRY, 8);
}

/** Kind of an id (KIND_TYPE or KIND_NAME). */
export function typeKind(id: u32): u32 {
  return load<u32>(entries + <usize>id * ENTRY, 4);
}

/** Length of the bytes of an id. */
export function typeLength(id: u32): u32 {
  return load<u32>(entries + <usize>id * ENTRY, 12);
}

/** Bytes held by the table (entries, index and arena). */
export function typeMemory(): usize {
  return <usize>entryCap * (ENTRY + 8) + arenaCap;
}
