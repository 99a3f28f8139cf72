// Running the real kubectl from tests: without blocking the event loop (the server answering it lives in this
// process), with a kubeconfig and its own cache, and reading the tables it prints.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
export const hasKubectl = existsSync(KUBECTL);

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Kubectl {
  run(...args: string[]): Promise<KubectlResult>;
  /** Runs kubectl and returns its output; throws with its stderr when it fails. */
  ok(...args: string[]): Promise<string>;
  /** The flags every call gets: the kubeconfig and a cache directory. */
  flags(): string[];
}

/** `where()` gives the kubeconfig and a directory for kubectl's cache once the test has made them. */
export function kubectlFor(where: () => { kubeconfig: string; dir: string }): Kubectl {
  const flags = (): string[] => ["--kubeconfig", where().kubeconfig, "--cache-dir", path.join(where().dir, "cache")];
  const run = (...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      execFile(KUBECTL, [...flags(), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  return {
    run,
    flags,
    ok: async (...args) => {
      const r = await run(...args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
  };
}

/** A table row as words: kubectl pads columns with spaces. */
export function rows(text: string): string[][] {
  return text
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/));
}

/** Runs kubectl with `dir`/kubeconfig and a cache in `dir`. */
export function kubectlIn(dir: string, ...args: string[]): Promise<KubectlResult> {
  return kubectlFor(() => ({ kubeconfig: path.join(dir, "kubeconfig"), dir })).run(...args);
}
