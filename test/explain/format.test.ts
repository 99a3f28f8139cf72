// The pure halves of explain: reading pods from text, and laying out the table.
import { alignColumns, explainPods, formatTable } from "../../src/explain/format.js";
import { InputError, parseNow, parsePods } from "../../src/explain/parse.js";
import type { Pod } from "../../src/status/index.js";

const NOW = new Date("2025-03-01T12:00:00Z");

describe("parsePods", () => {
  it("reads a JSON array of pods and lists inside it", () => {
    const text = JSON.stringify([{ kind: "Pod", metadata: { name: "a" } }, { kind: "PodList", items: [{ metadata: { name: "b" } }] }]);
    expect(parsePods(text).map((p) => p.metadata?.name)).toEqual(["a", "b"]);
  });

  it("takes an object without a kind but with a pod's parts as a pod", () => {
    expect(parsePods("metadata:\n  name: a\nstatus:\n  phase: Running\n")).toHaveLength(1);
  });

  it("keeps RFC3339 times and quoted booleans as strings, as the API server wrote them", () => {
    const [pod] = parsePods("kind: Pod\nmetadata:\n  creationTimestamp: 2025-03-01T10:00:00Z\nstatus:\n  conditions:\n  - type: Ready\n    status: 'True'\n");
    expect(pod.metadata?.creationTimestamp).toBe("2025-03-01T10:00:00Z");
    expect(pod.status?.conditions?.[0].status).toBe("True");
  });

  it.each([
    ["kind: List\nitems: 3\n", /items is not an array/],
    ["- a\n- b\n", /found an array/],
    ["a: &x [*x]\n", /./],
    [`a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${"*a, ".repeat(10)}*a]\nc: &c [${"*b, ".repeat(10)}*b]\nd: [${"*c, ".repeat(10)}*c]\n`, /not usable YAML/],
    ["", /no input/],
  ])("rejects %p with an InputError", (text, message) => {
    expect(() => parsePods(text)).toThrow(InputError);
    expect(() => parsePods(text)).toThrow(message);
  });
});

describe("parseNow", () => {
  it("reads RFC3339 with an offset and fractional seconds", () => {
    expect(parseNow("2025-03-01T13:00:00.250+01:00").toISOString()).toBe("2025-03-01T12:00:00.250Z");
  });

  it.each(["2025-03-01", "2025-02-30T00:00:00Z", "now", "2025-03-01T12:00:00"])("rejects %p", (value) => {
    expect(() => parseNow(value)).toThrow(InputError);
  });
});

describe("table", () => {
  it("pads every column but the last to its widest cell plus three spaces", () => {
    expect(alignColumns([["A", "BB", "C"], ["aaaa", "b", "cc"]])).toBe("A      BB   C\naaaa   b    cc\n");
  });

  it("shows <none> for a missing name or reason and <unknown> for a missing age, on one line per pod", () => {
    const pods: Pod[] = [{ status: { phase: "Running\nweird" } }, { metadata: { name: "ok" }, status: { phase: "Running" } }];
    const lines = formatTable(explainPods(pods, NOW)).trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1].split(/ {3,}/)).toEqual(["<none>", "0/0", "Running weird", "0", "<unknown>", "Unknown", "UnknownPhase"]);
    expect(lines[2].split(/ {3,}/)).toEqual(["ok", "0/0", "Running", "0", "<unknown>", "Healthy", "<none>"]);
  });
});
