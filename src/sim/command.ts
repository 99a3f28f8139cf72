// The `sim` subcommand: starts the simulated cluster, writes its kubeconfig, runs the kubelet driver (the scenario's
// pods, if one is named, and every pod created with kubectl), prints how to inject faults, and serves until SIGINT
// or SIGTERM, then closes cleanly.
import path from "node:path";
import type { Writable } from "node:stream";
import { faultUsage } from "./fault-api.js";
import { startSimCluster, type SimCluster } from "./index.js";
import { parseDuration } from "../config.js";

export interface SimCommandOptions {
  port?: string;
  host?: string;
  kubeconfigOut?: string;
  scenario?: string;
  pods?: string;
  timeScale?: string;
  /** kube-apiserver's --event-ttl, a Go duration (`1h`, `30m`); `0` keeps events. */
  eventTtl?: string;
}

export interface SimCommandIo {
  stdout: Writable;
  stderr: Writable;
  /** Resolves when the command should stop; default: the first SIGINT or SIGTERM. */
  stopped?: Promise<unknown>;
  /** Called once the cluster is up (tests use it to reach the cluster). */
  onReady?: (cluster: SimCluster) => void;
}

interface Settings {
  port: number;
  host: string;
  kubeconfig: string;
  scenario: string | undefined;
  pods: number | undefined;
  timeScale: number | undefined;
  eventTtlSeconds: number | undefined;
}

function parseSettings(opts: SimCommandOptions): Settings {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got ${opts.port}`);
  const pods = opts.pods === undefined ? undefined : Number(opts.pods);
  if (pods !== undefined && (!Number.isInteger(pods) || pods < 0)) throw new Error(`--pods must be a non-negative integer, got ${opts.pods}`);
  const timeScale = opts.timeScale === undefined ? undefined : Number(opts.timeScale);
  if (timeScale !== undefined && !(timeScale > 0 && Number.isFinite(timeScale))) throw new Error(`--time-scale must be a positive number, got ${opts.timeScale}`);
  let eventTtlSeconds: number | undefined;
  if (opts.eventTtl !== undefined) {
    try {
      // kube-apiserver keeps whole seconds of the flag.
      eventTtlSeconds = Math.trunc(parseDuration(opts.eventTtl) / 1000);
    } catch (err) {
      throw new Error(`--event-ttl: ${(err as Error).message}`, { cause: err });
    }
  }
  // --pods or --time-scale alone still mean "run pods": the mixed scenario is the one that shows everything.
  const scenario = opts.scenario ?? (pods !== undefined || timeScale !== undefined ? "mixed" : undefined);
  return { port, host: opts.host ?? "127.0.0.1", kubeconfig: path.resolve(opts.kubeconfigOut ?? "sim.kubeconfig"), scenario, pods, timeScale, eventTtlSeconds };
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

export async function simCommand(opts: SimCommandOptions, io: SimCommandIo): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(opts);
  } catch (err) {
    io.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const stopped = io.stopped ?? untilSignal();

  // A kubelet always runs: it drives the scenario's pods and adopts those created with kubectl, on the scaled clock
  // both it and the API server keep.
  const kubeletModule = await import("./kubelet/index.js");
  if (settings.scenario !== undefined && !kubeletModule.isScenario(settings.scenario)) {
    io.stderr.write(`sim: unknown scenario "${settings.scenario}"; choose one of: ${kubeletModule.SCENARIOS.join(", ")}\n`);
    return 2;
  }
  const clock = new kubeletModule.ScaledClock(settings.timeScale ?? 1);

  const cluster = await startSimCluster({
    port: settings.port,
    host: settings.host,
    clock,
    // Pods go when the kubelet confirms their deletion, as on a real node.
    podGraceAuto: false,
    eventTtlSeconds: settings.eventTtlSeconds,
  });
  let kubelet: { stop(): void } | undefined;
  try {
    await cluster.writeKubeconfig(settings.kubeconfig);
    kubelet = kubeletModule.startKubelet(cluster.store, {
      scenario: settings.scenario ?? "healthy",
      pods: settings.scenario === undefined ? 0 : settings.pods,
      clock,
      adopt: true,
      onError: (err) => io.stderr.write(`sim: kubelet: ${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ""}\n`),
    });
    io.stdout.write(`${cluster.url}\n`);
    io.stderr.write(
      `sim: API server at ${cluster.url}; kubeconfig written to ${settings.kubeconfig}\n` +
        (settings.scenario !== undefined
          ? `sim: kubelet running scenario ${settings.scenario}${settings.pods !== undefined ? ` with ${settings.pods} pods` : ""} at time scale ${settings.timeScale ?? 1}\n`
          : `sim: kubelet running pods created with kubectl at time scale ${settings.timeScale ?? 1}\n`) +
        `sim: a pod runs the scenario its annotation names: kubectl run crashy --image=busybox --annotations=${kubeletModule.SCENARIO_ANNOTATION}=crashloop\n` +
        `sim: try KUBECONFIG=${settings.kubeconfig} kubectl get pods -A; stop with Ctrl-C\n` +
        `sim: ${faultUsage(cluster.url)}`,
    );
    io.onReady?.(cluster);
    await stopped;
  } finally {
    kubelet?.stop();
    await cluster.close();
  }
  io.stderr.write("sim: stopped\n");
  return 0;
}
