// Each scenario, run for one pod on a manual clock against the real in-memory store: the STATUS kubectl would show
// (through the status engine) moves as it does on a real cluster, and the raw status and events carry the fields
// and messages the kubelet writes.
import { BACKOFF_MAX_MS, TIMING } from "../../../src/sim/kubelet/index.js";
import type { ContainerStatus } from "../../../src/status/types.js";
import { condition, containerStatus, harness, specOf, statusOf } from "./helpers.js";

const MIN = 60_000;

/** Collapses a status sequence into its distinct values in order of first appearance. */
function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

describe("healthy", () => {
  test("goes Pending → ContainerCreating → Running and becomes Ready", () => {
    const h = harness("healthy");
    expect(h.derived().status).toBe("Pending");
    expect(h.pod()?.spec).not.toHaveProperty("nodeName");

    h.run(30_000);
    expect(h.statuses).toEqual(["Pending", "ContainerCreating", "Running"]);
    const d = h.derived();
    expect(d).toMatchObject({ status: "Running", ready: "1/1", restarts: 0, phase: "Running" });

    const pod = h.pod();
    const status = statusOf(pod);
    expect(pod?.spec).toMatchObject({ nodeName: expect.stringMatching(/^sim-node-\d$/), restartPolicy: "Always" });
    expect(status).toMatchObject({ hostIP: expect.stringMatching(/^10\.0\.1\.\d+$/), podIP: expect.stringMatching(/^10\.244\.\d+\.\d+$/), qosClass: "Burstable", startTime: expect.any(String) });
    expect((status.conditions ?? []).map((c) => `${c.type}=${c.status}`)).toEqual([
      "PodReadyToStartContainers=True",
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ]);
    const c = containerStatus(pod);
    expect(c).toMatchObject({ name: "app", ready: true, started: true, restartCount: 0, lastState: {}, state: { running: { startedAt: expect.any(String) } } });
    expect(c.image).toMatch(/^ghcr\.io\/acme\/web:\d+\.\d+\.\d+$/);
    expect(c.imageID).toMatch(/^ghcr\.io\/acme\/web@sha256:[0-9a-f]{64}$/);
    expect(c.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);

    // Events in the order a real pod start produces them, each once.
    const events = h.events().sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
    expect(events.map((e) => e.reason)).toEqual(["Scheduled", "Pulling", "Pulled", "Created", "Started"]);
    expect(events.map((e) => e.message)).toEqual([
      `Successfully assigned default/web-1 to ${String((pod?.spec as { nodeName: string }).nodeName)}`,
      `Pulling image "${specOf(pod).containers[0].image}"`,
      expect.stringMatching(/^Successfully pulled image ".+" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/),
      "Created container: app",
      "Started container app",
    ]);
    h.kubelet.stop();
  });

  test("Ready turns True only after the readiness probe's initial delay", () => {
    const h = harness("healthy");
    let runningAt = 0;
    let readyAt = 0;
    h.store.subscribe((ev) => {
      if (ev.type === "DELETED" || ev.resource !== "pods") return;
      const c = statusOf(ev.object).containerStatuses?.[0];
      if (c?.state?.running && runningAt === 0) runningAt = h.clock.now();
      if (c?.ready && readyAt === 0) readyAt = h.clock.now();
    });
    h.run(30_000);
    expect(runningAt).toBeGreaterThan(0);
    // initialDelaySeconds 5 on the readiness probe.
    expect(readyAt - runningAt).toBe(5000);
    expect(condition(h.pod(), "Ready")?.lastTransitionTime).toBe(new Date(Math.floor(readyAt / 1000) * 1000).toISOString().replace(".000", ""));
    h.kubelet.stop();
  });
});

describe("crashloop", () => {
  test("restarts with back-off 10s, 20s, 40s ... capped at 5m, flipping between Running and CrashLoopBackOff", () => {
    const h = harness("crashloop");
    const starts: number[] = [];
    const finishes: number[] = [];
    h.store.subscribe((ev) => {
      if (ev.type === "DELETED" || ev.resource !== "pods") return;
      const c = statusOf(ev.object).containerStatuses?.[0];
      const started = c?.state?.running?.startedAt;
      if (started && !starts.includes(Date.parse(started))) starts.push(Date.parse(started));
      const finished = c?.state?.terminated?.finishedAt;
      if (finished && !finishes.includes(Date.parse(finished))) finishes.push(Date.parse(finished));
    });
    h.run(25 * MIN);

    const gaps = finishes.slice(0, starts.length - 1).map((f, i) => (starts[i + 1] - f) / 1000);
    // The first restart follows the next sync; every later one waits out the doubling back-off.
    expect(gaps.slice(0, 9)).toEqual([1, 10, 20, 40, 80, 160, 300, 300, 300]);
    expect(Math.max(...gaps) * 1000).toBe(BACKOFF_MAX_MS);

    expect(h.statuses.slice(0, 8)).toEqual(["Pending", "ContainerCreating", "Running", "Error", "Running", "Error", "CrashLoopBackOff", "Running"]);
    expect(distinct(h.statuses)).toEqual(["Pending", "ContainerCreating", "Running", "Error", "CrashLoopBackOff"]);
    expect(h.derived().restarts).toBe(starts.length - 1);
    expect(h.derived().restarts).toBeGreaterThanOrEqual(9);
    h.kubelet.stop();
  });

  test("while backing off, the container waits in CrashLoopBackOff with its last termination and the kubelet's message", () => {
    const h = harness("crashloop");
    // Run 1 ends at ~9s, restart at ~10s, run 2 ends at ~13s, then a 10 s back-off.
    let seen: ContainerStatus | undefined;
    h.store.subscribe((ev) => {
      const c = statusOf(ev.object).containerStatuses?.[0];
      if (seen === undefined && c?.state?.waiting?.reason === "CrashLoopBackOff") seen = structuredClone(c);
    });
    h.run(2 * MIN);
    const pod = h.pod();
    const uid = pod?.metadata?.uid ?? "";
    expect(seen).toMatchObject({
      ready: false,
      started: false,
      restartCount: 1,
      state: { waiting: { reason: "CrashLoopBackOff", message: `back-off 10s restarting failed container=app pod=web-1_default(${uid})` } },
      lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: expect.any(String), finishedAt: expect.any(String), containerID: expect.stringMatching(/^containerd:\/\//) } },
    });
    expect(statusOf(pod).phase).toBe("Running");
    expect(condition(pod, "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]" });

    const backoff = h.events("BackOff");
    expect(backoff).toHaveLength(1);
    expect(backoff[0]).toMatchObject({
      type: "Warning",
      message: `Back-off restarting failed container app in pod web-1_default(${uid})`,
      involvedObject: { kind: "Pod", namespace: "default", name: "web-1", uid, apiVersion: "v1", fieldPath: "spec.containers{app}" },
      source: { component: "kubelet", host: specOf(pod).nodeName },
      reportingComponent: "kubelet",
    });
    expect(backoff[0].count).toBeGreaterThan(1);
    expect(backoff[0].metadata?.name).toMatch(/^web-1\.[0-9a-f]{16}$/);
    h.kubelet.stop();
  });
});

describe("image-pull-backoff", () => {
  test("alternates ErrImagePull and ImagePullBackOff, retrying pulls on a doubling back-off", () => {
    const h = harness("image-pull-backoff");
    // Failed pulls as the status shows them (the Failed events stop coming after 25 Warning events: the spam filter).
    const failures: number[] = [];
    h.store.subscribe((ev) => {
      if (ev.resource !== "pods" || ev.type !== "MODIFIED") return;
      const reason = (pod: typeof ev.object | undefined): string | undefined => statusOf(pod).containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason(ev.object) === "ErrImagePull" && reason(ev.previous) !== "ErrImagePull") failures.push(h.clock.now());
    });
    // The count each Pulling write carries, against the pulls that had failed by then.
    const pullingWrites: Array<{ count: unknown; failedBefore: number }> = [];
    h.store.subscribe((ev) => {
      if (ev.resource === "events" && ev.type !== "DELETED" && ev.object.reason === "Pulling") pullingWrites.push({ count: ev.object.count, failedBefore: failures.length });
    });
    h.run(20 * MIN);
    expect(h.statuses.slice(0, 6)).toEqual(["Pending", "ContainerCreating", "ErrImagePull", "ImagePullBackOff", "ErrImagePull", "ImagePullBackOff"]);
    expect(distinct(h.statuses)).toEqual(["Pending", "ContainerCreating", "ErrImagePull", "ImagePullBackOff"]);

    // Between two failed pulls: the back-off, then the pull itself (a constant for the pod).
    const gaps = failures.slice(1).map((t, i) => t - failures[i]);
    const pull = gaps[0] - 10_000;
    expect(gaps.slice(0, 6).map((g) => (g - pull) / 1000)).toEqual([10, 20, 40, 80, 160, 300]);

    const pod = h.pod();
    const c = containerStatus(pod);
    const image = specOf(pod).containers[0].image;
    expect(c).toMatchObject({ ready: false, started: false, restartCount: 0, imageID: "" });
    expect(["ErrImagePull", "ImagePullBackOff"]).toContain(c.state?.waiting?.reason);
    expect(statusOf(pod).phase).toBe("Pending");

    const failed = h.events("Failed").map((e) => e.message);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^Failed to pull image "${image.replace(/[.]/g, "\\.")}": rpc error: code = NotFound desc = failed to pull and unpack image`)),
        "Error: ErrImagePull",
        "Error: ImagePullBackOff",
      ]),
    );
    const pulling = h.events("Pulling");
    expect(pulling).toHaveLength(1);
    // Every write counts every pull so far, the one starting included. The Normal BackOff events every 10 s use up
    // the Normal spam bucket (burst 25, then one per 5 minutes), so the later pulls are never sent: the count the
    // cluster shows lags behind the pulls made.
    for (const w of pullingWrites) expect(w.count).toBe(w.failedBefore + 1);
    expect(Number(pulling[0].count)).toBeLessThan(failures.length);
    expect(h.events("BackOff")[0]).toMatchObject({ type: "Normal", message: `Back-off pulling image "${image}"` });
    h.kubelet.stop();
  });
});

describe("liveness-failure", () => {
  test("one Unhealthy event whose count rises at the probe period, then Killing and a restart", () => {
    const h = harness("liveness-failure");
    const counts: Array<[number, number]> = [];
    h.store.subscribe((ev) => {
      if (ev.resource === "events" && ev.object.reason === "Unhealthy") counts.push([h.clock.now(), Number(ev.object.count)]);
    });
    h.run(70_000);
    expect(counts.map(([, n]) => n)).toEqual([1, 2, 3]);
    // periodSeconds 10.
    expect(counts[1][0] - counts[0][0]).toBe(10_000);
    expect(counts[2][0] - counts[1][0]).toBe(10_000);
    const unhealthy = h.events("Unhealthy");
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]).toMatchObject({ type: "Warning", message: "Liveness probe failed: HTTP probe failed with statuscode: 500", count: 3 });
    expect(Date.parse(String(unhealthy[0].lastTimestamp)) - Date.parse(String(unhealthy[0].firstTimestamp))).toBe(20_000);
    expect(h.events("Killing").map((e) => e.message)).toEqual(["Container app failed liveness probe, will be restarted"]);

    const c = containerStatus(h.pod());
    expect(c).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 143, reason: "Error" } } });

    // The next failures land on the same Event object.
    h.run(60_000);
    expect(h.events("Unhealthy")).toHaveLength(1);
    expect(h.events("Unhealthy")[0].count).toBe(6);
    expect(h.events("Unhealthy")[0].metadata?.name).toBe(unhealthy[0].metadata?.name);
    expect(h.derived().restarts).toBe(2);
    h.kubelet.stop();
  });
});

describe("readiness-flapping", () => {
  test("READY flips between 1/1 and 0/1 without restarts, with readiness Unhealthy events naming the pod IP", () => {
    const h = harness("readiness-flapping");
    const ready: string[] = [];
    h.store.subscribe((ev) => {
      if (ev.resource !== "pods" || ev.type === "DELETED") return;
      const r = condition(ev.object, "Ready")?.status as string | undefined;
      if (r !== undefined && ready[ready.length - 1] !== r) ready.push(r);
    });
    h.run(6 * MIN);
    expect(ready.slice(0, 5)).toEqual(["False", "True", "False", "True", "False"]);
    expect(distinct(h.statuses)).toEqual(["Pending", "ContainerCreating", "Running"]);
    expect(h.derived().restarts).toBe(0);
    const ip = String(statusOf(h.pod()).podIP);
    const unhealthy = h.events("Unhealthy");
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0].message).toBe(`Readiness probe failed: Get "http://${ip}:8080/ready": dial tcp ${ip}:8080: connect: connection refused`);
    expect(h.events("Killing")).toHaveLength(0);
    h.kubelet.stop();
  });
});

describe("startup-never-passes", () => {
  test("never started or ready; killed after failureThreshold startup failures and restarted with back-off", () => {
    const h = harness("startup-never-passes");
    h.run(3 * MIN);
    const c = containerStatus(h.pod());
    expect(c.restartCount).toBeGreaterThanOrEqual(2);
    expect(c.started).toBe(false);
    expect(c.ready).toBe(false);
    expect(h.events("Unhealthy").map((e) => e.message)).toEqual(["Startup probe failed: HTTP probe failed with statuscode: 503"]);
    expect(h.events("Killing").map((e) => e.message)).toEqual(["Container app failed startup probe, will be restarted"]);
    expect(distinct(h.statuses)).toEqual(["Pending", "ContainerCreating", "Running", "Error", "CrashLoopBackOff"]);
    h.kubelet.stop();
  });
});

describe("init-failure", () => {
  test("shows Init:Error then Init:CrashLoopBackOff while the app container waits in PodInitializing", () => {
    const h = harness("init-failure");
    h.run(3 * MIN);
    expect(h.statuses.slice(0, 6)).toEqual(["Pending", "Init:0/1", "Init:Error", "Init:0/1", "Init:Error", "Init:CrashLoopBackOff"]);
    const pod = h.pod();
    const status = statusOf(pod);
    expect(status.phase).toBe("Pending");
    expect(status.initContainerStatuses?.[0]).toMatchObject({ name: "init-db", restartCount: expect.any(Number), lastState: { terminated: { exitCode: 1, reason: "Error" } } });
    expect(status.initContainerStatuses?.[0].restartCount).toBeGreaterThanOrEqual(3);
    expect(containerStatus(pod)).toMatchObject({ name: "app", restartCount: 0, state: { waiting: { reason: "PodInitializing" } } });
    expect(condition(pod, "Initialized")).toMatchObject({ status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [init-db]" });
    expect(h.events("BackOff")[0].involvedObject).toMatchObject({ fieldPath: "spec.initContainers{init-db}" });
    // The app container never got as far as pulling its image.
    expect(h.events("Pulling").map((e) => (e.involvedObject as { fieldPath?: string }).fieldPath)).toEqual(["spec.initContainers{init-db}"]);
    h.kubelet.stop();
  });
});

describe("oom-killed", () => {
  test("terminates OOMKilled with exit 137 and restarts with back-off", () => {
    const h = harness("oom-killed");
    h.run(4 * MIN);
    expect(h.statuses.slice(0, 7)).toEqual(["Pending", "ContainerCreating", "Running", "OOMKilled", "Running", "OOMKilled", "CrashLoopBackOff"]);
    const c = containerStatus(h.pod());
    expect(c.lastState?.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    expect(c.restartCount).toBeGreaterThanOrEqual(3);
    expect(specOf(h.pod()).containers[0].resources?.limits?.memory).toBe("128Mi");
    h.kubelet.stop();
  });
});

describe("evicted", () => {
  test("phase Failed with reason Evicted and the eviction manager's message; kubectl shows Evicted, then the container's reason", () => {
    const h = harness("evicted");
    h.run(3 * MIN);
    expect(h.statuses).toEqual(["Pending", "ContainerCreating", "Running", "Evicted", "Error"]);
    const pod = h.pod();
    const status = statusOf(pod);
    expect(status.phase).toBe("Failed");
    expect(status.reason).toBe("Evicted");
    expect(status.message).toMatch(/^The node was low on resource: (memory|ephemeral-storage)\. Threshold quantity: \S+, available: \d+Ki\. Container app was using \d+Ki, request is \S+, has larger consumption of (memory|ephemeral-storage)\. $/);
    expect(condition(pod, "DisruptionTarget")).toMatchObject({ status: "True", reason: "TerminationByKubelet", message: status.message });
    expect(condition(pod, "PodReadyToStartContainers")?.status).toBe("False");
    expect(containerStatus(pod).state?.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
    expect(h.derived()).toMatchObject({ reason: "Evicted", phase: "Failed" });
    expect(h.events("Evicted")).toEqual([expect.objectContaining({ type: "Warning", message: status.message, involvedObject: expect.not.objectContaining({ fieldPath: expect.anything() }) })]);
    expect(h.events("Killing").map((e) => e.message)).toEqual(["Stopping container app"]);
    // A terminal pod needs no more timers.
    expect(h.kubeletTimers()).toBe(0);
    h.kubelet.stop();
  });
});

describe("node-lost", () => {
  test("Ready goes False, then the pod is marked NodeLost and deleted, and shows Unknown until pod GC removes it", () => {
    const h = harness("node-lost");
    h.run(60_000 + 10_000);
    expect(h.derived().status).toBe("Running");
    h.run(TIMING.nodeMonitorGrace);
    let pod = h.pod();
    expect(condition(pod, "Ready")?.status).toBe("False");
    // The node controller only flips Ready; the containers are as the kubelet last reported them.
    expect(condition(pod, "ContainersReady")?.status).toBe("True");
    expect(h.events("NodeNotReady")).toEqual([expect.objectContaining({ type: "Warning", message: "Node is not ready", source: { component: "node-controller" } })]);

    h.run(TIMING.unreachableToleration);
    pod = h.pod();
    expect(pod?.metadata?.deletionTimestamp).toEqual(expect.any(String));
    expect(pod?.status).toMatchObject({ reason: "NodeLost", message: `Node ${String(specOf(pod).nodeName)} which was running pod web-1 is unresponsive` });
    expect(h.derived().status).toBe("Unknown");
    expect(h.events("TaintManagerEviction")[0].message).toBe("Marking for deletion Pod default/web-1");

    // Nobody on the dead node finishes the deletion: it stays, well past its grace period.
    h.run(5 * MIN);
    expect(h.pod()).toBeDefined();
    h.run(TIMING.lostPodGc);
    expect(h.pod()).toBeUndefined();
    expect(h.statuses).toEqual(["Pending", "ContainerCreating", "Running", "NodeLost", "Unknown", "<gone>"]);
    expect(h.kubeletTimers()).toBe(0);
    h.kubelet.stop();
  });
});

describe("completed", () => {
  test("a job pod runs to exit 0: Completed, phase Succeeded, conditions PodCompleted", () => {
    const h = harness("completed");
    h.run(MIN);
    expect(h.statuses).toEqual(["Pending", "ContainerCreating", "Running", "Completed"]);
    const pod = h.pod();
    expect(statusOf(pod).phase).toBe("Succeeded");
    expect(specOf(pod).restartPolicy).toBe("Never");
    expect(containerStatus(pod)).toMatchObject({ name: "report", restartCount: 0, ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } });
    expect(condition(pod, "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
    expect(condition(pod, "ContainersReady")).toMatchObject({ status: "False", reason: "PodCompleted" });
    expect(condition(pod, "PodReadyToStartContainers")?.status).toBe("False");
    expect(h.derived().health).toBe("Completed");
    expect(h.kubeletTimers()).toBe(0);
    h.kubelet.stop();
  });
});

describe("deletion", () => {
  test("deleted with a grace period: Terminating, containers stopped, then the object is removed", () => {
    const h = harness("deletion");
    // The fate fires a minute after the sandbox is up (3 s in); the app takes 2 s to exit.
    h.run(MIN + 4000);
    const pod = h.pod();
    expect(pod?.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 30 });
    expect(h.derived().status).toBe("Terminating");
    expect(h.events("Killing").map((e) => e.message)).toEqual(["Stopping container app"]);

    h.run(5000);
    expect(h.pod()).toBeUndefined();
    expect(h.statuses).toEqual(["Pending", "ContainerCreating", "Running", "Terminating", "Completed", "<gone>"]);
    expect(h.kubelet.pods()).toEqual([]);
    expect(h.kubeletTimers()).toBe(0);
    h.kubelet.stop();
  });
});

describe("recovering", () => {
  test("crash-loops three times, then runs Ready with 3 restarts", () => {
    const h = harness("recovering");
    h.run(5 * MIN);
    expect(h.statuses).toEqual(["Pending", "ContainerCreating", "Running", "Error", "Running", "Error", "CrashLoopBackOff", "Running", "Error", "CrashLoopBackOff", "Running"]);
    expect(h.derived()).toMatchObject({ status: "Running", ready: "1/1", restarts: 3 });
    h.kubelet.stop();
  });
});
