// The demo as a user runs it, a separate process from dist/ with no terminal: plain lines, the kubeconfig and the
// metrics URL it prints work for the real kubectl and for an HTTP client while it runs, it stops by itself after
// --duration or on SIGINT with exit code 0, and its temporary directory is gone afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { builtCli } from "../built.js";
import { hasKubectl, KUBECTL, kubectlFor, rows } from "../sim/kubectl-helpers.js";
import { waitFor } from "../controller/e2e-helpers.js";

interface Demo {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function startDemo(...args: string[]): Demo {
  // stdin ignored and stdout a pipe: no terminal, so plain lines and no colour.
  const proc = spawn(process.execPath, [builtCli(), "demo", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, exit };
}

function removedDir(stderr: string): string {
  const m = /demo: stopped; removed (\S+)/.exec(stderr);
  if (!m) throw new Error(`the demo did not say what it removed:\n${stderr}`);
  return m[1];
}

const running: Demo[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) {
    if (d.proc.exitCode === null && d.proc.signalCode === null) {
      d.proc.kill("SIGKILL");
      await d.exit;
    }
  }
});

describe("npm run demo (node dist/cli.js demo) without a terminal", () => {
  test("--duration 5 --pods 10: plain lines, reports for every pod, exit 0 by itself, temporary directory removed", async () => {
    const d = startDemo("--duration", "5", "--pods", "10");
    running.push(d);
    expect(await d.exit).toBe(0);
    const lines = d.out().split("\n");
    expect(lines[0]).toBe("pod-health-operator demo: the mixed scenario, 10 pods, simulated time x20. Stops after 5 s.");
    expect(lines[1]).toMatch(/^ {2}kubectl --kubeconfig \/\S+\/kubeconfig get phr -A$/);
    expect(lines[2]).toMatch(/^ {2}curl -s http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(lines.find((l) => l.startsWith("NAMESPACE"))).toMatch(/^NAMESPACE\s+NAME\s+STATUS\s+READY\s+RESTARTS\s+HEALTH\s+CRASHLOOPS\s+PROBE-FAILURES\s+REASON\s+AGE$/);
    // Every one of the ten pods got a report at some point, and the last summary has one for each.
    expect(lines.filter((l) => /^\d+ pods?: /.test(l)).at(-1)).toMatch(/^10 pods: (?!.*without a report)/);
    expect(d.out()).not.toContain("\x1b[");
    expect(existsSync(removedDir(d.err()))).toBe(false);
    expect(d.err()).not.toMatch(/demo: (?!stopped)/);
  });

  test("SIGINT (Ctrl-C) stops everything cleanly: exit 0, the temporary directory removed", async () => {
    const d = startDemo("--pods", "5");
    running.push(d);
    await waitFor("a summary line", () => /^\d+ pods?: /m.test(d.out()), 30_000);
    const dir = /--kubeconfig (\S+)\/kubeconfig/.exec(d.out())![1];
    expect(existsSync(dir)).toBe(true);
    d.proc.kill("SIGINT");
    expect(await d.exit).toBe(0);
    expect(removedDir(d.err())).toBe(dir);
    expect(existsSync(dir)).toBe(false);
  });

  test("a reader that goes away (npm run demo | head) stops it like Ctrl-C: exit 0, the directory removed", async () => {
    const d = startDemo("--pods", "5", "--duration", "60");
    running.push(d);
    await waitFor("a summary line", () => /^\d+ pods?: /m.test(d.out()), 30_000);
    const dir = /--kubeconfig (\S+)\/kubeconfig/.exec(d.out())![1];
    d.proc.stdout!.destroy();
    expect(await d.exit).toBe(0);
    expect(removedDir(d.err())).toBe(dir);
    expect(existsSync(dir)).toBe(false);
  });

  test("bad flags: exit 2 with the reason, nothing started", async () => {
    const d = startDemo("--pods", "0");
    running.push(d);
    expect(await d.exit).toBe(2);
    expect(d.err()).toBe("demo: --pods must be an integer from 1 to 5000, got 0\n");
  });
});

if (!hasKubectl) console.warn(`demo kubectl test skipped: no kubectl at ${KUBECTL} (set KUBECTL to its path)`);
(hasKubectl ? describe : describe.skip)("beside the running demo", () => {
  test("the real kubectl reads the reports through the printed kubeconfig, and the printed metrics URL serves metrics", async () => {
    const d = startDemo("--pods", "8", "--duration", "60");
    running.push(d);
    await waitFor("a summary line", () => /^\d+ pods?: /m.test(d.out()), 30_000);
    const kubeconfig = /--kubeconfig (\S+) get phr/.exec(d.out())![1];
    const metricsUrl = /curl -s (\S+)\/metrics/.exec(d.out())![1];
    const kubectl = kubectlFor(() => ({ kubeconfig, dir: kubeconfig.replace(/\/kubeconfig$/, "") }));
    let table: string[][] = [];
    await waitFor("eight reports through kubectl", async () => (table = rows(await kubectl.ok("get", "phr", "-A"))).length === 9, 30_000);
    expect(table[0]).toEqual(["NAMESPACE", "NAME", "STATUS", "READY", "RESTARTS", "HEALTH", "CRASHLOOPS", "PROBE-FAILURES", "REASON", "AGE"]);
    const crd = await kubectl.ok("get", "crd", "podhealthreports.podhealth.io", "-o", "jsonpath={.status.conditions[?(@.type=='Established')].status}");
    expect(crd).toBe("True");
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^podhealth_pod_health\{/m);
    d.proc.kill("SIGTERM");
    expect(await d.exit).toBe(0);
  });
});
