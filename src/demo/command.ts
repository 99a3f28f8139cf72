// The `demo` subcommand: the whole project at work in one command, with no cluster. It starts the simulated cluster
// (the `mixed` scenario on a sped-up clock), installs the CRD through the API as a user would, runs the controller
// and its metrics endpoint on ports the OS picks, and shows the reports as they change: a live table on a terminal,
// plain lines otherwise. The kubeconfig and the controller's log live in a temporary directory that is removed when
// the demo stops (Ctrl-C, SIGTERM, or --duration), so `kubectl --kubeconfig …` and `curl …/metrics` work beside it.
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { KubeConfig } from "@kubernetes/client-node";
import { loadConfig } from "../config.js";
import { Controller } from "../controller/controller.js";
import { KubeHttp } from "../controller/kube.js";
import { startHealthServer } from "../http/index.js";
import { createLogger } from "../log.js";
import { RESOURCE_KEY, type PodHealthReport } from "../report/index.js";
import { packageRoot, readCrds, startSimCluster, type SimCluster } from "../sim/index.js";
import { ScaledClock, startKubelet } from "../sim/kubelet/index.js";
import { wantsColour } from "../table/colour.js";
import { applyCrds } from "./crds.js";
import { plainLines, plainState, screenLines, type Frame } from "./frames.js";
import { demoSettings, type DemoOptions, type DemoSettings } from "./options.js";

export interface DemoOutput extends Writable {
  isTTY?: boolean;
  rows?: number;
  columns?: number;
  hasColors?: () => boolean;
}

export interface DemoInfo {
  dir: string;
  kubeconfig: string;
  metricsUrl: string;
  cluster: SimCluster;
}

export interface DemoIo {
  stdout: DemoOutput;
  stderr: Writable;
  /** Resolves when the demo should stop; default: the first SIGINT or SIGTERM. */
  stopped?: Promise<unknown>;
  /** Called once everything runs (tests use it). */
  onReady?: (info: DemoInfo) => void;
  /** Real milliseconds between two looks at the reports. Default 1,000. */
  refreshMs?: number;
}

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

function untilSignal(): { promise: Promise<string>; dispose: () => void } {
  let dispose = (): void => undefined;
  const promise = new Promise<string>((resolve) => {
    const onSignal = (signal: string): void => {
      dispose();
      resolve(signal);
    };
    dispose = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return { promise, dispose };
}

function introLines(s: DemoSettings, info: Omit<DemoInfo, "cluster">, stopHint: string): string[] {
  return [
    `pod-health-operator demo: the mixed scenario, ${s.pods} pods, simulated time x${s.timeScale}. ${stopHint}`,
    `  kubectl --kubeconfig ${info.kubeconfig} get phr -A`,
    `  curl -s ${info.metricsUrl}/metrics | grep '^podhealth_'`,
    `  controller log: ${path.join(info.dir, "operator.log")}`,
  ];
}

/** Draws frames: in place on a terminal, as `kubectl get -w`-style lines otherwise. */
function frameWriter(stream: DemoOutput, intro: string[], isOpen: () => boolean): { draw(frame: Frame): void; end(): void } {
  // Nothing more is written once the reader has gone (`npm run demo | head`): the demo is stopping then.
  const out = { write: (text: string): void => void (isOpen() && stream.write(text)) };
  if (stream.isTTY) {
    const colour = wantsColour(stream);
    out.write(HIDE_CURSOR + "\x1b[2J");
    return {
      draw: (frame) => {
        const lines = screenLines(frame, intro, { rows: stream.rows ?? 24, columns: stream.columns ?? 80 }, colour);
        // Home, each line over the old one (clearing its tail), then clear whatever the last frame left below. No
        // newline after the last line: a screen-high frame must not scroll.
        out.write(`\x1b[H${lines.map((l) => `${l}\x1b[K`).join("\n")}\x1b[J`);
      },
      end: () => out.write(`\n${SHOW_CURSOR}`),
    };
  }
  const state = plainState();
  out.write(intro.join("\n") + "\n");
  return {
    draw: (frame) => {
      const lines = plainLines(frame, state);
      if (lines.length > 0) out.write(lines.join("\n") + "\n");
    },
    end: () => undefined,
  };
}

export async function demoCommand(opts: DemoOptions, io: DemoIo): Promise<number> {
  let settings: DemoSettings;
  try {
    settings = demoSettings(opts);
  } catch (err) {
    io.stderr.write(`demo: ${(err as Error).message}\n`);
    return 2;
  }
  const signals = io.stopped === undefined ? untilSignal() : undefined;
  const stops: Array<Promise<unknown>> = [io.stopped ?? signals!.promise];
  // A reader that goes away (EPIPE) stops the demo like Ctrl-C, instead of an unhandled error that would leave the
  // temporary directory behind.
  let outputOpen = true;
  let outputGone: () => void = () => undefined;
  stops.push(new Promise<void>((resolve) => (outputGone = resolve)));
  const onOutputError = (): void => {
    outputOpen = false;
    outputGone();
  };
  io.stdout.on("error", onOutputError);
  let durationTimer: NodeJS.Timeout | undefined;
  if (settings.durationMs !== null) stops.push(new Promise((resolve) => (durationTimer = setTimeout(resolve, settings.durationMs!))));

  const dir = await mkdtemp(path.join(tmpdir(), "pod-health-demo-"));
  // Undone in reverse order, whatever stage the start reached.
  const undo: Array<() => unknown> = [];
  let code = 0;
  try {
    const log: WriteStream = createWriteStream(path.join(dir, "operator.log"));
    undo.push(() => new Promise<void>((resolve) => log.end(resolve)));
    const logger = createLogger({ level: "info", destination: log });

    const clock = new ScaledClock(settings.timeScale);
    // No CRD at start: it is installed through the API below, as `kubectl apply -f crds/` would.
    const cluster = await startSimCluster({ clock, podGraceAuto: false, crdDirs: [] });
    undo.push(() => cluster.close());
    const kubeconfig = path.join(dir, "kubeconfig");
    await cluster.writeKubeconfig(kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const api = new KubeHttp(kc);
    undo.push(() => api.close());
    await applyCrds(api, await readCrds([path.join(packageRoot(), "crds")]));

    const kubelet = startKubelet(cluster.store, {
      scenario: "mixed",
      pods: settings.pods,
      clock,
      adopt: true,
      onError: (err) => logger.error({ module: "sim-kubelet", err }, "kubelet error"),
    });
    undo.push(() => kubelet.stop());

    // Counts are written at most once a real second (not every 30 s): simulated time runs faster here.
    const config = loadConfig({ metricsPort: "0", metricsAddress: "127.0.0.1", countWriteInterval: "1s", shutdownTimeout: "5s" }, {});
    // The controller builds reports on the cluster's clock, so ages and restart windows agree with the pods'.
    const controller = new Controller({ config, api, logger, clock });
    const http = await startHealthServer(config, controller, logger);
    undo.push(() => http.close());
    controller.start();
    undo.push(() => controller.stop());

    const info = { dir, kubeconfig, metricsUrl: http.url, cluster };
    const writer = frameWriter(io.stdout, introLines(settings, info, settings.durationMs === null ? "Ctrl-C stops it." : `Stops after ${settings.durationMs / 1000} s.`), () => outputOpen);
    undo.push(() => writer.end());
    const draw = (): void =>
      writer.draw({ reports: cluster.store.list(RESOURCE_KEY) as unknown as PodHealthReport[], podCount: cluster.store.count("pods"), nowMs: clock.now() });
    const timer = setInterval(draw, io.refreshMs ?? 1_000);
    undo.push(() => {
      clearInterval(timer);
      draw();
    });
    io.onReady?.(info);
    await Promise.race(stops);
  } catch (err) {
    io.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    code = 1;
  } finally {
    clearTimeout(durationTimer);
    signals?.dispose();
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (err) {
        io.stderr.write(`demo: while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    await rm(dir, { recursive: true, force: true });
    io.stdout.off("error", onOutputError);
  }
  io.stderr.write(`demo: stopped; removed ${dir}\n`);
  return code;
}
