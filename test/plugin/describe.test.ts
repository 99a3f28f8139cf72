// One pod's report as `kubectl podhealth POD` prints it, for fixed reports built by the operator's own builder:
// STATUS, the verdict and what to check, crash loops, the probe-failure timeline newest first, the containers.
import { buildReport } from "../../src/report/index.js";
import { describeReport } from "../../src/plugin/describe.js";
import { fixtureEvents, OPTIONS, pod, running, T0, troubledPod } from "../report/fixtures.js";

describe("describeReport", () => {
  test("a crash-looping pod with probe failures (test/fixtures/events/web-0-liveness.yaml)", () => {
    const r = buildReport({ pod: troubledPod(), events: fixtureEvents, now: new Date(T0), options: OPTIONS });
    expect(describeReport(r, { nowMs: T0 + 5000, colour: false, source: "from its PodHealthReport" }).split("\n")).toEqual([
      "shop/web-0: from its PodHealthReport, observed 5s ago",
      "",
      "STATUS          CrashLoopBackOff   READY 1/2   RESTARTS 2 (last 15s ago)   for 5s",
      "Health          Unhealthy (CrashLoopBackOff)",
      'What to check   container "app" is crash-looping (CrashLoopBackOff, 2 restarts, last exit Error (code 1)): check its logs: kubectl logs web-0 -c app --previous -n shop',
      "Crash loops     2, the last entered 15s ago by app",
      "Probe failures  10 (liveness 6, readiness 4, startup 0)",
      "Timeline (newest first):",
      '  10s ago   app   readiness   x4   Readiness probe failed: Get "http://10.244.0.7:80/ready": context deadline exceeded',
      "  15s ago   app   liveness    x2   Container app failed liveness probe, will be restarted",
      "  15s ago   app   liveness    x6   Liveness probe failed: HTTP probe failed with statuscode: 500",
      "Containers:",
      "  app       regular   waiting CrashLoopBackOff   not ready   restarts 2   last: Error exit 1, 15s ago",
      "  sidecar   regular   running                    ready       restarts 0",
      "",
    ]);
  });

  test("a healthy pod: no check, no crash loops, no timeline", () => {
    const r = buildReport({ pod: pod([running("app", 0)]), events: [], now: new Date(T0), options: OPTIONS });
    const text = describeReport(r, { nowMs: T0, colour: false, source: "derived from the pod and its events" });
    expect(text).toContain("shop/web-0: derived from the pod and its events, observed 0s ago\n");
    expect(text).toContain("\nHealth          Healthy\n");
    expect(text).toContain("\nCrash loops     none\n");
    expect(text).toContain("\nProbe failures  0 (liveness 0, readiness 0, startup 0)\n");
    expect(text).not.toContain("What to check");
    expect(text).not.toContain("Timeline");
  });

  test("the timeline is cut to its size and says so; colour only on the verdict", () => {
    const r = buildReport({ pod: troubledPod(), events: fixtureEvents, now: new Date(T0), options: OPTIONS });
    const text = describeReport(r, { nowMs: T0, colour: true, source: "x", timelineSize: 1 });
    expect(text).toContain("Timeline (newest first, 1 of 3):\n  5s ago   app   readiness   x4");
    expect(text).not.toContain("x6");
    expect(text).toContain("Health          \x1b[31mUnhealthy\x1b[0m (CrashLoopBackOff)");
    expect(text.split("\x1b[").length).toBe(3);
  });
});
