// promtool from Debian's prometheus package (.ci/run installs it): found on PATH, or null with the reason printed once.
import { spawnSync } from "node:child_process";

let found: string | null | undefined;

export function promtool(): string | null {
  if (found !== undefined) return found;
  const r = spawnSync("promtool", ["--version"], { encoding: "utf8" });
  found = r.status === 0 ? "promtool" : null;
  if (found === null) console.warn("promtool not found (apt-get install prometheus): skipping the checks that need it");
  return found;
}

/** `promtool check metrics` on an exposition: its complaints (empty when clean) and exit code. */
export function checkMetrics(exposition: string): { code: number | null; output: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: exposition, encoding: "utf8" });
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
