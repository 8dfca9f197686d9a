// A sorted list of unique items as a list of sorted buckets: insertion and
// removal cost O(log n + bucket size), appending in order is O(1), and a
// cursor walks from any position in either direction. The memory storage
// keeps its indexes in these.

/** A position in a {@linkcode SortedList}: bucket and index in it. */
export interface Cursor {
  bucket: number;
  index: number;
}

/** Items kept sorted by a comparator that is 0 only for the same item. */
export class SortedList<T> {
  #buckets: T[][] = [];
  #cmp: (a: T, b: T) => number;
  #load: number;
  #size = 0;

  /**
   * @param cmp The order.
   * @param load Bucket size at which buckets are split (at twice it).
   */
  constructor(cmp: (a: T, b: T) => number, load = 512) {
    this.#cmp = cmp;
    this.#load = load;
  }

  /** Number of items. */
  get size(): number {
    return this.#size;
  }

  /** The first item. */
  first(): T | undefined {
    return this.#buckets.length === 0 ? undefined : this.#buckets[0][0];
  }

  /** The last item. */
  last(): T | undefined {
    const b = this.#buckets[this.#buckets.length - 1];
    return b === undefined ? undefined : b[b.length - 1];
  }

  /** Adds an item. */
  insert(item: T): void {
    const buckets = this.#buckets;
    this.#size++;
    const nb = buckets.length;
    if (nb === 0) {
      buckets.push([item]);
      return;
    }
    let bi = nb - 1;
    let bucket = buckets[bi];
    if (this.#cmp(item, bucket[bucket.length - 1]) >= 0) {
      bucket.push(item);
    } else {
      bi = this.#bucketFor((x) => this.#cmp(x, item) < 0);
      if (bi === nb) bi = nb - 1;
      bucket = buckets[bi];
      let lo = 0;
      let hi = bucket.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.#cmp(bucket[mid], item) < 0) lo = mid + 1;
        else hi = mid;
      }
      bucket.splice(lo, 0, item);
    }
    if (bucket.length > 2 * this.#load) {
      buckets.splice(bi + 1, 0, bucket.splice(this.#load));
    }
  }

  /** Removes the item equal (by the comparator) to `item`; false if none. */
  delete(item: T): boolean {
    const c = this.lowerBound((x) => this.#cmp(x, item) < 0);
    const bucket = this.#buckets[c.bucket];
    if (bucket === undefined || this.#cmp(bucket[c.index], item) !== 0) {
      return false;
    }
    bucket.splice(c.index, 1);
    this.#size--;
    if (bucket.length === 0) this.#buckets.splice(c.bucket, 1);
    return true;
  }

  /** The item equal (by `isBefore`/`matches`) to a key, if any. */
  find(isBefore: (item: T) => boolean, matches: (item: T) => boolean):
    | T
    | undefined {
    const c = this.lowerBound(isBefore);
    const item = this.#buckets[c.bucket]?.[c.index];
    return item !== undefined && matches(item) ? item : undefined;
  }

  /**
   * Position of the first item for which `isBefore` is false (`isBefore`
   * must be true for a prefix of the list). At the end: `{bucket:
   * buckets.length, index: 0}`.
   */
  lowerBound(isBefore: (item: T) => boolean): Cursor {
    const buckets = this.#buckets;
    const bi = this.#bucketFor(isBefore);
    if (bi === buckets.length) return { bucket: bi, index: 0 };
    const bucket = buckets[bi];
    let lo = 0;
    let hi = bucket.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isBefore(bucket[mid])) lo = mid + 1;
      else hi = mid;
    }
    return { bucket: bi, index: lo };
  }

  /** Position before the first item (for walking backward from the end). */
  end(): Cursor {
    return { bucket: this.#buckets.length, index: 0 };
  }

  /**
   * Calls `fn` on items from `cursor` forward until it returns false.
   */
  forward(cursor: Cursor, fn: (item: T) => boolean): void {
    const buckets = this.#buckets;
    let i = cursor.index;
    for (let b = cursor.bucket; b < buckets.length; b++, i = 0) {
      const bucket = buckets[b];
      for (; i < bucket.length; i++) if (!fn(bucket[i])) return;
    }
  }

  /**
   * Calls `fn` on items from just before `cursor` backward until it
   * returns false.
   */
  backward(cursor: Cursor, fn: (item: T) => boolean): void {
    const buckets = this.#buckets;
    let b = cursor.bucket;
    let i = cursor.index - 1;
    if (i < 0) {
      b--;
      i = b >= 0 ? buckets[b].length - 1 : -1;
    }
    for (; b >= 0; b--, i = b >= 0 ? buckets[b].length - 1 : -1) {
      const bucket = buckets[b];
      for (; i >= 0; i--) if (!fn(bucket[i])) return;
    }
  }

  /** Index of the first bucket whose last item is not before the key. */
  #bucketFor(isBefore: (item: T) => boolean): number {
    const buckets = this.#buckets;
    let lo = 0;
    let hi = buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = buckets[mid];
      if (isBefore(b[b.length - 1])) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
