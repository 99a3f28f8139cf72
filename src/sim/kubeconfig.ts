// A kubeconfig for the simulated cluster that both kubectl and @kubernetes/client-node accept: plain http, a
// token the server ignores, and cluster, user and context all named `sim`. client-node 2.x refuses an http://
// server unless the cluster says insecure-skip-tls-verify, so it does (kubectl does not mind).
import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";

export interface KubeConfigDocument {
  apiVersion: "v1";
  kind: "Config";
  clusters: Array<{ name: string; cluster: { server: string; "insecure-skip-tls-verify": boolean } }>;
  users: Array<{ name: string; user: { token: string } }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string; namespace: string } }>;
  "current-context": string;
  preferences: Record<string, never>;
}

export function kubeConfigFor(url: string): KubeConfigDocument {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "sim", cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: "sim", user: { token: "sim" } }],
    contexts: [{ name: "sim", context: { cluster: "sim", user: "sim", namespace: "default" } }],
    "current-context": "sim",
    preferences: {},
  };
}

export async function writeKubeConfig(path: string, url: string): Promise<void> {
  await writeFile(path, stringify(kubeConfigFor(url)), { mode: 0o600 });
}
