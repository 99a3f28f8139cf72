// Watches as clients use them: client-node's Watch and informer, resume from a version, 410 after compaction,
// bookmarks and timeouts, selector transitions, Table watches, and the fault injection the controller tests use.
import { ApiException, CoreV1Api, makeInformer, Watch, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import type { SimCluster } from "../../src/sim/index.js";
import { kubeConfigOf, pod, startTestCluster, waitFor } from "./helpers.js";

let cluster: SimCluster;
let core: CoreV1Api;
let watch: Watch;

beforeAll(async () => {
  cluster = await startTestCluster({ bookmarkIntervalMs: 100, watchHistorySize: 200 });
  const kc = kubeConfigOf(cluster);
  core = kc.makeApiClient(CoreV1Api);
  watch = new Watch(kc);
});

afterAll(async () => {
  await cluster.close();
});

interface Seen {
  events: Array<{ type: string; name: string; rv: string; meta: KubernetesObject["metadata"] }>;
  done: Promise<unknown>;
  abort: () => void;
}

async function watchPods(path: string, query: Record<string, string | number | boolean>): Promise<Seen> {
  const events: Seen["events"] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const controller = await watch.watch(
    path,
    query,
    (type: string, obj: KubernetesObject) => events.push({ type, name: obj.metadata?.name ?? "", rv: obj.metadata?.resourceVersion ?? "", meta: obj.metadata }),
    (err: unknown) => finish(err ?? null),
  );
  return { events, done, abort: () => controller.abort() };
}

async function createNs(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

describe("watch", () => {
  test("from a list's version: every change in order, selector transitions as ADDED/DELETED", async () => {
    await createNs("w1");
    await core.createNamespacedPod({ namespace: "w1", body: pod("before", { labels: { app: "x" } }) });
    const list = await core.listNamespacedPod({ namespace: "w1" });
    const all = await watchPods("/api/v1/namespaces/w1/pods", { resourceVersion: list.metadata!.resourceVersion! });
    const selected = await watchPods("/api/v1/namespaces/w1/pods", { resourceVersion: list.metadata!.resourceVersion!, labelSelector: "app=x" });

    await core.createNamespacedPod({ namespace: "w1", body: pod("p", { labels: { app: "x" } }) });
    const p = await core.readNamespacedPod({ namespace: "w1", name: "p" });
    await core.replaceNamespacedPod({ namespace: "w1", name: "p", body: { ...p, metadata: { ...p.metadata, labels: { app: "y" } } } });
    await core.deleteNamespacedPod({ namespace: "w1", name: "p" });
    await core.createNamespacedPod({ namespace: "default", body: pod("elsewhere") });

    await waitFor(() => all.events.length >= 4 && selected.events.length >= 2, "watch events");
    // The delete of an unscheduled pod writes deletionTimestamp (MODIFIED) before the object goes (DELETED).
    expect(all.events.map((e) => `${e.type} ${e.name}`)).toEqual(["ADDED p", "MODIFIED p", "MODIFIED p", "DELETED p"]);
    const rvs = all.events.map((e) => Number(e.rv));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(selected.events.map((e) => `${e.type} ${e.name}`)).toEqual(["ADDED p", "DELETED p"]);
    all.abort();
    selected.abort();
  });

  // kube-apiserver 1.32: pods have a graceful delete strategy (pkg/registry/core/pod/strategy.go CheckGracefulDelete),
  // so registry/generic/registry/store.go updateForGracefulDeletionAndFinalizers first stores deletionTimestamp and
  // deletionGracePeriodSeconds (MODIFIED), and only then, with a grace period of 0, deletes the object (DELETED).
  test("deleting a pod with grace 0 (kubectl delete --grace-period=0 --force, an unscheduled pod, the kubelet's confirm): MODIFIED, then DELETED", async () => {
    await createNs("w0");
    await core.createNamespacedPod({ namespace: "w0", body: pod("forced", { nodeName: "node-1" }) });
    await core.createNamespacedPod({ namespace: "w0", body: pod("unscheduled") });
    await core.createNamespacedPod({ namespace: "w0", body: pod("graceful", { nodeName: "node-1" }) });
    const list = await core.listNamespacedPod({ namespace: "w0" });
    const seen = await watchPods("/api/v1/namespaces/w0/pods", { resourceVersion: list.metadata!.resourceVersion! });

    await core.deleteNamespacedPod({ namespace: "w0", name: "forced", gracePeriodSeconds: 0 });
    await core.deleteNamespacedPod({ namespace: "w0", name: "unscheduled" });
    await core.deleteNamespacedPod({ namespace: "w0", name: "graceful" });
    const uid = list.items.find((p) => p.metadata?.name === "graceful")?.metadata?.uid;
    await core.deleteNamespacedPod({ namespace: "w0", name: "graceful", gracePeriodSeconds: 0, body: { preconditions: { uid } } });

    await waitFor(() => seen.events.length >= 7, "watch events");
    seen.abort();
    const summary = seen.events.map((e) => `${e.type} ${e.name} ${e.meta?.deletionGracePeriodSeconds ?? "-"} ${e.meta?.deletionTimestamp ? "ts" : "-"}`);
    expect(summary).toEqual([
      "MODIFIED forced 0 ts",
      "DELETED forced 0 ts",
      "MODIFIED unscheduled 0 ts",
      "DELETED unscheduled 0 ts",
      "MODIFIED graceful 30 ts",
      "MODIFIED graceful 0 ts",
      "DELETED graceful 0 ts",
    ]);
    // The confirm moves the deadline back by the grace period it cancels: to when deletion began.
    const first = new Date(seen.events[4].meta!.deletionTimestamp as unknown as string).getTime();
    const confirmed = new Date(seen.events[5].meta!.deletionTimestamp as unknown as string).getTime();
    expect(first - confirmed).toBe(30_000);
  });

  test("without a version (or 0) a watch starts with ADDED for what exists", async () => {
    await createNs("w2");
    await core.createNamespacedPod({ namespace: "w2", body: pod("existing") });
    const fresh = await watchPods("/api/v1/namespaces/w2/pods", {});
    const zero = await watchPods("/api/v1/namespaces/w2/pods", { resourceVersion: "0" });
    await waitFor(() => fresh.events.length >= 1 && zero.events.length >= 1, "initial events");
    expect(fresh.events[0]).toMatchObject({ type: "ADDED", name: "existing" });
    expect(zero.events[0]).toMatchObject({ type: "ADDED", name: "existing" });
    fresh.abort();
    zero.abort();
  });

  test("a version older than the history gets an ERROR event with a 410 Status", async () => {
    const old = cluster.store.currentResourceVersion();
    await core.createNamespacedPod({ namespace: "default", body: pod("compacted-away") });
    cluster.faults.compact();
    const objects: Array<{ type: string; obj: { code?: number; reason?: string; kind?: string } }> = [];
    let ended = false;
    await watch.watch(
      "/api/v1/namespaces/default/pods",
      { resourceVersion: old },
      (type: string, obj: { code?: number; reason?: string; kind?: string }) => objects.push({ type, obj }),
      () => {
        ended = true;
      },
    );
    await waitFor(() => ended, "the watch to end");
    expect(objects).toEqual([{ type: "ERROR", obj: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }) }]);
  });

  test("Cacher.Watch from a resourceVersion newer than the store's is accepted and silent, bookmarks too, until the store passes it (cacheWatcher.process)", async () => {
    await createNs("future");
    const ahead = Number(cluster.store.currentResourceVersion()) + 3;
    const seen = await watchPods("/api/v1/namespaces/future/pods", { resourceVersion: String(ahead), allowWatchBookmarks: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Four bookmark intervals passed: nothing, as the cache's bookmarks carry its own (older) version.
    expect(seen.events).toEqual([]);
    for (const name of ["f1", "f2", "f3", "f4", "f5"]) await core.createNamespacedPod({ namespace: "future", body: pod(name) });
    await waitFor(() => seen.events.some((e) => e.name === "f5"), "the last pod");
    await waitFor(() => seen.events.some((e) => e.type === "BOOKMARK"), "a bookmark once the store is past the version");
    seen.abort();
    const added = seen.events.filter((e) => e.type === "ADDED");
    expect(added.every((e) => Number(e.rv) > ahead)).toBe(true);
    expect(added.map((e) => e.name)).toEqual(["f4", "f5"]);
  });

  test("watchCache.waitUntilFreshAndBlock: a watch-list from a resourceVersion newer than the store's fails after the block timeout with 504 Too large resource version", async () => {
    const fast = await startTestCluster({ watchFreshnessTimeoutMs: 200 });
    try {
      const w = new Watch(kubeConfigOf(fast));
      const current = Number(fast.store.currentResourceVersion());
      const objects: unknown[] = [];
      let ended = false;
      await w.watch(
        "/api/v1/namespaces/default/pods",
        { resourceVersion: String(current + 10), resourceVersionMatch: "NotOlderThan", sendInitialEvents: true, allowWatchBookmarks: true },
        (type: string, obj: unknown) => objects.push({ type, obj }),
        () => (ended = true),
      );
      await waitFor(() => ended, "the watch to end");
      expect(objects).toEqual([
        {
          type: "ERROR",
          obj: {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            message: `Timeout: Too large resource version: ${current + 10}, current: ${current}`,
            reason: "Timeout",
            details: { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 },
            code: 504,
          },
        },
      ]);
    } finally {
      await fast.close();
    }
  });

  test("watchCache.waitUntilFreshAndBlock: a watch-list whose version the store reaches within the block timeout gets the state and the initial-events-end bookmark", async () => {
    const slow = await startTestCluster({ watchFreshnessTimeoutMs: 5000 });
    try {
      const w = new Watch(kubeConfigOf(slow));
      const events: Array<{ type: string; name: string; annotations: Record<string, string> }> = [];
      const ahead = Number(slow.store.currentResourceVersion()) + 1;
      const controller = await w.watch(
        "/api/v1/namespaces/default/pods",
        { resourceVersion: String(ahead), resourceVersionMatch: "NotOlderThan", sendInitialEvents: true, allowWatchBookmarks: true },
        (type: string, obj: KubernetesObject) => events.push({ type, name: obj.metadata?.name ?? "", annotations: obj.metadata?.annotations ?? {} }),
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(events).toEqual([]);
      slow.store.create("pods", pod("arrives", { namespace: "default" }));
      await waitFor(() => events.some((e) => e.type === "BOOKMARK"), "the initial-events-end bookmark");
      controller.abort();
      expect(events[0]).toMatchObject({ type: "ADDED", name: "arrives" });
      expect(events.find((e) => e.type === "BOOKMARK")?.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    } finally {
      await slow.close();
    }
  });

  test("bookmarks arrive periodically and at the end of timeoutSeconds; the stream then closes", async () => {
    const start = Date.now();
    const seen = await watchPods("/api/v1/namespaces/default/pods", { resourceVersion: cluster.store.currentResourceVersion(), allowWatchBookmarks: true, timeoutSeconds: 1 });
    await seen.done;
    const elapsed = Date.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    const bookmarks = seen.events.filter((e) => e.type === "BOOKMARK");
    expect(bookmarks.length).toBeGreaterThanOrEqual(5);
    expect(bookmarks.at(-1)?.rv).toBe(cluster.store.currentResourceVersion());
  });

  test("a Table watch carries one-row Tables", async () => {
    const res = await fetch(`${cluster.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${cluster.store.currentResourceVersion()}`, {
      headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
    });
    const reader = res.body!.getReader();
    await core.createNamespacedPod({ namespace: "default", body: pod("tabled", { nodeName: "n1" }) });
    let text = "";
    while (!text.includes("\n")) {
      const { value } = await reader.read();
      text += Buffer.from(value!).toString("utf8");
    }
    await reader.cancel();
    const event = JSON.parse(text.split("\n")[0]) as { type: string; object: { kind: string; rows: Array<{ cells: unknown[] }> } };
    expect(event.type).toBe("ADDED");
    expect(event.object.kind).toBe("Table");
    expect(event.object.rows[0].cells.slice(0, 3)).toEqual(["tabled", "0/1", "Pending"]);
  });
});

describe("informer (client-node makeInformer)", () => {
  test("follows changes, and recovers with a re-list after watches are dropped and history compacted", async () => {
    await createNs("inf");
    await core.createNamespacedPod({ namespace: "inf", body: pod("a") });
    const informer = makeInformer(kubeConfigOf(cluster), "/api/v1/namespaces/inf/pods", () => core.listNamespacedPod({ namespace: "inf" }));
    const log: string[] = [];
    const errors: unknown[] = [];
    informer.on("add", (p: V1Pod) => log.push(`add ${p.metadata?.name}`));
    informer.on("update", (p: V1Pod) => log.push(`update ${p.metadata?.name}`));
    informer.on("delete", (p: V1Pod) => log.push(`delete ${p.metadata?.name}`));
    informer.on("error", (err: unknown) => errors.push(err));
    await informer.start();
    try {
      await waitFor(() => log.includes("add a"), "initial add");
      await core.createNamespacedPod({ namespace: "inf", body: pod("b") });
      await waitFor(() => log.includes("add b"), "add b");

      // While the informer is disconnected, history moves on and is compacted: its resume gets 410 and it re-lists.
      cluster.faults.pause();
      expect(cluster.faults.dropWatches()).toBeGreaterThanOrEqual(1);
      cluster.store.delete("pods", "inf", "a", { gracePeriodSeconds: 0 });
      cluster.store.create("pods", pod("c", { namespace: "inf" }));
      cluster.faults.compact();
      cluster.faults.resume();
      await waitFor(() => log.includes("delete a") && log.includes("add c"), "re-list after 410", 10_000);
      expect(informer.list().map((p) => p.metadata?.name).sort()).toEqual(["b", "c"]);
      expect(errors).toEqual([]);

      // Any other watch failure stops client-node's informer for good: it reports the error and does not retry.
      cluster.faults.failNext(1, { method: "GET", watch: true, status: 503 });
      cluster.faults.dropWatches();
      await waitFor(() => errors.length === 1, "the informer's error callback");
      expect((errors[0] as { statusCode?: number }).statusCode).toBe(503);
      await core.createNamespacedPod({ namespace: "inf", body: pod("d") });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(log).not.toContain("add d");
    } finally {
      await informer.stop();
    }
  });
});

describe("faults", () => {
  test("failNext: the next matching requests fail with the given status and Retry-After, in order", async () => {
    cluster.faults.failNext(2, { method: "GET", path: "/api/v1/namespaces/default/pods$", status: 429, retryAfterSeconds: 7 });
    cluster.faults.failNext(1, { status: 500 });
    const codes: Array<number | string> = [];
    for (let i = 0; i < 4; i++) {
      try {
        await core.listNamespacedPod({ namespace: "default" });
        codes.push("ok");
      } catch (err) {
        codes.push((err as ApiException<unknown>).code);
        if ((err as ApiException<unknown>).code === 429) expect((err as ApiException<unknown>).headers["retry-after"]).toBe("7");
      }
    }
    expect(codes).toEqual([429, 429, 500, "ok"]);
    expect(cluster.faults.state().injected).toBeGreaterThanOrEqual(3);
  });

  test("latency delays matching requests; pause holds them until resume", async () => {
    cluster.faults.setLatency(150, { path: "/api/v1/namespaces$" });
    let t = Date.now();
    await core.listNamespace();
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    cluster.faults.setLatency(0);

    cluster.faults.pause();
    let answered = false;
    const pending = core.listNamespace().then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    t = Date.now();
    cluster.faults.resume();
    await pending;
    expect(answered).toBe(true);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  test("the admin API over HTTP", async () => {
    const post = async (path: string, body: object = {}): Promise<Record<string, unknown>> =>
      (await (await fetch(`${cluster.url}/sim/faults/${path}`, { method: "POST", body: JSON.stringify(body) })).json()) as Record<string, unknown>;
    await post("fail", { count: 1, status: 503, path: "/api/v1/namespaces/default/pods" });
    expect((await fetch(`${cluster.url}/api/v1/namespaces/default/pods`)).status).toBe(503);
    expect((await fetch(`${cluster.url}/api/v1/namespaces/default/pods`)).status).toBe(200);
    const seen = await watchPods("/api/v1/namespaces/default/pods", { resourceVersion: cluster.store.currentResourceVersion() });
    expect((await post("drop-watches")).dropped).toBe(1);
    await seen.done;
    const compacted = await post("compact");
    expect(compacted.resourceVersion).toBe(cluster.store.currentResourceVersion());
    expect((await post("pause")).paused).toBe(true);
    expect((await post("reset")).paused).toBe(false);
    expect((await fetch(`${cluster.url}/sim/faults/nope`, { method: "POST" })).status).toBe(404);
  });
});
