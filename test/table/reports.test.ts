// Reports as rows: the CRD's printer columns in kubectl's alignment, worst health first, whole lines coloured by
// health only when asked, and the count of pods by health.
import { buildReport, reportOptions, type PodHealthReport } from "../../src/report/index.js";
import { paint, wantsColour } from "../../src/table/colour.js";
import { healthCounts, reportRow, summaryLine, tableLines, worstFirst, type ReportRow } from "../../src/table/reports.js";

const NOW = Date.parse("2025-03-01T12:00:00Z");

function row(name: string, health: string, extra: Partial<ReportRow> = {}): ReportRow {
  return { namespace: "shop", name, status: "Running", ready: "1/1", restarts: 0, health, crashLoops: 0, probeFailures: 0, reason: "", age: "5m", ...extra };
}

describe("report rows", () => {
  test("a report's row holds the columns kubectl get phr prints, its age at the given time", () => {
    const pod = {
      metadata: { name: "api", namespace: "shop", uid: "u1", creationTimestamp: "2025-03-01T11:00:00Z" },
      spec: { containers: [{ name: "app", image: "app:1" }] },
      status: { phase: "Running", containerStatuses: [{ name: "app", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2025-03-01T11:59:30Z" } } }] },
    };
    const report: PodHealthReport = { ...buildReport({ pod, events: [], now: new Date(NOW - 60_000), options: reportOptions() }) };
    report.metadata.creationTimestamp = "2025-03-01T11:57:55Z";
    expect(reportRow(report, NOW)).toEqual({
      namespace: "shop",
      name: "api",
      status: "CrashLoopBackOff",
      ready: "0/1",
      restarts: 3,
      health: "Unhealthy",
      crashLoops: report.status.crashLoop.count,
      probeFailures: 0,
      reason: "CrashLoopBackOff",
      age: "2m5s",
    });
  });

  test("worst first: Unhealthy, Failed, Degraded … Healthy; then namespace and name", () => {
    const rows = [row("b", "Healthy"), row("a", "Degraded"), row("c", "Unhealthy"), row("a", "Unhealthy"), row("z", "Completed"), row("y", "Progressing")];
    expect(worstFirst(rows).map((r) => `${r.name}:${r.health}`)).toEqual(["a:Unhealthy", "c:Unhealthy", "a:Degraded", "y:Progressing", "z:Completed", "b:Healthy"]);
  });

  test("the table is aligned as kubectl aligns it; without colour it has no escape codes", () => {
    const lines = tableLines([row("api", "Unhealthy", { status: "CrashLoopBackOff", reason: "CrashLoopBackOff", restarts: 4, crashLoops: 4 }), row("web", "Healthy")], false);
    expect(lines).toEqual([
      "NAMESPACE   NAME   STATUS             READY   RESTARTS   HEALTH      CRASHLOOPS   PROBE-FAILURES   REASON             AGE",
      "shop        api    CrashLoopBackOff   1/1     4          Unhealthy   4            0                CrashLoopBackOff   5m",
      "shop        web    Running            1/1     0          Healthy     0            0                                   5m",
    ]);
    expect(lines.join("")).not.toContain("\x1b");
  });

  test("with colour every line is painted whole in its health's colour, after alignment and cutting", () => {
    const rows = [row("api", "Unhealthy"), row("web", "Healthy")];
    const plain = tableLines(rows, false, 40);
    const coloured = tableLines(rows, true, 40);
    expect(plain.every((l) => l.length <= 40)).toBe(true);
    expect(coloured).toEqual([paint(plain[0], "bold", true), paint(plain[1], "red", true), paint(plain[2], "green", true)]);
    expect(coloured[1]).toBe(`\x1b[31m${plain[1]}\x1b[0m`);
  });

  test("the summary counts pods by health in a fixed order and says how many have no report yet", () => {
    const rows = [row("a", "Unhealthy"), row("b", "Healthy"), row("c", "Healthy"), row("d", "Completed")];
    expect(healthCounts(rows)).toEqual([["Healthy", 2], ["Unhealthy", 1], ["Completed", 1]]);
    expect(summaryLine(6, rows, false)).toBe("6 pods: 2 Healthy, 1 Unhealthy, 1 Completed, 2 without a report yet");
    expect(summaryLine(1, [], false)).toBe("1 pod: 1 without a report yet");
    expect(summaryLine(0, [], false)).toBe("0 pods: none yet");
    expect(summaryLine(1, [row("a", "Unhealthy")], true)).toBe("1 pod: \x1b[31m1 Unhealthy\x1b[0m");
  });

  test("colour only on a terminal that has colours", () => {
    expect(wantsColour({ isTTY: true, hasColors: () => true })).toBe(true);
    expect(wantsColour({ isTTY: true, hasColors: () => false })).toBe(false);
    expect(wantsColour({ isTTY: false, hasColors: () => true })).toBe(false);
    expect(wantsColour({})).toBe(false);
  });
});
