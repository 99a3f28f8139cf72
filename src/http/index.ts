// The HTTP module's public surface, and the one call the run command makes to serve a controller.
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { PodHealthMetrics, type MetricsSource } from "../metrics/index.js";
import { HealthServer } from "./server.js";

export { HealthServer, type HealthServerOptions } from "./server.js";
export { EventLoopWatchdog, type Liveness, type WatchdogOptions } from "./liveness.js";

/** Serves /metrics, /healthz and /readyz for a controller on --metrics-address:--metrics-port. */
export async function startHealthServer(
  config: Pick<Config, "metricsAddress" | "metricsPort" | "podMetrics" | "shard">,
  controller: MetricsSource,
  logger: Logger,
): Promise<HealthServer> {
  const server = new HealthServer({
    address: config.metricsAddress,
    port: config.metricsPort,
    metrics: new PodHealthMetrics({ source: controller, podMetrics: config.podMetrics, shard: config.shard }),
    ready: () => controller.isReady,
    logger: logger.child({ module: "http" }),
  });
  await server.listen();
  return server;
}
