// The README as a reference that cannot drift silently: it names every `run` flag with its environment variable,
// every metric family the code defines, every alert with a runbook that exists, every subcommand, and the demo's
// flags.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { parse } from "yaml";
import { addRunOptions } from "../src/config.js";
import { ROOT } from "./built.js";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const runbooks = readFileSync(path.join(ROOT, "docs", "alerts.md"), "utf8");

describe("README", () => {
  test("lists every run flag with its environment variable, in one table row", () => {
    const options = addRunOptions(new Command("run")).options;
    expect(options.length).toBeGreaterThan(20);
    const missing = options.filter((o) => !new RegExp(`^\\| \`${o.long}\` \\| \`${o.envVar}\` \\|`, "m").test(readme)).map((o) => `${o.long} (${o.envVar})`);
    expect(missing).toEqual([]);
  });

  test("names every metric family the code defines", () => {
    const dir = path.join(ROOT, "src", "metrics");
    const names = new Set(readdirSync(dir).flatMap((f) => [...readFileSync(path.join(dir, f), "utf8").matchAll(/"(podhealth_[a-z_]+)"/g)].map((m) => m[1])));
    expect(names.size).toBeGreaterThan(15);
    expect([...names].filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });

  test("lists every alert with a link to a runbook that exists", () => {
    const rules = parse(readFileSync(path.join(ROOT, "deploy", "prometheus", "rules.yaml"), "utf8")) as { groups: Array<{ rules: Array<{ alert?: string }> }> };
    const alerts = rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.alert ? [r.alert] : []));
    for (const a of alerts) {
      expect(readme).toContain(`| \`${a}\` |`);
      expect(readme).toContain(`(docs/alerts.md#${a.toLowerCase()})`);
      expect(runbooks).toMatch(new RegExp(`^### ${a}$`, "m"));
    }
  });

  test("starts with the two quick-start commands and names every subcommand and the demo's flags", () => {
    expect(readme).toContain("```sh\nnpm ci && npm run demo\nnpm ci && npm test\n```");
    for (const sub of ["demo", "explain", "sim", "run", "podhealth"]) expect(readme).toContain(`\`${sub}\``);
    for (const flag of ["--pods", "--time-scale", "--duration"]) expect(readme).toContain(flag);
    expect(readme).toContain("kubectl podhealth -A");
  });
});
