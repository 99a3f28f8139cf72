// Sharding: each replica owns the pods whose namespace/name hashes to its index, so shards split the pods
// with no overlap and no gap, and a pod stays on its shard for its whole life.

export interface Shard {
  index: number;
  count: number;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of the text. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard that owns a namespace/name key. */
export function shardOf(key: string, count: number): number {
  return count <= 1 ? 0 : fnv1a32(key) % count;
}

/** Whether this replica's shard owns the key. */
export function ownsKey(shard: Shard, key: string): boolean {
  return shardOf(key, shard.count) === shard.index;
}
