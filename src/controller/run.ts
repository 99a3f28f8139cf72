// The `run` subcommand: validate the configuration, build the client from the kubeconfig (or the in-cluster
// service account), run the controller until SIGTERM/SIGINT, then shut down gracefully and exit 0. Nothing else
// ends it: not an API server that is away (every retry timer is unref'd, so the process is held open here until
// a signal comes), and not an unhandled promise rejection (logged at error; Node would otherwise exit).
import type { EventEmitter } from "node:events";
import type { Writable } from "node:stream";
import { KubeConfig } from "@kubernetes/client-node";
import { ConfigError, loadConfig, type Config, type RunOptions } from "../config.js";
import { startHealthServer, type HealthServer } from "../http/index.js";
import { createLogger, type Logger } from "../log.js";
import { Controller } from "./controller.js";
import { installGcReport } from "./gc-report.js";
import { KubeHttp } from "./kube.js";

export interface RunIO {
  env: Readonly<Record<string, string | undefined>>;
  /** Where the JSON log lines go. */
  stdout: Writable;
  stderr: Writable;
  /** Emits SIGTERM / SIGINT (and unhandledRejection); `process` in production. */
  signals: Pick<EventEmitter, "once" | "on" | "removeListener">;
  /** Called once the controller is started (tests use it to watch it), with the metrics server's URL. */
  onStarted?: (controller: Controller, endpoints: { metricsUrl: string }) => void;
}

/** Builds the KubeConfig: --kubeconfig, else in-cluster when inside a pod, else the default loading rules. */
export function loadKubeConfig(config: Readonly<Config>): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else if (config.inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (config.context) {
    if (!kc.getContextObject(config.context)) throw new ConfigError(`--context: no context named ${JSON.stringify(config.context)} in the kubeconfig`);
    kc.setCurrentContext(config.context);
  }
  if (!kc.getCurrentCluster()) throw new ConfigError("--kubeconfig: no current cluster (is a kubeconfig available, or are we in a pod?)");
  return kc;
}

export async function runCommand(opts: RunOptions, io: RunIO): Promise<number> {
  let config: Readonly<Config>;
  let kc: KubeConfig;
  try {
    config = loadConfig(opts, io.env);
    kc = loadKubeConfig(config);
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    io.stderr.write(`pod-health-operator run: ${message}\n`);
    return 2;
  }
  const logger: Logger = createLogger({
    level: config.logLevel,
    destination: io.stdout,
    base: { shard: config.shard.count > 1 ? config.shard.index : undefined, identity: config.leaderElection.enabled ? config.leaderElection.identity : undefined },
  });
  const api = new KubeHttp(kc);
  const controller = new Controller({ config, api, logger });
  logger.info(
    {
      module: "run",
      server: kc.getCurrentCluster()?.server,
      namespaces: config.namespaces.length > 0 ? config.namespaces : "all",
      reportMode: config.reportMode,
      shard: config.shard,
      leaderElection: config.leaderElection.enabled,
    },
    "starting",
  );
  let http: HealthServer;
  try {
    http = await startHealthServer(config, controller, logger);
  } catch (err) {
    io.stderr.write(`pod-health-operator run: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const onUnhandled = (reason: unknown): void => {
    logger.error({ module: "run", err: reason }, "unhandled promise rejection (a bug); the controller keeps running");
  };
  io.signals.on("unhandledRejection", onUnhandled);
  // Benchmarks only: with node --expose-gc, SIGUSR2 logs the live heap (see gc-report.ts).
  const uninstallGcReport = installGcReport(io.signals, logger);
  // Held until a signal: the controller's own timers never keep the process alive, and an API server that is
  // away leaves nothing else pending between retries.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  controller.start();
  io.onStarted?.(controller, { metricsUrl: http.url });

  const signal = await new Promise<string>((resolve) => {
    const onTerm = (): void => done("SIGTERM");
    const onInt = (): void => done("SIGINT");
    const done = (name: string): void => {
      io.signals.removeListener("SIGTERM", onTerm);
      io.signals.removeListener("SIGINT", onInt);
      resolve(name);
    };
    io.signals.once("SIGTERM", onTerm);
    io.signals.once("SIGINT", onInt);
  });
  logger.info({ module: "run", signal }, "shutting down");
  try {
    await controller.stop();
    await http.close();
    await api.close();
  } finally {
    clearInterval(keepAlive);
    uninstallGcReport();
    io.signals.removeListener("unhandledRejection", onUnhandled);
  }
  return 0;
}
