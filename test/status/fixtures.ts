// Loads the pod fixtures of test/fixtures/pods: one Pod per file, its expected kubectl columns and health in
// `test.podhealth.io/*` annotations, all evaluated at one fixed time.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Pod } from "../../src/status/index.js";

export const FIXTURE_DIR = join(process.cwd(), "test", "fixtures", "pods");

/** The time every fixture is evaluated at. */
export const NOW = new Date("2025-03-01T12:00:00Z");

export interface Expected {
  status: string;
  ready: string;
  restarts: string;
  health: string;
  reason: string | undefined;
  messageContains: string[];
}

export interface Fixture {
  file: string;
  pod: Pod;
  expected: Expected;
}

const PREFIX = "test.podhealth.io/";

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const pod = parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as Pod;
      const a = pod.metadata?.annotations ?? {};
      const need = (key: string): string => {
        const v = a[PREFIX + key];
        if (typeof v !== "string") throw new Error(`${file}: annotation ${PREFIX}${key} is missing`);
        return v;
      };
      return {
        file,
        pod,
        expected: {
          status: need("status"),
          ready: need("ready"),
          restarts: need("restarts"),
          health: need("health"),
          reason: a[PREFIX + "reason"],
          messageContains: (a[PREFIX + "message-contains"] ?? "").split("\n").filter((l) => l !== ""),
        },
      };
    });
}
