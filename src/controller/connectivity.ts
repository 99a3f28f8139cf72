// What the controller says about its API server: one place that hears every failed and every good list, watch
// and lease request, so an outage is told once at warn (then again at most once a minute while it lasts) with
// the server's address and the error, and its end once at info, whatever number of reflectors saw it. A failure
// that needs a person (a forbidden request, a missing CRD) is told once with what to do, and again only if it
// comes back after having been fixed.
import type { Logger } from "pino";
import type { ClassifiedError } from "./errors.js";
import type { Phase, ReflectorHealth } from "./reflector.js";
import type { Scheduler } from "./scheduler.js";

export interface ConnectivityOptions {
  server: string;
  logger: Logger;
  scheduler: Scheduler;
  /** A failure is told at warn once it has lasted this long, or at once after this many failures in a row. */
  warnAfterMs?: number;
  warnAfterFailures?: number;
  /** While an outage lasts, at most one warn line per this period. */
  repeatEveryMs?: number;
}

/** What a person must do about a failure that retrying alone will not fix; null for one that may pass. */
export function remedyFor(source: string, error: ClassifiedError): string | null {
  if (error.class === "forbidden") {
    return `the operator's ServiceAccount may not do this (${source}): apply the RBAC of deploy/base/rbac.yaml (kubectl apply -k deploy/), or grant list and watch on this resource`;
  }
  if (error.class === "notFound" && source.includes("podhealth.io")) {
    return "the PodHealthReport CRD is not installed: kubectl apply -f crds/";
  }
  if (error.class === "notFound") return `the API server does not serve ${source}`;
  return null;
}

export class Connectivity implements ReflectorHealth {
  private readonly o: Required<ConnectivityOptions>;
  private readonly failing = new Map<string, { since: number; count: number }>();
  private outageSince: number | null = null;
  private warnedAt: number | null = null;
  /** Remedies already told, by source and error class: each is said once until it is fixed. */
  private readonly told = new Set<string>();

  constructor(options: ConnectivityOptions) {
    this.o = { warnAfterMs: 10_000, warnAfterFailures: 3, repeatEveryMs: 60_000, ...options };
  }

  /** True while some source has been failing without success since. */
  get inOutage(): boolean {
    return this.outageSince !== null;
  }

  failed(source: string, phase: Phase | "renew", error: ClassifiedError, retryInMs: number): void {
    const now = this.o.scheduler.now();
    const id = `${source} ${phase}`;
    const f = this.failing.get(id) ?? { since: now, count: 0 };
    f.count++;
    this.failing.set(id, f);
    this.outageSince ??= now;

    const remedy = remedyFor(source, error);
    if (remedy !== null) {
      const key = `${id}|${error.class}`;
      if (!this.told.has(key)) {
        this.told.add(key);
        this.o.logger.error({ server: this.o.server, source, phase, error: error.message, status: error.status, retryInMs }, `cannot ${phase} ${source}: ${remedy}; retrying with back-off`);
      }
      return;
    }
    const lasting = now - this.outageSince >= this.o.warnAfterMs || f.count >= this.o.warnAfterFailures;
    const due = this.warnedAt === null || now - this.warnedAt >= this.o.repeatEveryMs;
    if (lasting && due) {
      this.warnedAt = now;
      this.o.logger.warn(
        { server: this.o.server, source, phase, error: error.message, status: error.status, failures: f.count, outageMs: now - this.outageSince, retryInMs },
        `cannot reach the API server at ${this.o.server}: ${error.message}; retrying with back-off`,
      );
    }
  }

  recovered(source: string, phase: Phase | "renew"): void {
    const id = `${source} ${phase}`;
    if (!this.failing.delete(id)) return;
    let remedied = false;
    for (const key of [...this.told]) {
      if (key.startsWith(`${id}|`)) {
        this.told.delete(key);
        remedied = true;
      }
    }
    if (remedied) this.o.logger.info({ server: this.o.server, source, phase }, `${phase} ${source} works now`);
    if (this.failing.size > 0 || this.outageSince === null) return;
    const now = this.o.scheduler.now();
    const outageMs = now - this.outageSince;
    if (this.warnedAt !== null) this.o.logger.info({ server: this.o.server, outageMs }, `connected to the API server at ${this.o.server} again`);
    this.outageSince = null;
    this.warnedAt = null;
  }
}
