// The shipped manifests as parsed YAML documents, for the deploy tests: the files of the base, the CRD and the
// monitoring component, and any kustomization as `kubectl kustomize` renders it, with a few finders.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { packageRoot } from "../../src/sim/index.js";

export const ROOT = packageRoot();
export const DEPLOY_DIR = path.join(ROOT, "deploy");
export const BASE_DIR = path.join(DEPLOY_DIR, "base");
export const MONITORING_DIR = path.join(DEPLOY_DIR, "components", "monitoring");
export const CRD_DIR = path.join(ROOT, "crds");

/** The ServiceAccount the operator runs as, and which deploy/base/rbac.yaml binds. */
export const OPERATOR_SA = { namespace: "pod-health-operator", name: "pod-health-operator" };

export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
export const hasKubectl = existsSync(KUBECTL);

export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Parses a YAML stream's documents; a YAML error fails loudly with `source` (a file name) in the message. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as Omit<Manifest, "file"> | null;
    if (obj !== null) out.push({ ...obj, file: source } as Manifest);
  }
  return out;
}

/** Parses one file's documents. */
export function readManifestFile(file: string): Manifest[] {
  return parseManifests(readFileSync(file, "utf8"), path.relative(ROOT, file));
}

/** Every document of every *.yaml / *.yml file in the folders, kustomization files left out. */
export function readManifests(...dirs: string[]): Manifest[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n) && !/^kustomization\.ya?ml$/.test(n))
      .sort()
      .flatMap((n) => readManifestFile(path.join(dir, n))),
  );
}

/** What `kubectl apply -k deploy/` installs, read from the files it is made of (no kubectl needed). */
export function installManifests(): Manifest[] {
  return readManifests(BASE_DIR, CRD_DIR, MONITORING_DIR);
}

/** The folders under deploy/ that hold a Kustomization (not a Component): deploy/ itself, the base, each overlay. */
export function kustomizations(dir: string = DEPLOY_DIR): string[] {
  const here = ["kustomization.yaml", "kustomization.yml"].map((n) => path.join(dir, n)).find((f) => existsSync(f));
  const mine = here !== undefined && (parse(readFileSync(here, "utf8")) as { kind?: string }).kind === "Kustomization" ? [dir] : [];
  const below = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => kustomizations(path.join(dir, e.name)));
  return [...mine, ...below];
}

/** `kubectl kustomize dir`, parsed; the file of each document is the folder rendered. */
export function kustomize(dir: string): Manifest[] {
  const out = execFileSync(KUBECTL, ["kustomize", dir], { encoding: "utf8", timeout: 30_000, maxBuffer: 32 << 20 });
  return parseManifests(out, path.relative(ROOT, dir) || ".");
}

export function findAll(docs: readonly Manifest[], kind: string): Manifest[] {
  return docs.filter((d) => d.kind === kind);
}

export function findOne(docs: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0];
}

/** kind/namespace/name, the identity kubectl applies by. */
export function objectId(m: Pick<Manifest, "apiVersion" | "kind" | "metadata">): string {
  return `${m.apiVersion.split("/").length > 1 ? m.apiVersion.split("/")[0] : "core"}/${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;
}
