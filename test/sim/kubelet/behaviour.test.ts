// Probe scripts: when a simulated probe fails and what the kubelet's event says.
import { probeFailureText, probeOutcome, type ProbeScript } from "../../../src/sim/kubelet/behaviour.js";

const HOUR = 3_600_000;
const target = { podIP: "10.244.1.7", port: 8080, path: "/healthz", scheme: "HTTP" };

function failingRuns(script: ProbeScript, periodMs: number, untilMs: number, firstMs = periodMs): number[] {
  const out: number[] = [];
  for (let t = firstMs, attempt = 0; t <= untilMs; t += periodMs, attempt++) if (probeOutcome(script, { sinceStartMs: t, periodMs, attempt }) !== undefined) out.push(t);
  return out;
}

test("fail-every: exactly the first probe at or after each multiple of the interval fails", () => {
  const script: ProbeScript = { kind: "fail-every", everyMs: 2 * HOUR, failure: { kind: "status", code: 500 } };
  expect(failingRuns(script, 10_000, 12 * HOUR)).toEqual([2, 4, 6, 8, 10, 12].map((h) => h * HOUR));
  // Probe times that do not hit the multiple: the next one after it fails, once.
  expect(failingRuns(script, 7000, 4 * HOUR + 10_000, 3000)).toEqual([7_206_000, 14_402_000]);
});

test("outputs: the n-th run fails with the n-th output, then the probe passes; exec output is the message as is", () => {
  const script: ProbeScript = { kind: "outputs", outputs: ["a\n", "b\n"] };
  const runs = [0, 1, 2, 3].map((attempt) => probeOutcome(script, { sinceStartMs: 5000 * (attempt + 1), periodMs: 5000, attempt }));
  expect(runs).toEqual([{ kind: "exec", output: "a\n" }, { kind: "exec", output: "b\n" }, undefined, undefined]);
  expect(probeFailureText({ kind: "exec", output: "replica lag 31s\n" }, target)).toBe("replica lag 31s\n");
  expect(probeFailureText({ kind: "status", code: 500 }, target)).toBe("HTTP probe failed with statuscode: 500");
});
