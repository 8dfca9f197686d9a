// A first-in first-out queue whose `shift` is O(1): items are read from a
// head index and the array is compacted only once the consumed half
// dominates (Array.prototype.shift moves every remaining item, which made
// many waiting senders quadratic).

const COMPACT_AT = 1024;

export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    const items = this.#items;
    const head = this.#head;
    if (head >= items.length) return undefined;
    const item = items[head];
    items[head] = undefined;
    if (head + 1 === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (head >= COMPACT_AT && head * 2 >= items.length) {
      items.splice(0, head + 1);
      this.#head = 0;
    } else {
      this.#head = head + 1;
    }
    return item;
  }

  /** Empties the queue and returns what it held, oldest first. */
  takeAll(): T[] {
    const taken = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return taken;
  }
}
