// Reports written through the API server and read back: the server (here the sim, which prunes and drops nulls
// as a real one does) keeps every field the builder writes, so what is read back compares equal to what was
// built, and a rebuild at rest finds nothing to write.
import { KubeConfig } from "@kubernetes/client-node";
import { KubeHttp } from "../../src/controller/kube.js";
import { reportApi, type ReportApi } from "../../src/controller/report-api.js";
import { buildReport, reportChanged, reportDiff, type CoreEvent, type PodHealthReport } from "../../src/report/index.js";
import { startSimCluster, type SimCluster } from "../../src/sim/index.js";
import type { Pod } from "../../src/status/types.js";
import { at, crashLooping, event, fixtureEvents, OPTIONS, pod, T0, troubledPod } from "../report/fixtures.js";

let cluster: SimCluster;
let api: ReportApi;

beforeAll(async () => {
  cluster = await startSimCluster({ namespaces: ["shop"] });
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(cluster.kubeConfig()));
  api = reportApi(new KubeHttp(kc, { requestTimeoutMs: 5_000 }));
});

afterAll(async () => {
  await cluster?.close();
});

function completedPod(): Pod {
  const subject = pod([{ name: "app", image: "shop/job:1", ready: false, started: false, restartCount: 0, state: { terminated: { reason: "Completed", exitCode: 0, startedAt: at(-60), finishedAt: at(-1) } } }]);
  subject.spec = { ...subject.spec, restartPolicy: "Never" };
  subject.status = { ...subject.status, phase: "Succeeded" };
  return subject;
}

/** Creates the report, then writes its status, as the controller does; returns what a GET reads back. */
async function writeAndRead(desired: PodHealthReport): Promise<PodHealthReport | null> {
  const created = await api.create(desired);
  await api.replaceStatus({ ...desired, metadata: { ...desired.metadata, resourceVersion: created.metadata.resourceVersion } });
  return api.get(desired.metadata.namespace, desired.metadata.name);
}

const extraEvents: CoreEvent[] = [
  event({ uid: "w", reason: "ProbeWarning", message: "Readiness probe warning: redirect", last: 20 }),
  event({ uid: "h", reason: "FailedPostStartHook", message: "PostStartHook failed", last: 21 }),
];

describe("a report read back from the API server", () => {
  test.each<[string, () => Pod, CoreEvent[]]>([
    ["a healthy pod", () => pod(), []],
    ["a crash-looping pod with probe failures", () => troubledPod(), [...fixtureEvents, ...extraEvents]],
    ["a crash-looping pod seen for the first time", () => pod([crashLooping("app", 3)]), []],
    ["a completed pod", completedPod, []],
  ])("%s: nothing is pruned, it compares equal, and a rebuild at rest writes nothing", async (_name, make, events) => {
    const subject = make();
    const desired = buildReport({ pod: subject, events, now: new Date(T0), options: OPTIONS });
    const read = await writeAndRead(desired);
    try {
      expect(read?.status).toStrictEqual(desired.status);
      expect(reportDiff(read, desired)).toEqual({ metadata: false, spec: false, status: false });
      const rebuilt = buildReport({ pod: subject, events, previous: read, now: new Date(T0 + 60_000), options: OPTIONS });
      expect(reportChanged(read, rebuilt)).toBe(false);
    } finally {
      await api.delete(desired.metadata.namespace, desired.metadata.name);
    }
  });
});
