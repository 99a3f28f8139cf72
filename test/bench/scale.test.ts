// A small run of `npm run bench` as a user runs it: the compiled entry, the sim and the controller in processes of
// their own, the baselines over the recorded stream. It checks that the run completes and prints every row of the
// table; no figure is asserted (speed depends on the machine), except the ones that are counts, not speeds.
import { spawn } from "node:child_process";
import path from "node:path";
import { builtCli, ROOT } from "../built.js";

const ROWS = [
  "time until every pod has its report",
  "controller CPU until then, per pod",
  "requests per new report",
  "controller RSS (high-water mark)",
  "controller live heap per pod",
  "floor: report fields kept, heap per pod",
  "stock informer, heap per pod",
  "controller / floor",
  "stock / controller",
  "report writes in 1 s without changes",
  "pod changes handled per second",
  "controller CPU per change (its write included)",
  "change → report, p50 / p99 / max",
  "changes whose report never came",
  "report writes per change",
  "controller CPU per watch event",
  "scrape, --pod-metrics all",
  "scrape, --pod-metrics unhealthy",
  "uncompressed",
  "time until every pod was looked at",
];

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(ROOT, "dist", "bench", "scale.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
    proc.stderr.on("data", (c: Buffer) => (err += c.toString()));
    proc.on("exit", (code) => resolve({ code, out, err }));
  });
}

describe("npm run bench", () => {
  it("runs 200 pods end to end and prints one table with every row", async () => {
    builtCli();
    const { code, out, err } = await run(["--pods", "200", "--churn", "20", "--duration", "3", "--rest", "1"]);
    if (code !== 0) console.error(err);
    expect(code).toBe(0);
    expect(out).toMatch(/pod-health-operator bench: 200 pods, churn 20\/s for 3 s; node v\d+/);
    for (const row of ROWS) expect(out).toContain(row);
    // Counts, not speeds: nothing written at rest, one write per change, every change reported.
    expect(out).toMatch(/report writes in 1 s without changes\s+0\s/);
    expect(out).toMatch(/changes whose report never came\s+0\s/);
    expect(out).toMatch(/report writes per change\s+1\s/);
    expect(out).toMatch(/requests per new report\s+2\s/);
  }, 240_000);

  it("refuses a bad flag with exit code 2", async () => {
    const { code, err } = await run(["--pods", "many"]);
    expect(code).toBe(2);
    expect(err).toContain("--pods must be a positive integer");
  });
});
