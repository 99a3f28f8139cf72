// The explain command in-process, with fake streams: outputs for a List of pods, the input forms, and every
// input error ending in one line on stderr and exit code 2.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { parse, stringify } from "yaml";
import { explainCommand, type ExplainOptions } from "../../src/explain/command.js";
import type { Pod } from "../../src/status/index.js";
import { FIXTURE_DIR } from "../status/fixtures.js";

const NOW = "2025-03-01T12:00:00Z";
const FILES = ["crashloop-multi-container", "init-1-of-2", "running-single"];
const pods = FILES.map((f) => parse(readFileSync(join(FIXTURE_DIR, `${f}.yaml`), "utf8")) as Pod);
const dir = mkdtempSync(join(tmpdir(), "explain-test-"));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

async function run(path: string | undefined, opts: Partial<ExplainOptions> = {}, stdinText = ""): Promise<{ code: number; out: string; err: string }> {
  const out = collect();
  const err = collect();
  const code = await explainCommand(path, { output: "table", now: NOW, ...opts }, {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout: out.stream,
    stderr: err.stream,
  });
  return { code, out: out.text(), err: err.text() };
}

const listYaml = stringify({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items: pods });

describe("explain output", () => {
  it("prints a kubectl-style table, columns left-aligned with three spaces between them", async () => {
    const { code, out, err } = await run(file("list.yaml", listYaml));
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const lines = out.split("\n");
    expect(lines.pop()).toBe("");
    // Widths: the widest cell plus three (NAME 25+3, READY 5+3, STATUS 16+3, RESTARTS 12+3, AGE 4+3, HEALTH 11+3).
    expect(lines).toEqual([
      "NAME                        READY   STATUS             RESTARTS       AGE    HEALTH        REASON",
      "crashloop-multi-container   1/2     CrashLoopBackOff   4 (2m5s ago)   120m   Unhealthy     CrashLoopBackOff",
      "init-1-of-2                 0/1     Init:1/2           0              2m     Progressing   PodInitializing",
      "running-single              1/1     Running            0              120m   Healthy       <none>",
    ]);
  });

  it("prints a JSON array, one object per pod in input order, with name, namespace and the derived fields", async () => {
    const { code, out } = await run(file("list.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: pods })), { output: "json" });
    expect(code).toBe(0);
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.name)).toEqual(FILES);
    expect(rows[0]).toMatchObject({
      name: "crashloop-multi-container",
      namespace: "default",
      status: "CrashLoopBackOff",
      ready: "1/2",
      readyCount: 1,
      totalCount: 2,
      restarts: 4,
      restartsText: "4 (2m5s ago)",
      lastRestartTime: "2025-03-01T11:57:55Z",
      phase: "Running",
      health: "Unhealthy",
      reason: "CrashLoopBackOff",
    });
    const keys = ["name", "namespace", "status", "ready", "readyCount", "totalCount", "restarts", "lastRestartTime", "restartsText", "phase", "health", "reason", "message", "containers"];
    for (const row of rows) expect(Object.keys(row).sort()).toEqual([...keys].sort());
  });

  it("prints the same objects as YAML", async () => {
    const path = file("list-for-yaml.yaml", listYaml);
    const json = JSON.parse((await run(path, { output: "json" })).out) as unknown;
    const { code, out } = await run(path, { output: "yaml" });
    expect(code).toBe(0);
    expect(parse(out)).toEqual(json);
  });
});

describe("explain input", () => {
  it("reads stdin when the file is - or missing", async () => {
    for (const path of ["-", undefined]) {
      const { code, out } = await run(path, { output: "json" }, listYaml);
      expect(code).toBe(0);
      expect((JSON.parse(out) as unknown[]).length).toBe(3);
    }
  });

  it("reads a PodList whose items carry no kind, as the API server sends it", async () => {
    const items = pods.map(({ kind: _kind, apiVersion: _v, ...rest }) => rest);
    const { code, out } = await run(file("podlist.json", JSON.stringify({ kind: "PodList", apiVersion: "v1", items })), { output: "json" });
    expect(code).toBe(0);
    expect((JSON.parse(out) as Array<{ name: string }>).map((p) => p.name)).toEqual(FILES);
  });

  it("reads several YAML documents, skipping empty ones", async () => {
    const text = `---\n${stringify(pods[0])}---\n${stringify({ kind: "List", items: [pods[1], pods[2]] })}---\n`;
    const { code, out } = await run(file("multi.yaml", text), { output: "json" });
    expect(code).toBe(0);
    expect((JSON.parse(out) as Array<{ name: string }>).map((p) => p.name)).toEqual(FILES);
  });

  it("reads a single pod", async () => {
    const { code, out } = await run(join(FIXTURE_DIR, "crashloop-multi-container.yaml"));
    expect(code).toBe(0);
    expect(out.split("\n")[1]).toMatch(/^crashloop-multi-container {3}1\/2 {5}CrashLoopBackOff {3}4 \(2m5s ago\) {3}120m {3}Unhealthy {3}CrashLoopBackOff$/);
  });

  it("says so on stderr for an empty list, and prints [] as JSON", async () => {
    const path = file("empty.yaml", "apiVersion: v1\nkind: List\nitems: []\n");
    expect(await run(path)).toEqual({ code: 0, out: "", err: "No pods found.\n" });
    expect(await run(path, { output: "json" })).toEqual({ code: 0, out: "[]\n", err: "" });
  });
});

describe("explain errors", () => {
  it.each([
    ["not YAML", () => file("bad.yaml", "metadata: [unclosed\n  name: x: y\n"), {}, /^error: input is not valid YAML/],
    ["not JSON", () => file("bad.json", '{"kind": "Pod", '), {}, /^error: input is not valid JSON/],
    ["not a pod", () => file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"), {}, /^error: input: expected a Pod or a List of pods, found a Service$/],
    ["a list item that is not a pod", () => file("mixed.yaml", stringify({ kind: "List", items: [pods[0], { kind: "ConfigMap" }] })), {}, /^error: input, item 2: expected a Pod, found a ConfigMap$/],
    ["plain text", () => file("text.txt", "hello world\n"), {}, /^error: input: expected a Pod or a List of pods, found a string$/],
    ["empty input", () => file("empty.txt", "\n# nothing\n"), {}, /^error: no input/],
    ["a missing file", () => join(dir, "does-not-exist.yaml"), {}, /^error: cannot read .*does-not-exist\.yaml: no such file$/],
    ["a directory", () => dir, {}, /^error: cannot read .*: it is a directory$/],
    ["a --now that is not a time", () => file("ok.yaml", listYaml), { now: "yesterday" }, /^error: --now: "yesterday" is not an RFC3339 time/],
    ["a --now out of range", () => file("ok2.yaml", listYaml), { now: "2025-13-01T00:00:00Z" }, /^error: --now: /],
  ])("rejects %s with exit code 2 and one line", async (_what, path, opts, message) => {
    const { code, out, err } = await run(path(), opts);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err.trimEnd()).toMatch(message);
    expect(err.endsWith("\n")).toBe(true);
    expect(err.trimEnd().split("\n")).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
