// Shared set-up for the simulated API server's tests: a cluster with the test CRD loaded, a client-node
// KubeConfig for it, and polling for conditions that arrive asynchronously over watches.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { ApiError, packageRoot, startSimCluster, type SimCluster, type SimClusterOptions } from "../../src/sim/index.js";

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

export function startTestCluster(options: SimClusterOptions = {}): Promise<SimCluster> {
  return startSimCluster({ crdDirs: [path.join(packageRoot(), "crds"), FIXTURES], ...options });
}

export function kubeConfigOf(cluster: SimCluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(cluster.kubeConfig()));
  return kc;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; namespace?: string } = {}): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: Array<{ name: string; image: string }> };
} {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: extra.namespace, labels: extra.labels },
    spec: { nodeName: extra.nodeName, containers: [{ name: "app", image: "nginx:1.27" }] },
  };
}

/** An error and its causes, one `Name(code): message` per link: what a client's failure looks like, in one line. */
export function errorChain(err: unknown): string {
  const links: string[] = [];
  for (let e = err as { name?: string; code?: unknown; message?: string; cause?: unknown } | undefined; e && links.length < 10; e = e.cause as typeof e) {
    links.push(`${e.name ?? "?"}${typeof e.code === "string" ? `(${e.code})` : ""}: ${e.message ?? String(e)}`);
  }
  return links.join(" <- ");
}

/** The promise's rejection; fails the test when it resolves. */
export async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}


/** The code and message of the ApiError `fn` throws; fails the test when it throws nothing or something else. */
export function apiErrorOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected an ApiError, but nothing was thrown");
}
