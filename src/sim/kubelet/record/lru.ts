// A fixed-size least-recently-used cache with the semantics of k8s.io/utils/lru (as client-go 1.32's
// tools/record uses it for its three caches): `get` on a hit and `add` both make the entry the most recent one;
// adding past the size evicts the least recently used entry.

export class Lru<V> {
  // A Map iterates in insertion order, so re-inserting an entry makes it the newest and the first key is the oldest.
  private readonly entries = new Map<string, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`LRU size must be a positive integer, got ${maxEntries}`);
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  add(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
