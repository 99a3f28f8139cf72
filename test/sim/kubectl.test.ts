// The real kubectl against the simulated cluster: discovery, apply (client- and server-side), get (table, wide,
// JSON, watch), patch of the status subresource, describe with events, custom resources with printer columns,
// delete that waits for the object to go, a CRD a real server refuses, and `kubectl get phr -A` over the
// reports the controller writes. Skipped, saying so, when kubectl is not installed.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { packageRoot, type SimCluster } from "../../src/sim/index.js";
import { runScenario, type Kubelet } from "../../src/sim/kubelet/index.js";
import { report, run, startController, startEnv, stopControllers, waitFor as waitUntil, type Env } from "../controller/e2e-helpers.js";
import { FIXTURES, startTestCluster, waitFor } from "./helpers.js";
import { hasKubectl, KUBECTL, kubectlFor, rows } from "./kubectl-helpers.js";

if (!hasKubectl) console.warn(`kubectl tests skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);
const describeKubectl = hasKubectl ? describe : describe.skip;

let cluster: SimCluster;
let dir: string;
let kubeconfig: string;
const cli = kubectlFor(() => ({ kubeconfig, dir }));
const kubectl = cli.run;
const ok = cli.ok;

/**
 * A table as header → cell for each row, cut at the header's column starts, so that an empty cell stays an
 * empty string (splitting on spaces would lose it). kubectl left-aligns every column under its header.
 */
function table(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.replace(/\n$/, "").split("\n");
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index ?? 0 }));
  return lines.map((line) =>
    Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, i + 1 < starts.length ? starts[i + 1].at : undefined).trim()])),
  );
}

describeKubectl("kubectl against the simulated cluster", () => {
  beforeAll(async () => {
    cluster = await startTestCluster({ crdDirs: [] });
    dir = await mkdtemp(path.join(tmpdir(), "sim-kubectl-"));
    kubeconfig = path.join(dir, "kubeconfig");
    await cluster.writeKubeconfig(kubeconfig);
    await writeFile(
      path.join(dir, "pod.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  nodeName: node-1\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: app\n    image: nginx:1.27\n",
    );
    await writeFile(path.join(dir, "widget.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  color: blue\n  replicas: 2\n");
  });

  afterAll(async () => {
    await cluster?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("apply a CRD folder and a pod with plain `kubectl apply` (validation on)", async () => {
    expect(await ok("apply", "-f", FIXTURES)).toContain("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created");
    expect(await ok("apply", "-f", path.join(dir, "pod.yaml"))).toContain("pod/web created");
    expect(await ok("apply", "-f", path.join(dir, "pod.yaml"))).toContain("pod/web unchanged");
    expect(await ok("label", "pod", "web", "tier=front")).toContain("pod/web labeled");
    expect(await ok("apply", "--server-side", "--field-manager", "test", "-f", path.join(dir, "pod.yaml"))).toContain("pod/web serverside-applied");
  });

  test("get: the table, wide columns, JSON", async () => {
    const table = rows(await ok("get", "pods"));
    expect(table[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(table[1].slice(0, 4)).toEqual(["web", "0/1", "Pending", "0"]);
    const json = JSON.parse(await ok("get", "pod", "web", "-o", "json")) as { metadata: { labels: Record<string, string> }; status: { phase: string } };
    expect(json.metadata.labels).toEqual({ app: "web", tier: "front" });
    expect(json.status.phase).toBe("Pending");
    const list = JSON.parse(await ok("get", "pods", "-l", "app=web", "-o", "json")) as { kind: string; items: unknown[] };
    expect(list.kind).toBe("List");
    expect(list.items).toHaveLength(1);
    expect(rows(await ok("get", "ns")).map((r) => r[0])).toEqual(expect.arrayContaining(["NAME", "default", "kube-system"]));
  });

  test("patch --subresource=status, then get -o wide", async () => {
    const status = {
      status: {
        phase: "Running",
        podIP: "10.0.0.9",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [{ name: "app", ready: true, restartCount: 1, image: "nginx:1.27", imageID: "", started: true, state: { running: { startedAt: "2025-01-06T09:00:00Z" } } }],
      },
    };
    expect(await ok("patch", "pod", "web", "--subresource=status", "--type=merge", "-p", JSON.stringify(status))).toContain("pod/web patched");
    const wide = rows(await ok("get", "pods", "-o", "wide"));
    expect(wide[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    expect(wide[1]).toEqual(["web", "1/1", "Running", "1", expect.any(String), "10.0.0.9", "node-1", "<none>", "<none>"]);
  });

  test("describe pod shows its events", async () => {
    const pod = cluster.store.get("pods", "default", "web")!;
    cluster.store.create("events", {
      metadata: { name: "web.1", namespace: "default" },
      involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: pod.metadata?.uid, apiVersion: "v1" },
      reason: "Unhealthy",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
      type: "Warning",
      count: 3,
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: "2025-01-06T09:00:00Z",
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    });
    const text = await ok("describe", "pod", "web");
    expect(text).toMatch(/Name:\s+web/);
    expect(text).toMatch(/Status:\s+Running/);
    expect(text).toMatch(/Warning\s+Unhealthy\s+.*Readiness probe failed/);
  });

  test("get -w prints the list, then a line per change", async () => {
    const child = spawn(KUBECTL, [...cli.flags(), "get", "pods", "-w"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    try {
      await waitFor(() => out.split("\n").length >= 3, "the initial list", 10_000);
      const pod = structuredClone(cluster.store.get("pods", "default", "web")!);
      (pod.status as { phase: string; containerStatuses: Array<{ ready: boolean }> }).containerStatuses[0].ready = false;
      cluster.store.replace("pods", pod);
      // Three whole lines: a chunk can end mid-line, and a cut line would be read as a short row.
      await waitFor(() => out.split("\n").length >= 4, "a watch line", 10_000);
    } finally {
      child.kill();
    }
    const lines = rows(out);
    expect(lines[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(lines[1].slice(0, 2)).toEqual(["web", "1/1"]);
    expect(lines[2].slice(0, 2)).toEqual(["web", "0/1"]);
  });

  test("custom resources: apply, get with printer columns, patch status, delete", async () => {
    expect(await ok("apply", "-f", path.join(dir, "widget.yaml"))).toContain("widget.example.com/w1 created");
    await ok("patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True"}]}}');
    const table = rows(await ok("get", "wg"));
    expect(table[0]).toEqual(["NAME", "COLOR", "REPLICAS", "PHASE", "READY", "AGE"]);
    expect(table[1].slice(0, 5)).toEqual(["w1", "blue", "2", "Ready", "True"]);
    const invalid = await kubectl("patch", "widget", "w1", "--type=merge", "-p", '{"spec":{"color":"green"}}');
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain("Unsupported value");
    expect(await ok("delete", "widget", "w1")).toContain('widget.example.com "w1" deleted');
  });

  // The issue this mirrors: a real kube-apiserver refused the project's CRD while the sim took it.
  test("apply of a CRD a real server refuses fails as kubectl shows it: the field and why", async () => {
    const crd = parse(readFileSync(path.join(packageRoot(), "crds", "podhealthreports.yaml"), "utf8"));
    crd.spec.versions[0].schema.openAPIV3Schema.properties.metadata.description = "Standard object metadata.";
    await writeFile(path.join(dir, "broken-crd.yaml"), stringify(crd));
    const result = await kubectl("apply", "-f", path.join(dir, "broken-crd.yaml"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The CustomResourceDefinition "podhealthreports.podhealth.io" is invalid');
    expect(result.stderr).toContain(
      "spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
    );
    expect((await kubectl("get", "crd", "podhealthreports.podhealth.io")).code).not.toBe(0);
  });

  // kubectl 1.32 applies with --validate=strict: the server decodes strictly, and a misspelt field is an error.
  test("apply of a CRD with a misspelt field fails, naming the field", async () => {
    const crd = parse(readFileSync(path.join(packageRoot(), "crds", "podhealthreports.yaml"), "utf8"));
    crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.reason.nullabel = true;
    await writeFile(path.join(dir, "misspelt-crd.yaml"), stringify(crd));
    const result = await kubectl("apply", "-f", path.join(dir, "misspelt-crd.yaml"));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('strict decoding error: unknown field "spec.versions[0].schema.openAPIV3Schema.properties[status].properties[reason].nullabel"');
  });

  // apiextensions-apiserver tableconvertor.go: a stored null in a string column prints through client-go's
  // JSONPath printer as <no value>; a missing field is a nil cell, which kubectl prints empty.
  test("a stored null prints <no value>, a missing field prints an empty cell", async () => {
    const notes = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "notes.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "notes", singular: "note", kind: "Note" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            additionalPrinterColumns: [
              { name: "Text", type: "string", jsonPath: ".spec.text" },
              { name: "Stars", type: "integer", jsonPath: ".spec.stars" },
            ],
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: { spec: { type: "object", properties: { text: { type: "string", nullable: true }, stars: { type: "integer", nullable: true } } } },
              },
            },
          },
        ],
      },
    };
    await writeFile(path.join(dir, "notes-crd.yaml"), stringify(notes));
    expect(await ok("apply", "-f", path.join(dir, "notes-crd.yaml"))).toContain("customresourcedefinition.apiextensions.k8s.io/notes.example.com created");
    for (const [name, spec] of [["stored-null", { text: null, stars: null }], ["missing", {}], ["filled", { text: "hello", stars: 3 }]] as const) {
      const res = await fetch(`${cluster.url}/apis/example.com/v1/namespaces/default/notes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ apiVersion: "example.com/v1", kind: "Note", metadata: { name }, spec }),
      });
      expect(res.status).toBe(201);
    }
    const got = table(await ok("get", "notes"));
    expect(got.map((r) => [r.NAME, r.TEXT, r.STARS])).toEqual([
      ["filled", "hello", "3"],
      ["missing", "", ""],
      ["stored-null", "<no value>", ""],
    ]);
    expect(await ok("delete", "crd", "notes.example.com")).toContain("deleted");
  });

  test("delete waits for a graceful pod to go", async () => {
    const start = Date.now();
    expect(await ok("delete", "pod", "web")).toContain('pod "web" deleted');
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
    expect(cluster.store.get("pods", "default", "web")).toBeUndefined();
    const after = await kubectl("get", "pods");
    expect(after.stderr).toContain("No resources found in default namespace.");
  });
});

describeKubectl("kubectl get phr -A over the reports the controller writes", () => {
  let env: Env;
  let phrDir: string;
  let phrKubeconfig: string;
  const kubelets: Kubelet[] = [];

  beforeAll(async () => {
    // The sim starts with the project's CRD (crds/), as `kubectl apply -f crds/` would have installed it.
    env = await startEnv(["shop"]);
    phrDir = await mkdtemp(path.join(tmpdir(), "sim-kubectl-phr-"));
    phrKubeconfig = path.join(phrDir, "kubeconfig");
    await env.cluster.writeKubeconfig(phrKubeconfig);
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "healthy", name: "web", namespace: "shop" }));
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "crashloop", name: "api", namespace: "shop" }));
    kubelets.push(runScenario(env.cluster.store, env.clock, { scenario: "completed", name: "nightly", namespace: "default" }));
    const { controller } = startController(env);
    await controller.whenSynced();
    await run(env, 120_000);
    await waitUntil("reports for the three pods", () =>
      report(env, "shop", "web")?.status?.health === "Healthy" &&
      report(env, "shop", "api")?.status?.status === "CrashLoopBackOff" &&
      report(env, "default", "nightly")?.status?.health === "Completed",
    );
  });

  afterAll(async () => {
    await stopControllers();
    for (const k of kubelets.splice(0)) k.stop();
    await env?.close();
    if (phrDir) await rm(phrDir, { recursive: true, force: true });
  });

  const phr = kubectlFor(() => ({ kubeconfig: phrKubeconfig, dir: phrDir })).ok;

  test("every column has a value or is empty; no cell reads <no value>", async () => {
    const out = await phr("get", "phr", "-A");
    expect(out).not.toContain("<no value>");
    const got = table(out);
    expect(Object.keys(got[0])).toEqual(["NAMESPACE", "NAME", "STATUS", "READY", "RESTARTS", "HEALTH", "CRASHLOOPS", "PROBE-FAILURES", "REASON", "AGE"]);
    const byName = Object.fromEntries(got.map((r) => [r.NAME, r]));
    expect(byName.web).toMatchObject({ NAMESPACE: "shop", STATUS: "Running", READY: "1/1", HEALTH: "Healthy", CRASHLOOPS: "0", REASON: "" });
    expect(byName.api).toMatchObject({ NAMESPACE: "shop", STATUS: "CrashLoopBackOff", HEALTH: "Unhealthy", REASON: "CrashLoopBackOff" });
    expect(Number(byName.api.CRASHLOOPS)).toBeGreaterThan(0);
    expect(byName.nightly).toMatchObject({ NAMESPACE: "default", STATUS: "Completed", HEALTH: "Completed" });
    for (const row of got) expect(Object.values(row).filter((cell) => cell === "<no value>")).toEqual([]);
  });

  test("the stored reports hold no null: optional fields without a value are absent", async () => {
    const list = await phr("get", "phr", "-A", "-o", "json");
    expect(list).not.toMatch(/:\s*null\b/);
  });
});
