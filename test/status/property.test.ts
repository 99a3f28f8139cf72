// Properties of derivePodStatus over arbitrary partial pods: missing fields, nulls and values of the wrong type.
import fc from "fast-check";
import { assertProperty } from "../property.js";
import { derivePodStatus, type Pod } from "../../src/status/index.js";
import { arbitraryPod as pod } from "./arbitrary.js";

const NOW = new Date("2025-03-01T12:00:00Z");
// eslint-disable-next-line no-control-regex -- control characters are what must not get through
const LINE_BREAKING = /[\x00-\x1f\x7f\x85\u2028\u2029]/;
const HEALTH = new Set(["Healthy", "Progressing", "Degraded", "Unhealthy", "Completed", "Failed", "Terminating", "Unknown"]);

function checkInvariants(input: unknown): void {
  const d = derivePodStatus(input as Pod, NOW);
  expect(d.readyCount).toBeLessThanOrEqual(d.totalCount);
  expect(d.readyCount).toBeGreaterThanOrEqual(0);
  expect(d.ready).toBe(`${d.readyCount}/${d.totalCount}`);
  expect(Number.isSafeInteger(d.restarts) && d.restarts >= 0).toBe(true);
  expect(d.restartsText.startsWith(String(d.restarts))).toBe(true);
  expect(HEALTH.has(d.health)).toBe(true);
  if (d.message !== null) {
    expect(d.message.length).toBeLessThanOrEqual(512);
    expect(d.message).not.toMatch(LINE_BREAKING);
  }
  if (d.reason !== null) expect(d.reason).not.toMatch(LINE_BREAKING);
  for (const c of d.containers) expect(Number.isSafeInteger(c.restartCount) && c.restartCount >= 0).toBe(true);
}

describe("derivePodStatus on arbitrary partial pods", () => {
  it("never throws and keeps READY and RESTARTS meaningful", () => {
    assertProperty(fc.property(pod, (p) => checkInvariants(p)), { numRuns: 3000 });
  });

  it("never throws on values that are not pods at all", () => {
    assertProperty(fc.property(fc.anything(), (p) => checkInvariants(p)), { numRuns: 1000 });
  });
});
