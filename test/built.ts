// The compiled CLI (dist/), for tests that run the program as a user does: a separate process. `npm test` builds
// it first; a test run on its own says what to do when dist/ is missing or older than the sources.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BUILT_CLI = path.join(ROOT, "dist", "cli.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The path of dist/cli.js; throws a clear error when it is missing or stale. */
export function builtCli(): string {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` (npm test does it first)`);
  if (newestMtime(path.join(ROOT, "src")) > statSync(BUILT_CLI).mtimeMs + 1) {
    const newestBuilt = newestMtime(path.join(ROOT, "dist"));
    if (newestMtime(path.join(ROOT, "src")) > newestBuilt + 1) throw new Error("dist/ is older than src/: run `npm run build` (npm test does it first)");
  }
  return BUILT_CLI;
}
