// Seeded randomness for names, IDs and jitter: the same seed gives the same cluster, so a failing test or demo run
// can be replayed exactly.
import { createHash } from "node:crypto";

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1): mulberry32, small and good enough for a simulation. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick: empty list");
    return items[Math.floor(this.next() * items.length)];
  }

  hex(digits: number): string {
    let out = "";
    while (out.length < digits) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, "0");
    return out.slice(0, digits);
  }

  /** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alike digits). */
  suffix(length: number): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

/** A stable sha256 digest for a name, so one image always reports the same imageID. */
export function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
