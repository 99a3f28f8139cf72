// The two yardsticks the controller is compared with, each run as its own process against the replay server
// (replay.ts) so that its CPU and memory are its own:
//   floor  the least any watcher can do: parse each watch event with JSON.parse, nothing else; for memory, parse
//          the list and keep only the fields a report is built from;
//   stock  what a user builds first with @kubernetes/client-node 2.0.1: makeInformer over listPodForAllNamespaces,
//          with the client's default deserialisation and cache, and derivePodStatus for every object it hands over.
// It prints JSON lines: `{"listed":…}` with the live heap after a full collection before and after the list, then
// `{"events":n}` each time the count of watch events reaches one of the counts it was given.
// Usage: node --expose-gc baseline.js floor|stock <kubeconfig> <count,count,…>
import http from "node:http";
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from "@kubernetes/client-node";
import { derivePodStatus } from "../status/index.js";
import { eachLine } from "./lines.js";
import { reportFields } from "./pods.js";
import type { Pod } from "../status/types.js";

type Json = Record<string, unknown>;

function liveHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function reporter(counts: number[]): (n: number) => void {
  let next = 0;
  return (n) => {
    while (next < counts.length && n >= counts[next]) {
      say({ events: counts[next] });
      next++;
    }
  };
}

function get(url: string): Promise<http.IncomingMessage> {
  // A connection of its own: parsing a large list takes longer than a server keeps an idle connection open.
  return new Promise((resolve, reject) => http.get(url, { agent: false }, resolve).on("error", reject));
}

/** The list, parsed whole, cut down to the report's fields; the text and the whole pods are garbage after. */
async function listReportFields(server: string): Promise<Json[]> {
  const res = await get(`${server}/api/v1/pods`);
  res.setEncoding("utf8");
  let text = "";
  for await (const chunk of res) text += chunk as string;
  return (JSON.parse(text) as { items: Json[] }).items.map(reportFields);
}

async function floor(server: string, counts: number[]): Promise<unknown[]> {
  const before = liveHeap();
  const kept = await listReportFields(server);
  say({ listed: kept.length, heapBefore: before, heapAfter: liveHeap() });

  const watch = await get(`${server}/api/v1/pods?watch=true`);
  const reached = reporter(counts);
  let n = 0;
  eachLine(watch, (line) => {
    JSON.parse(line);
    reached(++n);
  });
  return kept;
}

async function stock(kc: KubeConfig, counts: number[]): Promise<unknown> {
  const before = liveHeap();
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, "/api/v1/pods", () => core.listPodForAllNamespaces());
  const reached = reporter(counts);
  let listed = false;
  let n = 0;
  const now = (): Date => new Date();
  informer.on("add", (pod: V1Pod) => {
    derivePodStatus(pod as unknown as Pod, now());
    if (listed) reached(++n);
  });
  informer.on("update", (pod: V1Pod) => {
    derivePodStatus(pod as unknown as Pod, now());
    reached(++n);
  });
  informer.on("error", (err: unknown) => say({ error: String(err) }));
  // start() resolves once the list is in and the watch has been asked for.
  await informer.start();
  listed = true;
  say({ listed: informer.list().length, heapBefore: before, heapAfter: liveHeap() });
  return informer;
}

async function main(): Promise<void> {
  const [mode, kubeconfig, countList] = process.argv.slice(2);
  const counts = (countList ?? "").split(",").filter((c) => c !== "").map(Number);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const server = kc.getCurrentCluster()?.server ?? "";
  // Held until the bench kills the process, so nothing it keeps is collected.
  const kept = mode === "floor" ? await floor(server, counts) : mode === "stock" ? await stock(kc, counts) : null;
  if (kept === null) throw new Error(`baseline: unknown mode ${mode}; use floor or stock`);
  setInterval(() => (kept as { length?: number }).length, 1 << 30);
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
