import fc from "fast-check";
import { ListSplitter } from "../../src/controller/list-split.js";
import { assertProperty } from "../property.js";

/** Feeds `text` in pieces cut at `cuts`; returns the items (parsed) and the other fields. */
function split(text: string, cuts: number[] = []): { items: unknown[]; fields: Record<string, unknown> } {
  const items: unknown[] = [];
  const s = new ListSplitter((t) => items.push(JSON.parse(t)));
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    s.push(text.slice(from, at));
    from = at;
  }
  s.push(text.slice(from));
  return { items, fields: s.end() };
}

const TRICKY = JSON.stringify({
  kind: "PodList",
  apiVersion: "v1",
  metadata: { resourceVersion: "42", continue: "abc", remainingItemCount: 3 },
  items: [
    { metadata: { name: "a", annotations: { x: 'quote " brace } bracket ] backslash \\ end\\' } }, spec: { list: [[], [{}], [1, 2.5e3, -1, true, false, null]] } },
    { metadata: { name: "b\u00e9\u4e2d\ud83d\ude00", labels: {} }, status: { message: "\\\"{[" } },
    {},
  ],
});

describe("ListSplitter", () => {
  it("hands over every item and keeps the metadata, however the body is cut into pieces", () => {
    const whole = JSON.parse(TRICKY) as { items: unknown[]; metadata: unknown };
    for (let a = 0; a <= TRICKY.length; a++) {
      const { items, fields } = split(TRICKY, [a, Math.min(TRICKY.length, a + 7)]);
      expect(items).toEqual(whole.items);
      expect(fields).toEqual({ kind: "PodList", apiVersion: "v1", metadata: whole.metadata });
    }
  });

  it("hands over each item as soon as its closing brace arrives", () => {
    const seen: string[] = [];
    const s = new ListSplitter((t) => seen.push((JSON.parse(t) as { n: string }).n));
    s.push('{"metadata":{"resourceVersion":"1"},"items":[{"n":"one"},{"n":"tw');
    expect(seen).toEqual(["one"]);
    s.push('o"}]}');
    expect(seen).toEqual(["one", "two"]);
    expect(s.end()).toEqual({ metadata: { resourceVersion: "1" } });
  });

  it("reads metadata that comes after the items, whitespace, and an empty list", () => {
    expect(split(' {\n "items" : [ {"a":1} , {"b":2} ] ,\n "metadata" : {"resourceVersion":"7"} }\n')).toEqual({
      items: [{ a: 1 }, { b: 2 }],
      fields: { metadata: { resourceVersion: "7" } },
    });
    expect(split('{"metadata":{},"items":[]}')).toEqual({ items: [], fields: { metadata: {} } });
    expect(split("{}")).toEqual({ items: [], fields: {} });
  });

  it("refuses a body that ended early, is empty, or is not a list object", () => {
    expect(() => split('{"metadata":{},"items":[{"a":1}')).toThrow("the list response ended early");
    expect(() => split("")).toThrow("the list response is empty");
    expect(() => split("[1,2]")).toThrow('found "[" where { should be');
    expect(() => split('{"items":{"a":1}}')).toThrow("where [ after items should be");
    expect(() => split('{"items":[1]}')).toThrow("where an object in items should be");
    expect(() => split('{"items":[]} x')).toThrow("where nothing after the list should be");
  });

  it("agrees with JSON.parse on any list, cut anywhere (property)", () => {
    const item = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    assertProperty(
      fc.property(fc.array(item, { maxLength: 6 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), fc.array(fc.nat(), { maxLength: 5 }), (items, metadata, cuts) => {
        const text = JSON.stringify({ kind: "List", metadata, items });
        const got = split(text, cuts.map((c) => c % (text.length + 1)));
        // Through JSON once, as the items are (-0 becomes 0).
        expect(got.items).toEqual(JSON.parse(JSON.stringify(items)));
        expect(got.fields).toEqual({ kind: "List", metadata });
      }),
      { numRuns: 300 },
    );
  });
});
