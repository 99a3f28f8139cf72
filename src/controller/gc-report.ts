// A diagnostic for benchmarks, off the default path: only when Node runs with --expose-gc (which nobody does by
// accident) does SIGUSR2 force a full collection and log the live heap, so that the memory a controller keeps can
// be read from outside, without the garbage a heap total or RSS includes. It also logs once when installed, before
// the caches fill, as the baseline to subtract. Without --expose-gc nothing is installed and SIGUSR2 keeps Node's
// default (the process ends), as for any program.
import type { EventEmitter } from "node:events";
import type { Logger } from "pino";

export interface GcReport {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

/** Installs the SIGUSR2 report when `gc` is exposed; returns the uninstaller (a no-op when nothing was installed). */
export function installGcReport(signals: Pick<EventEmitter, "on" | "removeListener">, logger: Logger): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return () => undefined;
  const report = (when: string): void => {
    gc();
    const m = process.memoryUsage();
    const fields: GcReport = { heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
    logger.info({ module: "gc-report", when, ...fields }, "memory after a full collection");
  };
  const onSignal = (): void => report("signal");
  signals.on("SIGUSR2", onSignal);
  report("start");
  return () => signals.removeListener("SIGUSR2", onSignal);
}
