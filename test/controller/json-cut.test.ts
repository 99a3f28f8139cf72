import fc from "fast-check";
import { withoutManagedFields, withoutMember } from "../../src/controller/json-cut.js";
import { benchPod } from "../../src/bench/pods.js";
import { assertProperty } from "../property.js";

const MANAGED = [{ manager: "kubelet", fieldsV1: { 'f:status': { 'k:{"type":"Ready"}': { ".": {} } } }, note: 'tricky ] } " \\ [' }];

function dropManaged(o: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(o) as { metadata?: Record<string, unknown> };
  delete copy.metadata?.managedFields;
  return copy as Record<string, unknown>;
}

describe("withoutManagedFields", () => {
  it("cuts metadata.managedFields out of a pod's JSON, wherever it stands among the metadata", () => {
    const pod = benchPod(1, 10) as unknown as { metadata: Record<string, unknown> };
    const text = JSON.stringify(pod);
    const cut = withoutManagedFields(text);
    expect(cut.length).toBeLessThan(text.length * 0.75);
    expect(JSON.parse(cut)).toEqual(dropManaged(pod));
    for (const where of ["first", "last", "only"]) {
      const { managedFields, ...rest } = pod.metadata;
      const metadata = where === "first" ? { managedFields, ...rest } : where === "last" ? { ...rest, managedFields } : { managedFields };
      const o = { ...pod, metadata };
      expect(JSON.parse(withoutManagedFields(JSON.stringify(o)))).toEqual(dropManaged(o));
    }
  });

  it("cuts it inside a watch event, and leaves text without it or in an unusual layout alone", () => {
    const event = { type: "MODIFIED", object: { metadata: { name: "p", managedFields: MANAGED, uid: "u" } } };
    expect(JSON.parse(withoutManagedFields(JSON.stringify(event)))).toEqual({ type: "MODIFIED", object: { metadata: { name: "p", uid: "u" } } });
    const plain = JSON.stringify({ metadata: { name: "p" }, note: '"managedFields":[' });
    expect(withoutManagedFields(plain)).toBe(plain);
    const pretty = JSON.stringify({ metadata: { name: "p", managedFields: MANAGED } }, null, 2);
    expect(withoutManagedFields(pretty)).toBe(pretty);
    const cutShort = '{"metadata":{"managedFields":[{"a":1}';
    expect(withoutManagedFields(cutShort)).toBe(cutShort);
  });

  it("cuts a report's status from a write's answer, past a label that is also called status", () => {
    const answer = { apiVersion: "v1", metadata: { name: "r", labels: { status: "x" }, resourceVersion: "5" }, spec: { podName: "r" }, status: { a: [{ b: "} ]" }], c: 1 } };
    expect(JSON.parse(withoutMember(JSON.stringify(answer), "status"))).toEqual({ apiVersion: "v1", metadata: answer.metadata, spec: answer.spec });
    const none = JSON.stringify({ metadata: { labels: { status: "x" } } });
    expect(withoutMember(none, "status")).toBe(none);
  });

  it("leaves valid JSON that parses as the object without managedFields (property)", () => {
    assertProperty(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), fc.jsonValue({ maxDepth: 4 }), fc.nat(6), (meta, managed, at) => {
        const entries = Object.entries(meta).filter(([k]) => k !== "managedFields");
        entries.splice(Math.min(at, entries.length), 0, ["managedFields", [managed]]);
        const o = { kind: "Pod", metadata: Object.fromEntries(entries), spec: { x: 1 } };
        const cut = withoutManagedFields(JSON.stringify(o));
        expect(JSON.parse(cut)).toEqual(JSON.parse(JSON.stringify(dropManaged(o))));
      }),
      { numRuns: 500 },
    );
  });
});
