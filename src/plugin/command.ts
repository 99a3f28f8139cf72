// `kubectl podhealth POD [-n NS]` and `kubectl podhealth -A`: the kubectl plugin (the package installs the
// `kubectl-podhealth` executable; kubectl runs any `kubectl-NAME` on the PATH as `kubectl NAME`). One pod's report
// for a person, or a table of the pods that are not healthy, read through the current kubeconfig.
import type { Writable } from "node:stream";
import { loadConfig } from "../config.js";
import { KubeHttp } from "../controller/kube.js";
import { loadKubeConfig } from "../controller/run.js";
import type { PodHealthReport } from "../report/index.js";
import { wantsColour } from "../table/colour.js";
import { reportRow, summaryLine, tableLines, worstFirst } from "../table/reports.js";
import { describeReport } from "./describe.js";
import { podReport, readingTime, unhealthyReports } from "./sources.js";

export interface PluginOptions {
  namespace?: string;
  allNamespaces?: boolean;
  kubeconfig?: string;
  context?: string;
}

export interface PluginIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: Writable & { isTTY?: boolean; hasColors?: () => boolean };
  stderr: Writable;
  /** The local clock; tests fix it. */
  now?: () => number;
}

function observedTimes(reports: readonly PodHealthReport[]): string[] {
  return reports.map((r) => r.status?.observedAt).filter((t): t is string => typeof t === "string");
}

export async function pluginCommand(pod: string | undefined, opts: PluginOptions, io: PluginIo): Promise<number> {
  if (pod !== undefined && opts.allNamespaces) {
    io.stderr.write("error: a pod name cannot be used with --all-namespaces\n");
    return 2;
  }
  let api: KubeHttp;
  let namespace: string;
  try {
    const kc = loadKubeConfig(loadConfig({ kubeconfig: opts.kubeconfig, context: opts.context }, io.env));
    api = new KubeHttp(kc, { requestTimeoutMs: 15_000 });
    namespace = opts.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || "default";
  } catch (err) {
    io.stderr.write(`error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
    return 2;
  }
  const colour = wantsColour(io.stdout);
  const localMs = (io.now ?? Date.now)();
  try {
    if (pod !== undefined) {
      const { value, source } = await podReport(api, namespace, pod, localMs);
      io.stdout.write(describeReport(value, { nowMs: readingTime(localMs, observedTimes([value])), colour, source }));
      return 0;
    }
    const { value, source } = await unhealthyReports(api, opts.allNamespaces ? null : namespace, localMs);
    const nowMs = readingTime(localMs, observedTimes(value));
    const where = opts.allNamespaces ? "in any namespace" : `in namespace ${namespace}`;
    if (value.length === 0) {
      io.stdout.write(`No unhealthy pods ${where} (${source}).\n`);
      return 0;
    }
    const rows = worstFirst(value.map((r) => reportRow(r, nowMs)));
    io.stdout.write([...tableLines(rows, colour), "", `${summaryLine(rows.length, rows, colour)} ${where} (${source})`].join("\n") + "\n");
    return 0;
  } catch (err) {
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await api.close();
  }
}
