// Table-driven: every pod in test/fixtures/pods against the kubectl columns and health written in its annotations.
import { derivePodStatus } from "../../src/status/index.js";
import { loadFixtures, NOW } from "./fixtures.js";

const fixtures = loadFixtures();

describe("pod fixtures", () => {
  it("has at least 60 distinct cases", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(60);
    expect(new Set(fixtures.map((f) => f.pod.metadata?.uid ?? f.file)).size).toBe(fixtures.length);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))("%s", (_file, { pod, expected }) => {
    const d = derivePodStatus(pod, NOW);
    expect({ status: d.status, ready: d.ready, restarts: d.restartsText, health: d.health }).toEqual({
      status: expected.status,
      ready: expected.ready,
      restarts: expected.restarts,
      health: expected.health,
    });
    if (expected.reason !== undefined) expect(d.reason).toBe(expected.reason);
    if (d.health === "Healthy" || d.health === "Completed") {
      expect(d.message).toBeNull();
    } else {
      expect(d.message).not.toBeNull();
      expect(d.message).not.toMatch(/[\r\n]/);
    }
    for (const fragment of expected.messageContains) expect(d.message).toContain(fragment);
  });
});
