// The benchmark's child processes, as handles: the simulated cluster (forked, driven over IPC), the controller
// (`node dist/cli.js run`, read through its JSON log lines) and the baselines (JSON lines on stdout).
import { fork, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { GcReport } from "../controller/gc-report.js";
import { eachLine } from "./lines.js";
import type { SimCommand, SimMessage } from "./scale-sim.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** dist/cli.js: the controller exactly as a user runs it. */
export const CLI = path.join(HERE, "..", "cli.js");

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}

/** Waits for `check` to return a value, polling; throws `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class SimProcess {
  readonly proc: ChildProcess;
  private readonly inbox: SimMessage[] = [];
  private failure: Error | null = null;

  constructor(pods: number, kubeconfig: string, nodeArgs: string[] = []) {
    this.proc = fork(path.join(HERE, "scale-sim.js"), [String(pods), kubeconfig], {
      execArgv: ["--max-old-space-size=16384", ...nodeArgs],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.proc.on("message", (m: SimMessage) => {
      if (m.type === "error") this.failure = new Error(`sim: ${m.message}`);
      else this.inbox.push(m);
    });
    this.proc.on("exit", (code) => {
      if (code !== 0) this.failure ??= new Error(`sim: exited with ${code}`);
    });
  }

  send(cmd: SimCommand): void {
    this.proc.send(cmd);
  }

  /** The next message of this type (taken out of the inbox). */
  next<K extends SimMessage["type"]>(type: K, timeoutMs: number): Promise<Extract<SimMessage, { type: K }>> {
    return waitUntil(`the sim's "${type}"`, () => {
      if (this.failure) throw this.failure;
      const i = this.inbox.findIndex((m) => m.type === type);
      return i === -1 ? undefined : (this.inbox.splice(i, 1)[0] as Extract<SimMessage, { type: K }>);
    }, timeoutMs, 10);
  }

  async request<K extends SimMessage["type"]>(cmd: SimCommand, reply: K, timeoutMs: number): Promise<Extract<SimMessage, { type: K }>> {
    this.send(cmd);
    return this.next(reply, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.send({ cmd: "stop" });
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 10_000);
    await exited(this.proc);
    clearTimeout(timer);
  }
}

export interface ControllerOptions {
  kubeconfig: string;
  args: string[];
  /** Node flags before the script (profiling). */
  nodeArgs?: string[];
  /** NODE_OPTIONS for the controller, as a Deployment sets them. */
  nodeOptions?: string;
}

export class ControllerProcess {
  readonly proc: ChildProcess;
  readonly startedAt = Date.now();
  metricsUrl: string | null = null;
  synced = false;
  private readonly gcReports: GcReport[] = [];
  /** The last warnings and errors it logged, for a failure message. */
  readonly problems: string[] = [];
  private stderr = "";

  constructor(o: ControllerOptions) {
    this.proc = spawn(
      process.execPath,
      ["--expose-gc", ...(o.nodeArgs ?? []), CLI, "run", "--kubeconfig", o.kubeconfig, "--metrics-port", "0", "--metrics-address", "127.0.0.1", ...o.args],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: o.nodeOptions ?? "" } },
    );
    eachLine(this.proc.stdout!, (line) => this.onLog(line));
    eachLine(this.proc.stderr!, (line) => {
      this.stderr = `${this.stderr}${line}\n`.slice(-4000);
    });
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error("bench: the controller did not start");
    return this.proc.pid;
  }

  private onLog(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (entry.msg === "metrics and health server listening") this.metricsUrl = `http://127.0.0.1:${String(entry.port)}`;
    else if (entry.msg === "caches synced") this.synced = true;
    else if (entry.module === "gc-report") this.gcReports.push(entry as unknown as GcReport);
    if (typeof entry.level === "number" && entry.level >= 40) {
      this.problems.push(String(entry.msg));
      if (this.problems.length > 20) this.problems.shift();
    }
  }

  private checkAlive(): void {
    if (this.proc.exitCode !== null) throw new Error(`bench: the controller exited with ${this.proc.exitCode}\n${this.stderr}${this.problems.join("\n")}`);
  }

  /** The live heap it logged when it started, before its caches filled. */
  startHeap(timeoutMs = 20_000): Promise<GcReport> {
    return waitUntil("the controller's first memory report (is it run with --expose-gc?)", () => {
      this.checkAlive();
      return this.gcReports[0];
    }, timeoutMs);
  }

  /** Forces a full collection in the controller (SIGUSR2) and returns what it reports. */
  async gcNow(timeoutMs = 30_000): Promise<GcReport> {
    await this.startHeap();
    const seen = this.gcReports.length;
    this.proc.kill("SIGUSR2");
    return waitUntil("the controller's memory report", () => {
      this.checkAlive();
      return this.gcReports[seen];
    }, timeoutMs);
  }

  async whenListening(timeoutMs: number): Promise<string> {
    return waitUntil("the controller's metrics server", () => {
      this.checkAlive();
      return this.metricsUrl ?? undefined;
    }, timeoutMs);
  }

  /** SIGTERM, and the exit code; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), timeoutMs);
    const code = await exited(this.proc);
    clearTimeout(timer);
    return code;
  }
}

export interface BaselineLine {
  listed?: number;
  heapBefore?: number;
  heapAfter?: number;
  events?: number;
  error?: string;
}

export class BaselineProcess {
  readonly proc: ChildProcess;
  readonly lines: BaselineLine[] = [];
  private stderr = "";

  constructor(readonly mode: "floor" | "stock", kubeconfig: string, counts: number[], onLine: (b: BaselineProcess, line: BaselineLine) => void) {
    this.proc = spawn(process.execPath, ["--expose-gc", "--max-old-space-size=16384", path.join(HERE, "baseline.js"), mode, kubeconfig, counts.join(",")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    eachLine(this.proc.stdout!, (line) => {
      const parsed = JSON.parse(line) as BaselineLine;
      this.lines.push(parsed);
      onLine(this, parsed);
    });
    eachLine(this.proc.stderr!, (line) => {
      this.stderr = `${this.stderr}${line}\n`.slice(-4000);
    });
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error(`bench: the ${this.mode} baseline did not start`);
    return this.proc.pid;
  }

  find(pred: (l: BaselineLine) => boolean, what: string, timeoutMs: number): Promise<BaselineLine> {
    return waitUntil(`the ${this.mode} baseline: ${what}`, () => {
      if (this.proc.exitCode !== null) throw new Error(`bench: the ${this.mode} baseline exited with ${this.proc.exitCode}\n${this.stderr}`);
      return this.lines.find(pred);
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill("SIGKILL");
    await exited(this.proc);
  }
}
