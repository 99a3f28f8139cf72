// The two baselines of the bench (baseline.ts), run side by side as processes of their own against the replay of
// the recorded pod list and watch stream: their live heap per pod after the list, and their CPU per watch event in
// each recorded phase (measured from /proc when they report reaching the end of a phase). A baseline that fails is
// reported as such, with what it wrote on stderr, and the bench goes on without its figures.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { BaselineProcess, type BaselineLine } from "./children.js";
import { cpuSeconds } from "./proc.js";
import { startReplay, type RecordedEvent } from "./replay.js";

export type BaselineMode = "floor" | "stock";

export interface BaselineFigures {
  mode: BaselineMode;
  /** CPU µs per watch event in each phase; NaN when it could not be measured. */
  cpuPerEvent: number[];
  heapPerPod: number;
  error?: string;
}

export interface BaselineRun {
  /** Where the replay kubeconfig goes. */
  dir: string;
  listFile: string;
  events: readonly RecordedEvent[];
  /** How many of the events belong to each phase, in order. */
  phases: number[];
  listTimeoutMs: number;
}

const MODES: readonly BaselineMode[] = ["floor", "stock"];

/** CPU seconds of a process, NaN once it has exited (its failure is reported where it is waited for). */
function cpuOf(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return NaN;
  }
}

export async function measureBaselines(run: BaselineRun): Promise<Record<BaselineMode, BaselineFigures>> {
  const replay = await startReplay(run.listFile, run.events);
  const kubeconfig = path.join(run.dir, "replay.kubeconfig");
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "replay", cluster: { server: replay.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "bench", user: {} }],
      contexts: [{ name: "replay", context: { cluster: "replay", user: "bench" } }],
      "current-context": "replay",
    }),
  );
  // Cumulative counts at the end of each phase.
  const ends = run.phases.map((_, i) => run.phases.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const cpuAt = new Map<string, number>();
  const onLine = (b: BaselineProcess, line: BaselineLine): void => {
    if (line.events !== undefined) cpuAt.set(`${b.mode}:${line.events}`, cpuOf(b.pid));
  };
  const procs = MODES.map((mode) => new BaselineProcess(mode, kubeconfig, ends, onLine));
  const figures = Object.fromEntries(MODES.map((mode) => [mode, { mode, cpuPerEvent: run.phases.map(() => NaN), heapPerPod: NaN } as BaselineFigures])) as Record<BaselineMode, BaselineFigures>;
  const fail = (b: BaselineProcess, err: unknown): void => {
    figures[b.mode].error ??= err instanceof Error ? err.message : String(err);
  };
  try {
    const listed = await Promise.all(procs.map((b) => b.find((l) => l.listed !== undefined, "its list", run.listTimeoutMs).catch((err: unknown) => fail(b, err))));
    const alive = procs.filter((b) => figures[b.mode].error === undefined);
    procs.forEach((b, i) => {
      const l = listed[i];
      if (l) figures[b.mode].heapPerPod = ((l.heapAfter ?? NaN) - (l.heapBefore ?? NaN)) / (l.listed ?? NaN);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      replay.watchers(alive.length),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("bench: the baselines did not start their watches")), 120_000))),
    ]).finally(() => clearTimeout(timer));
    const start = new Map(alive.map((b) => [b.mode, cpuOf(b.pid)]));
    await replay.play();
    await Promise.all(alive.map((b) => b.find((l) => l.events === ends[ends.length - 1], "every event", 120_000).catch((err: unknown) => fail(b, err))));
    for (const b of alive) {
      let from = start.get(b.mode) ?? NaN;
      run.phases.forEach((n, i) => {
        const to = cpuAt.get(`${b.mode}:${ends[i]}`) ?? NaN;
        figures[b.mode].cpuPerEvent[i] = ((to - from) * 1e6) / n;
        from = to;
      });
    }
  } finally {
    await Promise.all(procs.map((b) => b.stop()));
    await replay.close();
  }
  return figures;
}
