// What the demo draws, as pure functions: the terminal screen (intro, summary, worst rows first, cut to the
// screen, coloured or not) and the plain lines of a run with no terminal (header once, changed rows, summaries).
import { buildReport, reportOptions, type PodHealthReport } from "../../src/report/index.js";
import { demoSettings } from "../../src/demo/options.js";
import { plainLines, plainState, screenLines, type Frame } from "../../src/demo/frames.js";

const T0 = Date.parse("2025-03-01T12:00:00Z");

function report(name: string, waiting?: string, restarts = 0): PodHealthReport {
  const state = waiting ? { waiting: { reason: waiting } } : { running: { startedAt: "2025-03-01T11:00:00Z" } };
  const pod = {
    metadata: { name, namespace: "shop", uid: `uid-${name}`, creationTimestamp: "2025-03-01T11:00:00Z" },
    spec: { containers: [{ name: "app", image: "app:1" }] },
    status: { phase: waiting ? "Pending" : "Running", containerStatuses: [{ name: "app", ready: !waiting, restartCount: restarts, state }] },
  };
  const r = buildReport({ pod, events: [], now: new Date(T0), options: reportOptions() });
  r.metadata.creationTimestamp = "2025-03-01T11:58:00Z";
  return r;
}

const frame = (reports: PodHealthReport[], podCount = reports.length, nowMs = T0): Frame => ({ reports, podCount, nowMs });
const ESC = new RegExp(String.fromCharCode(27) + "\\[");

describe("the terminal screen", () => {
  const intro = ["pod-health-operator demo", "  kubectl --kubeconfig /tmp/x/kubeconfig get phr -A"];

  test("intro, summary, a blank line, then the table worst first; no colour when not asked", () => {
    const lines = screenLines(frame([report("web"), report("api", "ImagePullBackOff")], 3), intro, { rows: 40, columns: 200 }, false);
    expect(lines.slice(0, 4)).toEqual([...intro, "3 pods: 1 Healthy, 1 Unhealthy, 1 without a report yet", ""]);
    expect(lines[4]).toMatch(/^NAMESPACE\s+NAME\s+STATUS/);
    expect(lines.slice(5).map((l) => l.split(/\s+/)[1])).toEqual(["api", "web"]);
    expect(lines.join("\n")).not.toMatch(ESC);
  });

  test("cut to the screen: as many rows as fit, then how many more; no line longer than the screen is wide", () => {
    const reports = Array.from({ length: 30 }, (_, i) => report(`pod-${String(i).padStart(2, "0")}`));
    const lines = screenLines(frame(reports), intro, { rows: 12, columns: 50 }, false);
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)).toBe("… 24 more (kubectl get phr -A shows them all)");
    expect(lines.slice(0, -1).every((l) => l.length <= 50)).toBe(true);
  });

  test("coloured: the same text, with escape codes around whole lines", () => {
    const f = frame([report("api", "CrashLoopBackOff", 3)]);
    const plain = screenLines(f, intro, { rows: 40, columns: 200 }, false);
    const coloured = screenLines(f, intro, { rows: 40, columns: 200 }, true);
    expect(coloured.join("\n")).toMatch(ESC);
    // eslint-disable-next-line no-control-regex
    expect(coloured.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""))).toEqual(plain);
  });
});

describe("plain lines (no terminal)", () => {
  test("the header and every row first, then only rows that changed, and the summary when it changed", () => {
    const state = plainState();
    const first = plainLines(frame([report("web"), report("api", "ContainerCreating")]), state);
    expect(first[0]).toMatch(/^NAMESPACE\s+NAME/);
    expect(first.slice(1, 3).map((l) => l.split(/\s+/)[1])).toEqual(["api", "web"]);
    expect(first[3]).toBe("2 pods: 1 Healthy, 1 Progressing");

    // Nothing changed but the clock: nothing printed (ages are not changes).
    expect(plainLines(frame([report("web"), report("api", "ContainerCreating")], 2, T0 + 60_000), state)).toEqual([]);

    const third = plainLines(frame([report("web"), report("api", "CrashLoopBackOff", 2)]), state);
    expect(third).toHaveLength(2);
    expect(third[0]).toMatch(/^shop\s+api\s+CrashLoopBackOff\s+0\/1\s+2\s+Unhealthy/);
    expect(third[1]).toBe("2 pods: 1 Healthy, 1 Unhealthy");
    expect(third.join("\n")).not.toMatch(ESC);
  });

  test("a report that goes is forgotten: if it comes back it is printed again", () => {
    const state = plainState();
    plainLines(frame([report("web"), report("api")]), state);
    expect(plainLines(frame([report("web")], 1), state)).toEqual(["1 pod: 1 Healthy"]);
    expect(state.rows.size).toBe(1);
    expect(plainLines(frame([report("web"), report("api")]), state).map((l) => l.split(/\s+/)[1])).toEqual(["api", "pods:"]);
  });
});

describe("demo flags", () => {
  test("defaults, seconds or a duration, and a clear error per bad value", () => {
    expect(demoSettings({})).toEqual({ pods: 30, timeScale: 20, durationMs: null });
    expect(demoSettings({ pods: "10", timeScale: "5", duration: "2.5" })).toEqual({ pods: 10, timeScale: 5, durationMs: 2500 });
    expect(demoSettings({ duration: "2m" }).durationMs).toBe(120_000);
    expect(() => demoSettings({ pods: "0" })).toThrow("--pods must be an integer from 1 to 5000, got 0");
    expect(() => demoSettings({ pods: "ten" })).toThrow("--pods must be an integer");
    expect(() => demoSettings({ timeScale: "-1" })).toThrow("--time-scale must be a number above 0");
    expect(() => demoSettings({ duration: "soon" })).toThrow("--duration: not a duration");
    expect(() => demoSettings({ duration: "0" })).toThrow("--duration must be more than 0");
  });
});
