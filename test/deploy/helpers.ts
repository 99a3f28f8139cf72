// The shipped manifests as parsed YAML documents, for the deploy tests: every document of deploy/*.yaml and
// crds/*.yaml, with the file it came from, and a few finders.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { packageRoot } from "../../src/sim/index.js";

export const ROOT = packageRoot();
export const DEPLOY_DIR = path.join(ROOT, "deploy");
export const CRD_DIR = path.join(ROOT, "crds");

/** The ServiceAccount the operator runs as, and which deploy/rbac.yaml binds. */
export const OPERATOR_SA = { namespace: "pod-health-operator", name: "pod-health-operator" };

export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Parses one file's documents; a YAML error fails loudly with the file's name. */
export function readManifestFile(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  const out: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as Omit<Manifest, "file"> | null;
    if (obj !== null) out.push({ ...obj, file: path.relative(ROOT, file) } as Manifest);
  }
  return out;
}

/** Every document of every *.yaml / *.yml file in the folders. */
export function readManifests(...dirs: string[]): Manifest[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .flatMap((n) => readManifestFile(path.join(dir, n))),
  );
}

export function findAll(docs: readonly Manifest[], kind: string): Manifest[] {
  return docs.filter((d) => d.kind === kind);
}

export function findOne(docs: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0];
}
