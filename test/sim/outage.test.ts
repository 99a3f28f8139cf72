// The API server going away, seen the way the controller sees it: through client-node 2.0.1 (its undici fetch
// transport) and the real kubectl. Down refuses connections and cuts every open one, and comes back with the
// store intact; a restart also loses the watch cache, so a resume from an older version gets 410 Gone as from
// kube-apiserver 1.32's cacher; a black hole accepts connections and answers nothing. Fault durations run on a
// manual clock; what the clients do (connects, timeouts) is real time.
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiException, CoreV1Api, Watch, type KubernetesObject } from "@kubernetes/client-node";
import type { SimCluster } from "../../src/sim/index.js";
import { ManualClock } from "../../src/sim/kubelet/index.js";
import { errorChain, kubeConfigOf, pod, rejection, startTestCluster, waitFor } from "./helpers.js";
import { hasKubectl, KUBECTL, kubectlIn } from "./kubectl-helpers.js";

if (!hasKubectl) console.warn(`kubectl outage checks skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);

let cluster: SimCluster;
let clock: ManualClock;
let core: CoreV1Api;
let watch: Watch;

beforeEach(async () => {
  clock = new ManualClock();
  cluster = await startTestCluster({ faultClock: clock, bookmarkIntervalMs: 50 });
  const kc = kubeConfigOf(cluster);
  core = kc.makeApiClient(CoreV1Api);
  watch = new Watch(kc);
});

afterEach(async () => {
  await cluster.close();
  // Every fault timer went with the cluster.
  expect(clock.pending()).toBe(0);
});

interface Seen {
  events: Array<{ type: string; name: string; rv: string; code?: number; reason?: string; message?: string }>;
  done: Promise<unknown>;
  abort: () => void;
}

async function watchPods(query: Record<string, string | number | boolean>, on: Watch = watch): Promise<Seen> {
  const events: Seen["events"] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise((resolve) => (finish = resolve));
  const controller = await on.watch(
    "/api/v1/namespaces/default/pods",
    query,
    (type: string, obj: KubernetesObject & { code?: number; reason?: string; message?: string }) =>
      events.push({ type, name: obj.metadata?.name ?? "", rv: obj.metadata?.resourceVersion ?? "", code: obj.code, reason: obj.reason, message: obj.message }),
    (err: unknown) => finish(err ?? null),
  );
  return { events, done, abort: () => controller.abort() };
}

async function podNames(): Promise<string[]> {
  return (await core.listNamespacedPod({ namespace: "default" })).items.map((p) => p.metadata?.name ?? "").sort();
}

describe("down", () => {
  test("connects are refused and open watches cut; after forMs on the fault clock it is back with every object and version", async () => {
    for (const name of ["a", "b"]) await core.createNamespacedPod({ namespace: "default", body: pod(name) });
    const before = await core.listNamespacedPod({ namespace: "default" });
    const rv = before.metadata!.resourceVersion!;
    const open = await watchPods({ resourceVersion: rv });

    await cluster.faults.down({ forMs: 30_000 });
    // client-node's watch: the stream ends without its last chunk (undici: "terminated" <- "other side closed").
    expect(errorChain(await open.done)).toMatch(/^TypeError: terminated <- SocketError\(UND_ERR_SOCKET\): other side closed/);
    // Every request: fetch failed <- ECONNREFUSED, before any HTTP is spoken.
    expect(errorChain(await rejection(core.listNamespacedPod({ namespace: "default" })))).toMatch(/^TypeError: fetch failed <- Error\(ECONNREFUSED\): connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(cluster.faults.state()).toMatchObject({ down: true, upAt: clock.now() + 30_000 });

    clock.advance(29_999);
    expect(errorChain(await rejection(podNames()))).toContain("ECONNREFUSED");
    clock.advance(1);
    await cluster.faults.whenUp();
    expect(cluster.faults.state()).toMatchObject({ down: false, upAt: undefined });

    const after = await core.listNamespacedPod({ namespace: "default" });
    expect(after.metadata?.resourceVersion).toBe(rv);
    expect(after.items.map((p) => [p.metadata?.name, p.metadata?.uid, p.metadata?.resourceVersion])).toEqual(
      before.items.map((p) => [p.metadata?.name, p.metadata?.uid, p.metadata?.resourceVersion]),
    );
    // The watch cache survived: a watch resumes from the old version, and versions keep rising.
    const resumed = await watchPods({ resourceVersion: rv });
    const c = await core.createNamespacedPod({ namespace: "default", body: pod("c") });
    expect(Number(c.metadata?.resourceVersion)).toBeGreaterThan(Number(rv));
    await waitFor(() => resumed.events.length === 1, "the resumed watch's event");
    expect(resumed.events[0]).toMatchObject({ type: "ADDED", name: "c" });
    resumed.abort();
  });

  test("without a duration it stays down until up(); reset() brings it back too; the port is the same", async () => {
    await cluster.faults.down();
    clock.advance(24 * 3600_000);
    expect(errorChain(await rejection(podNames()))).toContain("ECONNREFUSED");
    await cluster.faults.up();
    expect(await podNames()).toEqual([]);

    await cluster.faults.down({ forMs: 60_000 });
    cluster.faults.reset();
    await cluster.faults.whenUp();
    expect(clock.pending()).toBe(0);
    expect(cluster.faults.state()).toMatchObject({ down: false, upAt: undefined });
    expect((await fetch(`${cluster.url}/healthz`)).status).toBe(200);
  });

  test("bad durations are refused with a clear error", async () => {
    await expect(cluster.faults.down({ forMs: -1 })).rejects.toThrow("down: forMs must be a number of milliseconds");
    await expect(cluster.faults.down({ forMs: 2 ** 31 })).rejects.toThrow("forMs must be");
    expect(() => cluster.faults.blackHole({ forMs: Number.NaN })).toThrow("blackHole: forMs must be");
    expect(cluster.faults.state().down).toBe(false);
  });

  (hasKubectl ? test : test.skip)("kubectl says the connection was refused", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sim-outage-"));
    try {
      await cluster.writeKubeconfig(path.join(dir, "kubeconfig"));
      await cluster.faults.down();
      const r = await kubectlIn(dir, "get", "pods");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/The connection to the server 127\.0\.0\.1:\d+ was refused - did you specify the right host or port\?/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("restart", () => {
  test("a watch from before it gets an ERROR event with 410 Expired in a 200 stream; lists and fresh watches work; versions keep rising", async () => {
    for (const name of ["a", "b", "c"]) await core.createNamespacedPod({ namespace: "default", body: pod(name) });
    const page = await core.listNamespacedPod({ namespace: "default", limit: 2 });
    const old = page.metadata!.resourceVersion!;
    // A write after the first page: etcd keeps the revision it compacts at, so a token must be older than that.
    await core.createNamespacedPod({ namespace: "default", body: pod("x") });

    await cluster.faults.restart();
    await cluster.faults.whenUp();
    const atRestart = cluster.store.currentResourceVersion();
    expect(cluster.faults.state()).toMatchObject({ down: false, restarts: 1 });

    // kube-apiserver 1.32 cacher: "too old resource version: <asked> (<oldest it can serve>)", then the end.
    const stale = await watchPods({ resourceVersion: old });
    expect(await stale.done).toBeNull();
    expect(stale.events).toEqual([expect.objectContaining({ type: "ERROR", code: 410, reason: "Expired", message: `too old resource version: ${old} (${atRestart})` })]);
    const raw = await fetch(`${cluster.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=1`);
    expect(raw.status).toBe(200);
    expect(JSON.parse(await raw.text())).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });

    // The continue token of a list begun before it: 410, as etcd answers a compacted revision.
    const cont = await rejection(core.listNamespacedPod({ namespace: "default", limit: 2, _continue: page.metadata!._continue! }));
    expect(cont).toBeInstanceOf(ApiException);
    expect((cont as ApiException<string>).code).toBe(410);
    expect(JSON.parse((cont as ApiException<string>).body)).toMatchObject({ reason: "Expired" });

    // Lists without a version, or "0", and watches from the restart's version work; nothing was lost.
    expect(await podNames()).toEqual(["a", "b", "c", "x"]);
    expect((await core.listNamespacedPod({ namespace: "default", resourceVersion: "0" })).items).toHaveLength(4);
    const fresh = await watchPods({ resourceVersion: atRestart });
    const d = await core.createNamespacedPod({ namespace: "default", body: pod("d") });
    expect(Number(d.metadata?.resourceVersion)).toBe(Number(atRestart) + 1);
    await waitFor(() => fresh.events.length === 1, "the fresh watch's event");
    expect(fresh.events[0]).toMatchObject({ type: "ADDED", name: "d" });
    fresh.abort();
  });

  test("with forMs it is down meanwhile; keepEtcdHistory loses only the watch cache, so a continue token still works", async () => {
    for (const name of ["a", "b", "c"]) await core.createNamespacedPod({ namespace: "default", body: pod(name) });
    const page = await core.listNamespacedPod({ namespace: "default", limit: 2 });
    const old = page.metadata!.resourceVersion!;
    await core.createNamespacedPod({ namespace: "default", body: pod("x") });

    await cluster.faults.restart({ forMs: 5_000, keepEtcdHistory: true });
    expect(errorChain(await rejection(podNames()))).toContain("ECONNREFUSED");
    clock.advance(5_000);
    await cluster.faults.whenUp();

    const rest = await core.listNamespacedPod({ namespace: "default", limit: 2, _continue: page.metadata!._continue! });
    // (etcd would serve the rest at the first page's revision, without x; the sim serves later pages from the
    // current state, so only the key order is pinned here.)
    expect(rest.items.map((p) => p.metadata?.name)[0]).toBe("c");
    const stale = await watchPods({ resourceVersion: old });
    await stale.done;
    expect(stale.events.map((e) => [e.type, e.code])).toEqual([["ERROR", 410]]);
  });
});

describe("black hole", () => {
  test("connections are accepted, requests never answered, open watches silent; lifted on the fault clock, held requests are answered and watches catch up", async () => {
    await core.createNamespacedPod({ namespace: "default", body: pod("a") });
    const open = await watchPods({ resourceVersion: cluster.store.currentResourceVersion(), allowWatchBookmarks: true });
    await waitFor(() => open.events.some((e) => e.type === "BOOKMARK"), "a bookmark before the black hole");

    cluster.faults.blackHole({ forMs: 60_000 });
    const heard = open.events.length;
    cluster.store.create("pods", pod("during", { namespace: "default" }));

    // A plain request hangs: nothing comes back before the client's own timeout (real time, 300 ms here).
    const held = fetch(`${cluster.url}/api/v1/namespaces/default/pods`);
    const timedOut = await rejection(fetch(`${cluster.url}/api/v1/namespaces`, { signal: AbortSignal.timeout(300) }));
    expect(errorChain(timedOut)).toBe("TimeoutError: The operation was aborted due to timeout");
    // client-node's Watch: no headers, so its connect timer fires (its default is 30 s; 300 ms here).
    const patient = new Watch(kubeConfigOf(cluster));
    (patient as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 300;
    const late = await watchPods({}, patient);
    expect(errorChain(await late.done)).toBe("TimeoutError: The operation was aborted due to timeout");
    // TCP still accepts: the kernel completes the handshake, the server says nothing.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(new URL(cluster.url).port), "127.0.0.1", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", reject);
    });
    // The open watch heard nothing: no event for "during", no bookmark, for all the time above.
    expect(open.events.length).toBe(heard);
    // The admin API still answers (that is how a person lifts it over HTTP); the aborted requests left.
    await waitFor(() => cluster.faults.state().heldRequests === 1, "only the pending request still held");
    const state = (await (await fetch(`${cluster.url}/sim/faults`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ blackHole: true, blackHoleEndsAt: clock.now() + 60_000, heldRequests: 1 });

    clock.advance(60_000);
    const answered = await held;
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { items: unknown[] }).items).toHaveLength(2);
    await waitFor(() => open.events.some((e) => e.name === "during"), "the silent watch to catch up");
    expect(open.events.slice(heard).filter((e) => e.type !== "BOOKMARK")).toEqual([expect.objectContaining({ type: "ADDED", name: "during" })]);
    await waitFor(() => open.events.slice(heard).some((e) => e.type === "BOOKMARK"), "bookmarks again");
    expect(cluster.faults.state()).toMatchObject({ blackHole: false, blackHoleEndsAt: undefined, heldRequests: 0 });
    open.abort();
  });

  test("a watch silenced past its history gets 410 when lifted; a timeout that fell due meanwhile ends it then", async () => {
    const small = await startTestCluster({ faultClock: clock, watchHistorySize: 3 });
    try {
      const w = new Watch(kubeConfigOf(small));
      const rv = small.store.currentResourceVersion();
      const events: Array<[string, number | undefined]> = [];
      let ended: unknown;
      await w.watch("/api/v1/namespaces/default/pods", { resourceVersion: rv }, (t: string, o: { code?: number }) => events.push([t, o.code]), (err: unknown) => (ended = err ?? null));
      small.faults.blackHole();
      for (let i = 0; i < 5; i++) small.store.create("pods", pod(`p${i}`, { namespace: "default" }));
      small.faults.liftBlackHole();
      await waitFor(() => ended !== undefined, "the watch to end");
      expect(events).toEqual([["ERROR", 410]]);

      const timed = new Watch(kubeConfigOf(small));
      let timedEnd: unknown;
      await timed.watch("/api/v1/namespaces/default/pods", { resourceVersion: small.store.currentResourceVersion(), timeoutSeconds: 1 }, () => undefined, (err: unknown) => (timedEnd = err ?? null));
      small.faults.blackHole();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(timedEnd).toBeUndefined();
      small.faults.liftBlackHole();
      await waitFor(() => timedEnd !== undefined, "the timed-out watch to end once lifted");
      expect(timedEnd).toBeNull();
    } finally {
      await small.close();
    }
  });

  (hasKubectl ? test : test.skip)("kubectl gives up at its --request-timeout", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sim-outage-"));
    try {
      await cluster.writeKubeconfig(path.join(dir, "kubeconfig"));
      // Discovery cached first, or kubectl spends five timeouts on discovery before the request itself.
      expect((await kubectlIn(dir, "get", "pods")).code).toBe(0);
      cluster.faults.blackHole();
      const r = await kubectlIn(dir, "get", "pods", "--request-timeout=1s");
      expect(r.code).toBe(1);
      // Go's http.Client timeout while awaiting headers; the wording depends on which timer fires first.
      expect(r.stderr).toMatch(/Unable to connect to the server: (context deadline exceeded|net\/http: request canceled \(Client\.Timeout exceeded while awaiting headers\))/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
