import { Interner } from "../../src/controller/intern.js";
import { toCached, type CachedReport } from "../../src/controller/report-cache.js";
import { WrittenReports } from "../../src/controller/written.js";

function report(name: string, rv: string): CachedReport {
  return toCached({ apiVersion: "podhealth.io/v1alpha1", kind: "PodHealthReport", metadata: { name, namespace: "ns", resourceVersion: rv }, spec: { podName: name, podUID: "u" } }, new Interner(), 1)!;
}

const line = (type: string, name: string, rv: string): string =>
  JSON.stringify({ type, object: { apiVersion: "podhealth.io/v1alpha1", kind: "PodHealthReport", metadata: { name, namespace: "ns", labels: { status: "x" }, resourceVersion: rv }, status: { x: 1 } } });

describe("WrittenReports", () => {
  it("knows the watch's echo of a write by its resourceVersion, ADDED or MODIFIED, and nothing else", () => {
    const w = new WrittenReports();
    const a = report("a", "10");
    w.set("ns/a", a);
    expect(w.echoOf(line("MODIFIED", "a", "10"))).toBe(a);
    expect(w.echoOf(line("ADDED", "a", "10"))).toBe(a);
    expect(w.echoOf(line("DELETED", "a", "10"))).toBeUndefined();
    expect(w.echoOf(line("MODIFIED", "a", "11"))).toBeUndefined();
    expect(w.echoOf(line("BOOKMARK", "a", "10"))).toBeUndefined();
  });

  it("forgets the version of a write replaced by a newer one or let go", () => {
    const w = new WrittenReports();
    w.set("ns/a", report("a", "10"));
    const newer = report("a", "12");
    w.set("ns/a", newer);
    expect(w.echoOf(line("MODIFIED", "a", "10"))).toBeUndefined();
    expect(w.echoOf(line("MODIFIED", "a", "12"))).toBe(newer);
    expect(w.get("ns/a")).toBe(newer);
    w.delete("ns/a");
    expect(w.echoOf(line("MODIFIED", "a", "12"))).toBeUndefined();
    expect(w.size).toBe(0);
  });
});
