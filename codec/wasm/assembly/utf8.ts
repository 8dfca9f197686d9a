// UTF-8 validation with the rules of the WHATWG decoder in fatal mode (what
// TextDecoder("utf-8", { fatal: true }) accepts): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequences.

/** Result of utf8Check for a string of ASCII bytes only. */
export const UTF8_ASCII: i32 = 0;
/** Result of utf8Check for valid UTF-8 with non-ASCII characters. */
export const UTF8_VALID: i32 = 1;
/** Result of utf8Check for invalid UTF-8. */
export const UTF8_INVALID: i32 = -1;

// @ts-ignore: decorator
@inline
function cont(p: usize): bool {
  return (<u32>load<u8>(p) & 0xc0) == 0x80;
}

/** Checks the bytes [p, e): UTF8_ASCII, UTF8_VALID or UTF8_INVALID. */
export function utf8Check(p: usize, e: usize): i32 {
  // ASCII runs eight bytes at a time.
  while (p + 8 <= e) {
    if ((load<u64>(p) & 0x8080808080808080) != 0) break;
    p += 8;
  }
  while (p < e && load<u8>(p) < 0x80) p++;
  if (p == e) return UTF8_ASCII;
  while (p < e) {
    const b = <u32>load<u8>(p);
    if (b < 0x80) {
      p++;
      continue;
    }
    if (b < 0xc2) return UTF8_INVALID;
    if (b < 0xe0) {
      if (p + 2 > e || !cont(p + 1)) return UTF8_INVALID;
      p += 2;
      continue;
    }
    if (b < 0xf0) {
      if (p + 3 > e) return UTF8_INVALID;
      const b1 = <u32>load<u8>(p + 1);
      if (b == 0xe0) {
        if (b1 < 0xa0 || b1 > 0xbf) return UTF8_INVALID;
      } else if (b == 0xed) {
        if (b1 < 0x80 || b1 > 0x9f) return UTF8_INVALID;
      } else if ((b1 & 0xc0) != 0x80) return UTF8_INVALID;
      if (!cont(p + 2)) return UTF8_INVALID;
      p += 3;
      continue;
    }
    if (b > 0xf4 || p + 4 > e) return UTF8_INVALID;
    const b1 = <u32>load<u8>(p + 1);
    if (b == 0xf0) {
      if (b1 < 0x90 || b1 > 0xbf) return UTF8_INVALID;
    } else if (b == 0xf4) {
      if (b1 < 0x80 || b1 > 0x8f) return UTF8_INVALID;
    } else if ((b1 & 0xc0) != 0x80) return UTF8_INVALID;
    if (!cont(p + 2) || !cont(p + 3)) return UTF8_INVALID;
    p += 4;
  }
  return UTF8_VALID;
}
