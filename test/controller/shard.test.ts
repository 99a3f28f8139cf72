import fc from "fast-check";
import { assertProperty } from "../property.js";
import { fnv1a32, ownsKey, shardOf } from "../../src/controller/shard.js";

describe("sharding", () => {
  it.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("fnv1a32(%j) is the reference value", (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });

  it("every key belongs to exactly one shard (no overlap, no gap)", () => {
    assertProperty(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 16 }), (ns, name, count) => {
        const key = `${ns}/${name}`;
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => ownsKey({ index, count }, key));
        expect(owners).toEqual([shardOf(key, count)]);
      }),
    );
  });

  it("spreads pods roughly evenly", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOf(`ns-${i % 7}/pod-${i}`, 3)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
