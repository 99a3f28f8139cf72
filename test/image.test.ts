// The Dockerfile, checked without a Docker engine: its stages are Node 24, its runtime stage runs the package's bin
// as a numeric non-root user through an exec-form ENTRYPOINT (no shell, so SIGTERM reaches node). Its file set is
// reproduced as the build stage makes it (npm pack, then a production install from the lockfile, in a temporary
// directory) and the CLI is started from there: `--help`, and `run` against the simulated cluster until SIGTERM,
// writing nothing into its own directory (the Deployment gives it a read-only root filesystem).
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { RESOURCE_KEY } from "../src/report/index.js";
import { startSimCluster, type SimCluster } from "../src/sim/index.js";
import { builtCli, ROOT } from "./built.js";
import { waitFor } from "./controller/e2e-helpers.js";

const exec = promisify(execFile);

interface Stage {
  from: string;
  /** Instructions after FROM, continuation lines joined, comments left out. */
  lines: string[];
}

/** The Dockerfile's stages: instructions continue over backslash-newlines; comments and blank lines go. */
function stages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const out: Stage[] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) out.push({ from: l.split(/\s+/)[1], lines: [] });
    else out.at(-1)?.lines.push(l);
  }
  return out;
}

function instruction(stage: Stage, name: string): string[] {
  return stage.lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length).trim());
}

const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
const all = stages(dockerfile);
const runtime = all[all.length - 1];
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[] };
const deployment = parse(readFileSync(path.join(ROOT, "deploy", "base", "deployment.yaml"), "utf8")) as { spec: { template: { spec: { securityContext: { runAsUser: number } } } } };

describe("Dockerfile", () => {
  test("every stage is Node 24; the build stage installs dev dependencies, the runtime stage only copies the result", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const s of all) expect(s.from).toMatch(/^node:24(-|$)/);
    const build = all[0];
    expect(instruction(build, "RUN").join(" ")).toMatch(/npm ci --no-audit --no-fund/);
    // The runtime stage installs nothing: no npm, no package manager.
    expect(instruction(runtime, "RUN").join(" ")).not.toMatch(/\bnpm\b|apt-get/);
    expect(instruction(runtime, "COPY")).toEqual(["--from=build /app /app"]);
  });

  test("the build stage's production install is the one this test repeats", () => {
    const run = instruction(all[0], "RUN").join(" && ");
    for (const step of ["npm pack --pack-destination /tmp", "--strip-components=1", "cp package-lock.json /app/", "npm ci --omit=dev --ignore-scripts --no-audit --no-fund"]) expect(run).toContain(step);
  });

  test("runs as a numeric non-root user, the uid the Deployment asks for", () => {
    const users = instruction(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    const [user] = users[users.length - 1].split(":");
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
    expect(Number(user)).toBe(deployment.spec.template.spec.securityContext.runAsUser);
  });

  test("the entry point is the package's bin in exec form, `pod-health-operator run`, and SIGTERM stops it", () => {
    const entrypoint = JSON.parse(instruction(runtime, "ENTRYPOINT").at(-1) ?? "null") as string[];
    expect(entrypoint).toEqual(["pod-health-operator"]);
    expect(JSON.parse(instruction(runtime, "CMD").at(-1) ?? "null")).toEqual(["run"]);
    expect(instruction(runtime, "STOPSIGNAL").every((s) => s === "SIGTERM")).toBe(true);
    // The name on PATH links to the file package.json names as that bin.
    expect(instruction(runtime, "RUN").join(" ")).toContain(`ln -s /app/${pkg.bin["pod-health-operator"]} /usr/local/bin/pod-health-operator`);
  });
});

describe("the runtime stage's files, reproduced", () => {
  let dir: string;
  let app: string;
  let cluster: SimCluster | undefined;
  beforeAll(async () => {
    builtCli();
    dir = await mkdtemp(path.join(tmpdir(), "pho-image-"));
    app = path.join(dir, "app");
    await mkdir(app);
    const quiet = { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" };
    const { stdout } = await exec("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: ROOT, env: quiet });
    await exec("tar", ["-xzf", path.join(dir, stdout.trim()), "-C", app, "--strip-components=1"]);
    await exec("cp", [path.join(ROOT, "package-lock.json"), app]);
    await exec("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: app, env: quiet, timeout: 120_000 });
  }, 180_000);
  afterAll(async () => {
    await cluster?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Every file under the app with its size and modification time. */
  async function snapshot(root: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      const p = path.join(entry.parentPath, entry.name);
      const s = await stat(p).catch(() => null);
      if (s) out.set(path.relative(root, p), `${s.size}:${s.mtimeMs}`);
    }
    return out;
  }

  test("hold the published files and production dependencies only", async () => {
    expect((await readdir(app)).sort()).toEqual(["README.md", "node_modules", "package-lock.json", "package.json", ...pkg.files].sort());
    const modules = await readdir(path.join(app, "node_modules"));
    for (const dep of Object.keys(pkg.dependencies)) expect(modules).toContain(dep.split("/")[0]);
    // What the lockfile marks dev-only (the toolchain, the pinned `node` itself, jest, …) is not there.
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([p, meta]) => p !== "" && meta.dev === true).map(([p]) => p);
    expect(devOnly).toEqual(expect.arrayContaining(["node_modules/typescript", "node_modules/node", "node_modules/jest"]));
    expect(devOnly.filter((p) => existsSync(path.join(app, p)))).toEqual([]);
  });

  test("`--help` starts the CLI and lists its subcommands", async () => {
    const { stdout } = await exec(process.execPath, [path.join(app, pkg.bin["pod-health-operator"]), "--help"], { cwd: app, env: { ...process.env, NODE_ENV: "production" } });
    for (const sub of ["run", "explain", "sim", "demo"]) expect(stdout).toMatch(new RegExp(`^  ${sub}\\b`, "m"));
  });

  test("`run` against the simulated cluster writes a report, exits 0 on SIGTERM, and writes nothing into its own files", async () => {
    cluster = await startSimCluster();
    const kubeconfig = path.join(dir, "kubeconfig");
    await cluster.writeKubeconfig(kubeconfig);
    const before = await snapshot(app);
    const proc = spawn(process.execPath, [path.join(app, pkg.bin["pod-health-operator"]), "run", "--kubeconfig", kubeconfig, "--metrics-port", "0"], {
      cwd: app,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
    proc.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    try {
      await waitFor("caches synced", () => out.includes('"msg":"caches synced"'), 30_000);
      cluster.store.create("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default" }, spec: { containers: [{ name: "app", image: "app:1" }] } });
      await waitFor("the pod's report", () => cluster!.store.get(RESOURCE_KEY, "default", "web") !== undefined, 30_000);
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await exit).toBe(0);
    expect(out).toContain('"msg":"controller stopped"');
    expect(await snapshot(app)).toEqual(before);
  });
});
