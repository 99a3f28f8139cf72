// derivePodStatus beyond the fixtures: what kubectl cannot show (container summaries, options, odd input).
import { derivePodStatus, type Pod } from "../../src/status/index.js";
import { loadFixtures, NOW } from "./fixtures.js";

const byFile = new Map(loadFixtures().map((f) => [f.file, f.pod]));
function fixture(name: string): Pod {
  const pod = byFile.get(`${name}.yaml`);
  if (pod === undefined) throw new Error(`no fixture ${name}`);
  return structuredClone(pod);
}

describe("restarts", () => {
  it("reports the newest counted finishedAt as written in the pod", () => {
    const d = derivePodStatus(fixture("restarts-sum-multi"), NOW);
    expect(d.restarts).toBe(7);
    expect(d.lastRestartTime).toBe("2025-03-01T11:30:00Z");
  });

  it("leaves a plain init container's restart time out once the pod is initialized", () => {
    const d = derivePodStatus(fixture("sidecar-restarts-counted"), NOW);
    expect(d.lastRestartTime).toBe("2025-03-01T11:40:00Z");
    expect(derivePodStatus(fixture("init-restarts-dropped-after-init"), NOW).lastRestartTime).toBeNull();
  });

  it("accepts timestamps already decoded to Date, as @kubernetes/client-node hands them over", () => {
    const pod = fixture("recent-restart");
    const term = pod.status!.containerStatuses![0].lastState!.terminated!;
    (term as { finishedAt: unknown }).finishedAt = new Date(term.finishedAt!);
    const d = derivePodStatus(pod, NOW);
    expect(d.restartsText).toBe("3 (90s ago)");
    expect(d.lastRestartTime).toBe("2025-03-01T11:58:30.000Z");
  });
});

describe("health options", () => {
  it("uses the restart window it is given", () => {
    const pod = fixture("recent-restart");
    expect(derivePodStatus(pod, NOW).health).toBe("Degraded");
    expect(derivePodStatus(pod, NOW, { restartWindowMs: 60_000 }).health).toBe("Healthy");
    expect(derivePodStatus(fixture("restarts-sum-multi"), NOW, { restartWindowMs: 3_600_000 })).toMatchObject({
      health: "Degraded",
      reason: "RecentRestart",
    });
  });

  it("falls back to ten minutes for a window that is not a non-negative number", () => {
    const pod = fixture("recent-restart");
    expect(derivePodStatus(pod, NOW, { restartWindowMs: -5 }).health).toBe("Degraded");
    expect(derivePodStatus(pod, NOW, { restartWindowMs: Number.NaN }).health).toBe("Degraded");
  });
});

describe("READY", () => {
  it("never exceeds its total, even when statuses outnumber the spec", () => {
    const pod = fixture("sidecar-running");
    const proxy = pod.status!.initContainerStatuses![0];
    pod.status!.initContainerStatuses!.push(structuredClone(proxy), structuredClone(proxy));
    const d = derivePodStatus(pod, NOW);
    expect(d.totalCount).toBe(2);
    expect(d.readyCount).toBe(2);
    expect(d.ready).toBe("2/2");
  });
});

describe("containers", () => {
  it("lists init containers and sidecars first, then regular ones, merging spec and status", () => {
    const d = derivePodStatus(fixture("sidecar-restarts-counted"), NOW);
    expect(d.containers.map((c) => [c.name, c.kind, c.state, c.ready, c.restartCount])).toEqual([
      ["setup", "init", "terminated", false, 1],
      ["proxy", "sidecar", "running", true, 2],
      ["app", "regular", "running", true, 1],
    ]);
    expect(d.containers[1]).toMatchObject({
      image: "envoyproxy/envoy:v1.31",
      started: true,
      lastTermination: { reason: "Error", exitCode: 1, finishedAt: "2025-03-01T11:00:00Z" },
    });
    expect(d.containers[0]).toMatchObject({ reason: "Completed", exitCode: 0, signal: null });
  });

  it("shows a container without a status as waiting in a Pending pod and unknown otherwise", () => {
    expect(derivePodStatus(fixture("pending-scheduled-not-started"), NOW).containers.map((c) => c.state)).toEqual(["waiting", "waiting"]);
    const running = fixture("running-single");
    running.status!.containerStatuses = [];
    expect(derivePodStatus(running, NOW).containers).toMatchObject([{ name: "web", state: "unknown", image: "nginx:1.27", restartCount: 0 }]);
  });

  it("appends a status the spec does not name", () => {
    const pod = fixture("running-single");
    pod.status!.containerStatuses!.push({ name: "ghost", image: "busybox", ready: true, state: { running: {} } });
    expect(derivePodStatus(pod, NOW).containers.map((c) => [c.name, c.kind, c.image])).toEqual([
      ["web", "regular", "nginx:1.27"],
      ["ghost", "regular", "busybox"],
    ]);
  });

  it("carries the kubelet's message as written, and quotes it in the verdict on one line", () => {
    const pod = fixture("create-container-error");
    pod.status!.containerStatuses![0].state!.waiting!.message = "line one\n\tline two";
    const d = derivePodStatus(pod, NOW);
    expect(d.containers[0].message).toBe("line one\n\tline two");
    expect(d.message).toContain("kubelet: line one line two;");
  });
});

describe("odd input", () => {
  it.each([[undefined], [null], [42], ["pod"], [[]], [{}], [{ metadata: null, spec: null, status: null }]])("copes with %p", (input) => {
    const d = derivePodStatus(input as unknown as Pod, NOW);
    expect(d).toMatchObject({ status: "", ready: "0/0", restarts: 0, restartsText: "0", health: "Unknown", containers: [] });
  });

  it("copes with an invalid clock", () => {
    const d = derivePodStatus(fixture("recent-restart"), new Date(Number.NaN));
    expect(d.restartsText).toBe("3 (<invalid> ago)");
  });

  it("bounds a long message to 512 characters", () => {
    const pod = fixture("pending-unschedulable");
    pod.status!.conditions![0].message = "0/5000 nodes are available: " + "1 node(s) had untolerated taint. ".repeat(200);
    const d = derivePodStatus(pod, NOW);
    expect(d.message!.length).toBe(512);
  });
});

describe("typed input from a client that builds Date objects", () => {
  test("an invalid Date in a last termination or a deletion deadline does not throw", () => {
    const bad = new Date("not a time");
    const pod = {
      metadata: { name: "p", namespace: "d", deletionTimestamp: bad },
      spec: { containers: [{ name: "app", image: "x" }] },
      status: {
        phase: "Running",
        containerStatuses: [{ name: "app", restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: bad } } }],
      },
    } as unknown as Pod;
    const derived = derivePodStatus(pod, new Date("2025-03-01T12:00:00Z"));
    expect(derived.restarts).toBe(2);
    expect(derived.lastRestartTime).toBeNull();
    expect(derived.containers[0].lastTermination?.finishedAt).toBeNull();
  });
});
