// The reset fault (a connection reset in the middle of a response or a watch) as client-node 2.0.1 and kubectl
// see it, and the /sim/faults admin API that sets every fault over HTTP, its examples included.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiException, CoreV1Api, Watch } from "@kubernetes/client-node";
import { FAULT_ROUTES } from "../../src/sim/fault-api.js";
import type { SimCluster } from "../../src/sim/index.js";
import { ManualClock } from "../../src/sim/kubelet/index.js";
import { errorChain, kubeConfigOf, pod, rejection, startTestCluster, waitFor } from "./helpers.js";
import { hasKubectl, KUBECTL, kubectlIn } from "./kubectl-helpers.js";

if (!hasKubectl) console.warn(`kubectl reset check skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);

let cluster: SimCluster;
let clock: ManualClock;
let core: CoreV1Api;

beforeAll(async () => {
  clock = new ManualClock();
  cluster = await startTestCluster({ faultClock: clock });
  core = kubeConfigOf(cluster).makeApiClient(CoreV1Api);
  for (let i = 0; i < 20; i++) await core.createNamespacedPod({ namespace: "default", body: pod(`p${String(i).padStart(2, "0")}`) });
});

afterAll(async () => {
  await cluster.close();
  expect(clock.pending()).toBe(0);
});

afterEach(async () => {
  cluster.faults.reset();
  await cluster.faults.whenUp();
});

async function watchEvents(query: Record<string, string | number | boolean>): Promise<{ types: string[]; err: unknown }> {
  const types: string[] = [];
  const err = await new Promise((resolve) => {
    void new Watch(kubeConfigOf(cluster)).watch("/api/v1/namespaces/default/pods", query, (type: string) => types.push(type), (e: unknown) => resolve(e ?? null));
  });
  return { types, err };
}

async function post(name: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cluster.url}/sim/faults/${name}`, { method: "POST", body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("reset-next", () => {
  test("a list: the headers promise the whole body, afterBytes of it arrive, then the connection is reset", async () => {
    const whole = await (await fetch(`${cluster.url}/api/v1/namespaces/default/pods`)).text();
    cluster.faults.resetNext(1, { method: "GET", path: "/pods$", watch: false, afterBytes: 300 });

    const res = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(whole));
    const reader = res.body!.getReader();
    const received: Buffer[] = [];
    let readError: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received.push(Buffer.from(value));
      }
    } catch (err) {
      readError = err;
    }
    expect(Buffer.concat(received).toString()).toBe(whole.slice(0, 300));
    expect(errorChain(readError)).toBe("TypeError: terminated <- Error(ECONNRESET): read ECONNRESET");
    expect(cluster.faults.state().pendingResets).toEqual([]);
    // One request was cut; the next is whole.
    expect(await (await fetch(`${cluster.url}/api/v1/namespaces/default/pods`)).text()).toBe(whole);
  });

  test("client-node's list rejects with undici's terminated <- ECONNRESET, not an ApiException", async () => {
    cluster.faults.resetNext(1, { path: "/pods$", watch: false });
    const err = await rejection(core.listNamespacedPod({ namespace: "default" }));
    expect(err).not.toBeInstanceOf(ApiException);
    expect(errorChain(err)).toBe("TypeError: terminated <- Error(ECONNRESET): read ECONNRESET");
    expect((await core.listNamespacedPod({ namespace: "default" })).items).toHaveLength(20);
  });

  test("a watch: afterEvents events arrive, then client-node's done callback gets the reset; 0 resets it right after the headers", async () => {
    cluster.faults.resetNext(1, { watch: true, afterEvents: 3 });
    const three = await watchEvents({});
    expect(three.types).toEqual(["ADDED", "ADDED", "ADDED"]);
    expect(errorChain(three.err)).toBe("TypeError: terminated <- Error(ECONNRESET): read ECONNRESET");

    cluster.faults.resetNext(1, { watch: true, afterEvents: 0 });
    const none = await watchEvents({});
    expect(none.types).toEqual([]);
    expect(errorChain(none.err)).toContain("ECONNRESET");
  });

  test("a failure rule that matches the same request wins; the reset waits for the next one", async () => {
    cluster.faults.resetNext(1, { path: "/pods$", watch: false });
    cluster.faults.failNext(1, { path: "/pods$", status: 503 });
    expect((await rejection(core.listNamespacedPod({ namespace: "default" })) as ApiException<unknown>).code).toBe(503);
    expect(errorChain(await rejection(core.listNamespacedPod({ namespace: "default" })))).toContain("ECONNRESET");
    expect(cluster.faults.state().injected).toBeGreaterThanOrEqual(2);
  });

  test("drop-watches with abort resets the connections too (an RST, not the clean end of a plain drop)", async () => {
    const plain = watchEvents({ resourceVersion: cluster.store.currentResourceVersion() });
    await waitFor(() => cluster.faults.dropWatches() === 1, "the watch to open and drop");
    expect(errorChain((await plain).err)).toBe("");
    const aborted = watchEvents({ resourceVersion: cluster.store.currentResourceVersion() });
    await waitFor(() => cluster.faults.dropWatches({ abort: true }) === 1, "the watch to open and reset");
    expect(errorChain((await aborted).err)).toBe("TypeError: terminated <- Error(ECONNRESET): read ECONNRESET");
  });

  test("bad arguments are refused", () => {
    expect(() => cluster.faults.resetNext(0)).toThrow("resetNext: count must be a positive integer, got 0");
    expect(() => cluster.faults.resetNext(1, { afterBytes: -5 })).toThrow("resetNext: afterBytes must be a non-negative integer, got -5");
    expect(() => cluster.faults.resetNext(1, { afterEvents: 1.5 })).toThrow("afterEvents must be a non-negative integer");
  });

  (hasKubectl ? test : test.skip)("kubectl does not retry a truncated body: it says so and exits 1", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sim-reset-"));
    try {
      await cluster.writeKubeconfig(path.join(dir, "kubeconfig"));
      cluster.faults.resetNext(1, { path: "/pods$", watch: false });
      const r = await kubectlIn(dir, "get", "pods");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/unexpected error when reading response body\. Please retry\. Original error: read tcp .*: read: connection reset by peer/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the admin API", () => {
  test("every example the sim command prints is accepted", async () => {
    for (const route of FAULT_ROUTES) {
      const reply = await post(route.name, route.example);
      expect([route.name, reply.status]).toEqual([route.name, 200]);
      // down and restart act once their reply is out: wait for that, then bring the server back.
      if (route.name === "down" || route.name === "restart") {
        await waitFor(() => cluster.faults.state().down || cluster.faults.state().restarts > 0, `${route.name} to happen`);
        cluster.faults.reset();
        await cluster.faults.whenUp();
      }
    }
    cluster.faults.reset();
    await cluster.faults.whenUp();
    expect(cluster.faults.state()).toMatchObject({ down: false, blackHole: false, paused: false, pendingFailures: [], pendingResets: [] });
  });

  test("down replies first, then refuses connections; it needs a duration, since nothing could bring it back", async () => {
    expect(await post("down", "{}")).toEqual({ status: 400, json: expect.objectContaining({ reason: "BadRequest", message: expect.stringContaining("down over HTTP needs forMs > 0") }) });
    expect(await post("down", '{"forMs":"soon"}')).toEqual({ status: 400, json: expect.objectContaining({ message: 'forMs must be a number, got "soon"' }) });

    expect(await post("down", '{"forMs":1000}')).toEqual({ status: 200, json: { down: true, forMs: 1000 } });
    await waitFor(() => cluster.faults.state().down, "the server to go down");
    expect(errorChain(await rejection(fetch(`${cluster.url}/sim/faults`)))).toContain("ECONNREFUSED");
    clock.advance(1000);
    await cluster.faults.whenUp();
    expect((await fetch(`${cluster.url}/sim/faults`)).status).toBe(200);
  });

  test("restart, blackhole, lift and reset-next over HTTP; bad bodies get 400, unknown endpoints 404", async () => {
    const rv = cluster.store.currentResourceVersion();
    const restarts = cluster.faults.state().restarts;
    await core.createNamespacedPod({ namespace: "default", body: pod("over-http") });
    expect((await post("restart", "")).status).toBe(200);
    await waitFor(() => cluster.faults.state().restarts === restarts + 1, "the restart");
    await cluster.faults.whenUp();
    const raw = await fetch(`${cluster.url}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${rv}`);
    expect(JSON.parse(await raw.text())).toMatchObject({ type: "ERROR", object: { code: 410 } });

    expect((await post("blackhole", '{"forMs":5000}')).json).toMatchObject({ blackHole: true, blackHoleEndsAt: clock.now() + 5000 });
    const lifted = (await post("lift", "")).json;
    expect(lifted).toMatchObject({ blackHole: false });
    expect(lifted).not.toHaveProperty("blackHoleEndsAt");
    expect(clock.pending()).toBe(0);

    expect((await post("reset-next", '{"watch":true,"afterEvents":2}')).json).toMatchObject({ pendingResets: [{ watch: true, afterEvents: 2, remaining: 1 }] });
    expect((await watchEvents({})).types).toEqual(["ADDED", "ADDED"]);

    expect((await post("reset-next", '{"afterBytes":-1}')).status).toBe(400);
    expect((await post("blackhole", "[1]")).status).toBe(400);
    expect((await post("blackhole", "{not json")).status).toBe(400);
    expect((await post("nope", "")).status).toBe(404);
    expect((await fetch(`${cluster.url}/sim/faults/down`)).status).toBe(405);
  });
});
