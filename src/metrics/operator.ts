// The operator's own metrics, from every replica: prom-client metrics in a private Registry whose `collect()`
// reads ControllerStats at scrape time, and prom-client's default process metrics (one registry per process, as
// the process is one). The registries are read as data (`getMetricsAsJSON`) and written by our own writer, because
// prom-client 15 serialises one format per Registry and its OpenMetrics path renames counters in place.
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { DURATION_BUCKETS, type ControllerStats } from "../controller/stats.js";
import type { ErrorClass } from "../controller/errors.js";
import { escapeLabelValue, type ExpositionWriter, type MetricType } from "./exposition.js";

/** What the operator's metrics read from a controller. */
export interface OperatorSource {
  readonly stats: ControllerStats;
  readonly isReady: boolean;
}

/** A family as prom-client's `getMetricsAsJSON` gives it at run time (its typings call `type` an enum; it is a string). */
interface RegistryFamily {
  name: string;
  help: string;
  type: string;
  values: Array<{ value: number; labels?: Record<string, string | number | undefined>; metricName?: string }>;
}

const ERROR_CLASSES: readonly ErrorClass[] = ["conflict", "notFound", "gone", "throttled", "server", "network", "timeout", "invalid", "forbidden", "unknown"];
const RESOURCES = ["pods", "events", "podhealthreports"] as const;
const WRITE_RESULTS = ["created", "updated", "deleted", "skipped", "conflict", "error"] as const;

// prom-client's default gauges named `*_total` (active handles, requests, resources) break the naming rule that
// only counters end in `_total` (promtool check metrics says so); the same numbers without the suffix, by type,
// stay.
const NOT_EXPORTED = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

let processRegistry: Registry | null = null;

/** prom-client's process and Node.js metrics, registered once per process. */
function defaultMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    for (const name of NOT_EXPORTED) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

export class OperatorMetrics {
  private readonly registry = new Registry();

  constructor(source: OperatorSource, shard: Readonly<{ index: number; count: number }>) {
    const stats = source.stats;
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelName: L, read: () => Iterable<[string, number]>): void => {
      new Counter({
        name,
        help,
        labelNames: [labelName],
        registers,
        collect(this: Counter<L>) {
          this.reset();
          for (const [value, n] of read()) this.inc({ [labelName]: value } as Record<L, string>, n);
        },
      });
    };
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect(this: Gauge) {
          this.set(read());
        },
      });
    };

    this.registry.registerMetric(durationHistogram(stats) as never);
    counter("podhealth_reconcile_errors_total", "Reconciles that failed, by error class.", "class", () => {
      const classes = new Set<string>([...ERROR_CLASSES, ...Object.keys(stats.errors)]);
      return [...classes].map((c) => [c, stats.errors[c as ErrorClass] ?? 0]);
    });
    new Gauge({
      name: "podhealth_workqueue_depth",
      help: "Keys in the work queue: ready to run, being reconciled, or waiting out a back-off.",
      labelNames: ["state"],
      registers,
      collect(this: Gauge<"state">) {
        const d = stats.queueDepth();
        this.set({ state: "ready" }, d.ready);
        this.set({ state: "processing" }, d.processing);
        this.set({ state: "delayed" }, d.delayed);
      },
    });
    counter(
      "podhealth_report_writes_total",
      "Reconciles by what they did to the report: created, updated, deleted, skipped (nothing to write, a count-only change held back by --count-write-interval, or not the leader), conflict (a 409, refetched), error.",
      "result",
      () => {
        const r = stats.reconciles;
        const values: Record<(typeof WRITE_RESULTS)[number], number> = {
          created: r.created,
          updated: r.updated,
          deleted: r.deleted,
          skipped: r.unchanged + r.deferred + r.skipped,
          conflict: stats.conflicts,
          error: r.error,
        };
        return WRITE_RESULTS.map((k) => [k, values[k]]);
      },
    );
    counter("podhealth_watch_restarts_total", "Watches restarted (closed by the server, 410 Gone, errors, failed lists), by resource.", "resource", () => {
      const resources = new Set<string>([...RESOURCES, ...Object.keys(stats.watchRestarts)]);
      return [...resources].map((r) => [r, stats.totalWatchRestarts(r)]);
    });
    // No sample before the first full list (a labelless prom-client Gauge always has one, 0 after a reset).
    this.registry.registerMetric(
      new ScrapeTimeFamily("podhealth_last_sync_timestamp_seconds", "When every cache was last known to be whole: the oldest of the latest full lists, Unix seconds.", "gauge", () => {
        const ms = stats.lastSyncMs();
        return ms === null ? [] : [{ value: ms / 1000 }];
      }) as never,
    );
    new Gauge({
      name: "podhealth_cache_objects",
      help: "Objects in each informer cache of this replica.",
      labelNames: ["resource"],
      registers,
      collect(this: Gauge<"resource">) {
        this.reset();
        for (const [resource, n] of Object.entries(stats.cacheSizes())) this.set({ resource }, n);
      },
    });
    gauge("podhealth_leader", "1 while this replica writes reports (holds the lease, or runs without election).", () => (stats.isLeader ? 1 : 0));
    gauge("podhealth_ready", "1 when /readyz passes: every cache has had its first list and is current (not failing for 30 s).", () => (source.isReady ? 1 : 0));
    new Gauge({
      name: "podhealth_shard_info",
      help: "This replica's shard: index and count.",
      labelNames: ["index", "count"],
      registers,
      collect(this: Gauge<"index" | "count">) {
        this.set({ index: String(shard.index), count: String(shard.count) }, 1);
      },
    });
  }

  /** Writes the process metrics, then the operator's own. */
  async write(w: ExpositionWriter): Promise<void> {
    for (const registry of [defaultMetrics(), this.registry]) {
      for (const m of (await registry.getMetricsAsJSON()) as unknown as RegistryFamily[]) writeRegistryMetric(w, m);
    }
  }
}

const TYPES: ReadonlySet<string> = new Set<MetricType>(["gauge", "counter", "histogram"]);

function writeRegistryMetric(w: ExpositionWriter, m: RegistryFamily): void {
  if (!TYPES.has(m.type)) throw new Error(`metrics: ${m.name} is a ${m.type}, which the writer does not support`);
  w.family(m.name, m.help, m.type as MetricType);
  for (const v of m.values) {
    const name = v.metricName ?? m.name;
    const labels = Object.entries(v.labels ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([k, value]) => `${k}="${escapeLabelValue(String(value))}"`)
      .join(",");
    w.sample(name, labels, v.value);
  }
}

/** A family computed at scrape time, in the shape prom-client's Registry reads, for what its metric classes cannot say. */
class ScrapeTimeFamily {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly values: () => RegistryFamily["values"],
  ) {}

  readonly aggregator = "sum";

  async get(): Promise<RegistryFamily> {
    return { name: this.name, help: this.help, type: this.type, values: this.values() };
  }
}

/**
 * podhealth_reconcile_duration_seconds from the histogram ControllerStats already keeps (prom-client's Histogram
 * can only observe values one at a time).
 */
function durationHistogram(stats: ControllerStats): ScrapeTimeFamily {
  const name = "podhealth_reconcile_duration_seconds";
  return new ScrapeTimeFamily(name, "How long reconciles took, seconds.", "histogram", () => {
    const h = stats.duration;
    const values: RegistryFamily["values"] = DURATION_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le: String(le) }, value: h.buckets[i] }));
    values.push({ metricName: `${name}_bucket`, labels: { le: "+Inf" }, value: h.count });
    values.push({ metricName: `${name}_sum`, value: h.sum });
    values.push({ metricName: `${name}_count`, value: h.count });
    return values;
  });
}
