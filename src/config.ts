// The `run` subcommand's configuration: flags with POD_HEALTH_* environment equivalents, validated once and
// returned frozen. This is the only module that reads the process environment (through the `env` argument).
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { Command, Option } from "commander";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export type ReportMode = "all" | "unhealthy";
/** Which pods get per-pod series: all, those not Healthy/Completed, or none (the namespace counts stay). */
export type PodMetricsMode = "all" | "unhealthy" | "none";

export interface LeaderElectionConfig {
  enabled: boolean;
  leaseName: string;
  /** Namespace of the Lease; null only when election is disabled. */
  namespace: string | null;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface Config {
  /** Path of a kubeconfig file, or null for the default loading rules. */
  kubeconfig: string | null;
  context: string | null;
  /** True when no kubeconfig was given and we run inside a pod (KUBERNETES_SERVICE_HOST is set). */
  inCluster: boolean;
  /** Namespaces to watch; empty means all. */
  namespaces: readonly string[];
  labelSelector: string | null;
  historySize: number;
  concurrency: number;
  metricsPort: number;
  /** The IP address the metrics/health server listens on. */
  metricsAddress: string;
  podMetrics: PodMetricsMode;
  logLevel: LogLevel;
  reportMode: ReportMode;
  healthyGraceMs: number;
  /** 0: no periodic resync. */
  resyncPeriodMs: number;
  /** A report whose only changes are counts and history is written at most this often; 0: at once. */
  countWriteIntervalMs: number;
  shutdownTimeoutMs: number;
  maxEventsPerPod: number;
  leaderElection: Readonly<LeaderElectionConfig>;
  shard: Readonly<{ index: number; count: number }>;
}

/** The raw option values commander hands over (strings, or undefined when neither flag nor env gave one). */
export interface RunOptions {
  kubeconfig?: string;
  context?: string;
  namespaces?: string;
  labelSelector?: string;
  historySize?: string;
  concurrency?: string;
  metricsPort?: string;
  metricsAddress?: string;
  podMetrics?: string;
  logLevel?: string;
  reportMode?: string;
  healthyGrace?: string;
  resyncPeriod?: string;
  countWriteInterval?: string;
  shutdownTimeout?: string;
  maxEventsPerPod?: string;
  leaderElect?: string | boolean;
  leaderElectLeaseName?: string;
  leaderElectNamespace?: string;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  shardIndex?: string;
  shardCount?: string;
}

/** A bad flag or environment value; the CLI prints the message on one line and exits with code 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const ENV_PREFIX = "POD_HEALTH_";
const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const POD_METRICS_MODES: readonly PodMetricsMode[] = ["all", "unhealthy", "none"];

// One row per flag: the flag spelling, its help text and its default as the user would type it.
const FLAGS: ReadonlyArray<{ flags: string; help: string; def?: string; choices?: readonly string[] }> = [
  { flags: "--kubeconfig <path>", help: "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)" },
  { flags: "--context <name>", help: "kubeconfig context to use (default: the current context)" },
  { flags: "--namespaces <list>", help: "comma-separated namespaces to watch (empty: all)", def: "" },
  { flags: "--label-selector <selector>", help: "only pods matching this label selector" },
  { flags: "--history-size <n>", help: "probe failures and restarts kept per report", def: "20" },
  { flags: "--concurrency <n>", help: "pods reconciled at once", def: "4" },
  { flags: "--metrics-port <port>", help: "port of the /metrics, /healthz and /readyz server", def: "8080" },
  { flags: "--metrics-address <ip>", help: "IP address the metrics and health server listens on", def: "0.0.0.0" },
  { flags: "--pod-metrics <mode>", help: "per-pod series for all pods, only those not Healthy/Completed, or none", def: "all", choices: POD_METRICS_MODES },
  { flags: "--log-level <level>", help: "log level", def: "info", choices: LOG_LEVELS },
  { flags: "--report-mode <mode>", help: "all: a report per pod; unhealthy: only for pods not Healthy/Completed", def: "all", choices: ["all", "unhealthy"] },
  { flags: "--healthy-grace <duration>", help: "with --report-mode unhealthy, delete a report after the pod is healthy this long", def: "5m" },
  { flags: "--resync-period <duration>", help: "look at every cached pod again this often, as a safety net (0: never)", def: "5m" },
  {
    flags: "--count-write-interval <duration>",
    help: "write a report whose only changes are counts and history at most this often per pod (status changes are written at once)",
    def: "30s",
  },
  { flags: "--shutdown-timeout <duration>", help: "on SIGTERM, how long to let in-flight reconciles finish", def: "20s" },
  { flags: "--max-events-per-pod <n>", help: "events kept in memory per pod (newest first)", def: "50" },
  { flags: "--leader-elect-lease-name <name>", help: "name of the coordination.k8s.io Lease", def: "pod-health-operator" },
  { flags: "--leader-elect-namespace <ns>", help: "namespace of the Lease (default: this pod's namespace)" },
  { flags: "--leader-elect-lease-duration <duration>", help: "how long a lease is valid without renewal", def: "15s" },
  { flags: "--leader-elect-renew-deadline <duration>", help: "the leader stops writing when it has not renewed for this long", def: "10s" },
  { flags: "--leader-elect-retry-period <duration>", help: "how often to try to acquire or renew the lease", def: "2s" },
  { flags: "--shard-index <n>", help: "this replica's shard (default: the ordinal of POD_NAME name-N, else 0)" },
  { flags: "--shard-count <n>", help: "number of shards pods are split into by a hash of namespace/name", def: "1" },
];

function envName(flags: string): string {
  const long = flags.split(" ")[0].replace(/^--/, "");
  return ENV_PREFIX + long.toUpperCase().replace(/-/g, "_");
}

/** Adds the `run` flags, each with a POD_HEALTH_* environment variable equivalent, to a command. */
export function addRunOptions(cmd: Command): Command {
  for (const f of FLAGS) {
    const opt = new Option(f.flags, f.help).env(envName(f.flags));
    if (f.def !== undefined) opt.default(f.def);
    if (f.choices) opt.choices(f.choices);
    cmd.addOption(opt);
  }
  // `--leader-elect` alone means true; `--leader-elect=false` and POD_HEALTH_LEADER_ELECT=false turn it off.
  cmd.addOption(
    new Option("--leader-elect [enabled]", "elect one writer among replicas through a Lease")
      .preset("true")
      .default("false")
      .env(envName("--leader-elect")),
  );
  return cmd;
}

/** Parses a Go-style duration (`90s`, `5m`, `1h30m`, `250ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const s = text.trim();
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  if (s.length === 0 || consumed !== s.length) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 30s, 5m, 1h)`);
  return Math.round(total);
}

function intFlag(name: string, value: string | undefined, def: number, min: number, max: number): number {
  if (value === undefined || value === "") return def;
  if (!/^-?\d+$/.test(value.trim())) throw new ConfigError(`--${name}: expected an integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`--${name}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

function durationFlag(name: string, value: string | undefined, def: string, minMs: number): number {
  let ms: number;
  try {
    ms = parseDuration(value ?? def);
  } catch (err) {
    throw new ConfigError(`--${name}: ${(err as Error).message}`);
  }
  if (ms < minMs) throw new ConfigError(`--${name}: must be at least ${minMs}ms, got ${value}`);
  return ms;
}

/** 0 (off), or at least `minMs`. */
function offOrAtLeast(name: string, ms: number, minMs: number): number {
  if (ms !== 0 && ms < minMs) throw new ConfigError(`--${name}: must be 0 (off) or at least ${minMs}ms, got ${ms}ms`);
  return ms;
}

function boolFlag(name: string, value: string | boolean | undefined): boolean {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  const v = value.trim().toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no", ""].includes(v)) return false;
  throw new ConfigError(`--${name}: expected true or false, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(name: string, value: string | undefined, choices: readonly T[], def: T): T {
  if (value === undefined) return def;
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(`--${name}: must be one of ${choices.join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

function ipFlag(name: string, value: string | undefined, def: string): string {
  const v = value === undefined || value.trim() === "" ? def : value.trim();
  if (isIP(v) === 0) throw new ConfigError(`--${name}: expected an IPv4 or IPv6 address, got ${JSON.stringify(value)}`);
  return v;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The StatefulSet ordinal at the end of a pod name (`pod-health-operator-2` → 2), or null. */
export function ordinalFromPodName(podName: string | undefined): number | null {
  const m = podName ? /-(\d+)$/.exec(podName) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Validates the raw options once and returns the configuration frozen. `env` is the process environment; it is
 * read for KUBERNETES_SERVICE_HOST (in-cluster), POD_NAME (shard ordinal, identity) and POD_NAMESPACE.
 */
export function loadConfig(opts: RunOptions, env: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const namespaces = (opts.namespaces ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const ns of namespaces) {
    if (!DNS_LABEL.test(ns) || ns.length > 63) throw new ConfigError(`--namespaces: ${JSON.stringify(ns)} is not a valid namespace name`);
  }
  const kubeconfig = opts.kubeconfig && opts.kubeconfig !== "" ? opts.kubeconfig : null;
  const inCluster = kubeconfig === null && !env.KUBECONFIG && Boolean(env.KUBERNETES_SERVICE_HOST);

  const shardCount = intFlag("shard-count", opts.shardCount, 1, 1, 1024);
  let shardIndex: number;
  if (opts.shardIndex !== undefined && opts.shardIndex !== "") {
    shardIndex = intFlag("shard-index", opts.shardIndex, 0, 0, shardCount - 1);
  } else if (shardCount > 1) {
    const ordinal = ordinalFromPodName(env.POD_NAME);
    if (ordinal === null) throw new ConfigError("--shard-index: not given and POD_NAME has no StatefulSet ordinal (name-N)");
    if (ordinal >= shardCount) throw new ConfigError(`--shard-index: ordinal ${ordinal} of POD_NAME is not below --shard-count ${shardCount}`);
    shardIndex = ordinal;
  } else {
    shardIndex = 0;
  }

  const leaderEnabled = boolFlag("leader-elect", opts.leaderElect);
  const leaseDurationMs = durationFlag("leader-elect-lease-duration", opts.leaderElectLeaseDuration, "15s", 100);
  const renewDeadlineMs = durationFlag("leader-elect-renew-deadline", opts.leaderElectRenewDeadline, "10s", 50);
  const retryPeriodMs = durationFlag("leader-elect-retry-period", opts.leaderElectRetryPeriod, "2s", 10);
  if (renewDeadlineMs >= leaseDurationMs) throw new ConfigError("--leader-elect-renew-deadline: must be shorter than --leader-elect-lease-duration");
  if (retryPeriodMs >= renewDeadlineMs) throw new ConfigError("--leader-elect-retry-period: must be shorter than --leader-elect-renew-deadline");
  let leaseName = opts.leaderElectLeaseName ?? "pod-health-operator";
  if (!DNS_SUBDOMAIN.test(leaseName) || leaseName.length > 253) throw new ConfigError(`--leader-elect-lease-name: ${JSON.stringify(leaseName)} is not a valid name`);
  // Each shard elects its own leader, so two shards never contend for one lease.
  if (shardCount > 1) leaseName = `${leaseName}-shard-${shardIndex}`;
  const leaseNamespace = opts.leaderElectNamespace || env.POD_NAMESPACE || null;
  if (leaderEnabled && leaseNamespace === null) {
    throw new ConfigError("--leader-elect-namespace: required with --leader-elect outside a pod (POD_NAMESPACE is not set)");
  }
  if (leaseNamespace !== null && !DNS_LABEL.test(leaseNamespace)) throw new ConfigError(`--leader-elect-namespace: ${JSON.stringify(leaseNamespace)} is not a valid namespace name`);

  const config: Config = {
    kubeconfig,
    context: opts.context && opts.context !== "" ? opts.context : null,
    inCluster,
    namespaces: Object.freeze(namespaces),
    labelSelector: opts.labelSelector && opts.labelSelector.trim() !== "" ? opts.labelSelector.trim() : null,
    historySize: intFlag("history-size", opts.historySize, 20, 1, 1000),
    concurrency: intFlag("concurrency", opts.concurrency, 4, 1, 256),
    metricsPort: intFlag("metrics-port", opts.metricsPort, 8080, 0, 65535),
    metricsAddress: ipFlag("metrics-address", opts.metricsAddress, "0.0.0.0"),
    podMetrics: oneOf("pod-metrics", opts.podMetrics, POD_METRICS_MODES, "all"),
    logLevel: oneOf("log-level", opts.logLevel, LOG_LEVELS, "info"),
    reportMode: oneOf("report-mode", opts.reportMode, ["all", "unhealthy"] as const, "all"),
    healthyGraceMs: durationFlag("healthy-grace", opts.healthyGrace, "5m", 0),
    resyncPeriodMs: offOrAtLeast("resync-period", durationFlag("resync-period", opts.resyncPeriod, "5m", 0), 1000),
    countWriteIntervalMs: durationFlag("count-write-interval", opts.countWriteInterval, "30s", 0),
    shutdownTimeoutMs: durationFlag("shutdown-timeout", opts.shutdownTimeout, "20s", 0),
    maxEventsPerPod: intFlag("max-events-per-pod", opts.maxEventsPerPod, 50, 1, 10_000),
    leaderElection: Object.freeze({
      enabled: leaderEnabled,
      leaseName,
      namespace: leaseNamespace,
      identity: `${env.POD_NAME || hostname()}_${randomUUID().slice(0, 8)}`,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    }),
    shard: Object.freeze({ index: shardIndex, count: shardCount }),
  };
  return Object.freeze(config);
}
