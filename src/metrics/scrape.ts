// One scrape: the process and operator metrics (every replica), then the per-namespace counts and the per-pod
// families of the pods this replica writes reports for, all computed from the controller's state at scrape time
// (kube-state-metrics' model) rather than kept up to date on every event.
import type { PodMetricsMode } from "../config.js";
import type { PodState, PodStates } from "../controller/pod-states.js";
import type { Health } from "../status/types.js";
import { ExpositionWriter, type Format } from "./exposition.js";
import { writeNamespaceFamilies } from "./namespace-families.js";
import { OperatorMetrics, type OperatorSource } from "./operator.js";
import { podRow, POD_FAMILIES, writePodFamilies, type PodRow } from "./pod-families.js";

/** What a scrape reads; a Controller is one. */
export interface MetricsSource extends OperatorSource {
  readonly podStates: PodStates;
}

export interface MetricsOptions {
  source: MetricsSource;
  podMetrics: PodMetricsMode;
  shard: Readonly<{ index: number; count: number }>;
}

const SETTLED: ReadonlySet<Health> = new Set<Health>(["Healthy", "Completed"]);

export class PodHealthMetrics {
  private readonly o: MetricsOptions;
  private readonly operator: OperatorMetrics;

  constructor(options: MetricsOptions) {
    this.o = options;
    this.operator = new OperatorMetrics(options.source, options.shard);
  }

  /** The whole exposition in the given format, as UTF-8 blocks. */
  async render(format: Format): Promise<Buffer[]> {
    const w = new ExpositionWriter(format);
    await this.operator.write(w);
    // From here on nothing awaits: the per-pod part is one consistent picture.
    const states = this.o.source.podStates;
    if (states.size > 0) writeNamespaceFamilies(w, states.values());
    const rows = this.rows(states);
    if (rows.length > 0) writePodFamilies(w, POD_FAMILIES, rows, states.now());
    return w.finish();
  }

  /** The exposition as one string (tests, tools). */
  async renderText(format: Format): Promise<string> {
    return Buffer.concat(await this.render(format)).toString("utf8");
  }

  private rows(states: PodStates): PodRow[] {
    const mode = this.o.podMetrics;
    if (mode === "none") return [];
    const rows: PodRow[] = [];
    for (const s of states.values()) if (exported(s, mode)) rows.push(podRow(s));
    return rows;
  }
}

function exported(s: PodState, mode: PodMetricsMode): boolean {
  return mode === "all" || !SETTLED.has(s.health);
}
