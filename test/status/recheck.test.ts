import { derivePodStatus, verdictRecheckAt } from "../../src/status/index.js";
import type { Pod } from "../../src/status/types.js";

const T0 = Date.parse("2025-03-01T12:00:00Z");
const iso = (ms: number): string => new Date(ms).toISOString();

function pod(over: { created?: number; deleting?: number; phase?: string; waiting?: string; lastFinished?: number } = {}): Pod {
  const running = over.waiting === undefined;
  return {
    metadata: { name: "p", namespace: "ns", uid: "u", creationTimestamp: iso(over.created ?? T0 - 3_600_000), ...(over.deleting !== undefined ? { deletionTimestamp: iso(over.deleting) } : {}) },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "app:1" }] },
    status: {
      phase: over.phase ?? (running ? "Running" : "Pending"),
      conditions: [{ type: "Ready", status: running ? "True" : "False" }],
      containerStatuses: [
        {
          name: "app",
          image: "app:1",
          ready: running,
          started: running,
          restartCount: over.lastFinished !== undefined ? 1 : 0,
          state: running ? { running: { startedAt: iso(T0 - 60_000) } } : { waiting: { reason: over.waiting } },
          lastState: over.lastFinished !== undefined ? { terminated: { reason: "Error", exitCode: 1, finishedAt: iso(over.lastFinished) } } : {},
        },
      ],
    },
  };
}

/** The verdict at a time, and whether the recheck said to look again no later than the change. */
function at(p: Pod, ms: number): { health: string; message: string | null } {
  const d = derivePodStatus(p, new Date(ms));
  return { health: d.health, message: d.message };
}

describe("verdictRecheckAt", () => {
  it("a recent restart: comes back when the restart stops being recent, and the verdict changes there", () => {
    const p = pod({ lastFinished: T0 - 60_000 });
    const d = derivePodStatus(p, new Date(T0));
    expect(d.health).toBe("Degraded");
    const when = verdictRecheckAt(p, d, T0)!;
    expect(when).toBe(T0 - 60_000 + 10 * 60_000 + 1);
    expect(at(p, when - 2).health).toBe("Degraded");
    expect(at(p, when).health).toBe("Healthy");
  });

  it("a pod waiting to start: comes back when the wait becomes long, and the message changes there", () => {
    const p = pod({ created: T0 - 60_000, waiting: "ContainerCreating" });
    const d = derivePodStatus(p, new Date(T0));
    const when = verdictRecheckAt(p, d, T0)!;
    expect(when).toBe(T0 - 60_000 + 5 * 60_000 + 1);
    expect(at(p, when - 2).message).not.toEqual(at(p, when).message);
    expect(at(p, when).message).toContain("more than 5m");
  });

  it("a terminating pod: comes back when it is past its grace period", () => {
    const p = pod({ deleting: T0 + 30_000 });
    const d = derivePodStatus(p, new Date(T0));
    expect(d.health).toBe("Terminating");
    const when = verdictRecheckAt(p, d, T0)!;
    expect(at(p, when - 2).message).not.toEqual(at(p, when).message);
    expect(at(p, when).message).toContain("past its grace period");
  });

  it("a healthy pod with nothing time-bound ahead: no recheck", () => {
    const p = pod();
    expect(verdictRecheckAt(p, derivePodStatus(p, new Date(T0)), T0)).toBeNull();
  });
});
