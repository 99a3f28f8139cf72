#!/usr/bin/env node
// The one entry point: parses the subcommand and its flags, then hands off to the module that owns it.
// Subcommand modules are imported lazily so that `explain` does not pay for loading the Kubernetes client.
// Installed under a second name, `kubectl-podhealth`, it is the kubectl plugin: `kubectl podhealth …` runs the
// `podhealth` subcommand.
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { addRunOptions, type RunOptions } from "./config.js";

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command("pod-health-operator")
    .description("What is really wrong with every pod: kubectl-exact status, health, crash loops, probe failures.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  program
    .command("explain")
    .description("derive STATUS, READY, RESTARTS and a health verdict for pods read from a file or stdin")
    .argument("[file]", "a Pod or a List of pods as YAML or JSON (`-` or nothing for stdin)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table"))
    .option("--now <time>", "the time to measure ages from, RFC3339 (default: the clock)")
    .action(async (file: string | undefined, opts: { output: "table" | "json" | "yaml"; now?: string }) => {
      const { explainCommand } = await import("./explain/command.js");
      exitCode = await explainCommand(file, opts, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    });

  program
    .command("demo")
    .description("see it work with no cluster: the simulated cluster (mixed scenario), the CRD, the controller and its metrics, and a live table of the reports; prints the kubeconfig path and the metrics URL")
    .option("--pods <n>", "pods the simulated kubelet runs", "30")
    .option("--time-scale <x>", "simulated seconds per real second", "20")
    .option("--duration <seconds>", "stop by itself after this long (seconds, or e.g. 2m); default: at Ctrl-C")
    .action(async (opts: { pods?: string; timeScale?: string; duration?: string }) => {
      const { demoCommand } = await import("./demo/command.js");
      exitCode = await demoCommand(opts, { stdout: process.stdout, stderr: process.stderr });
    });

  program
    .command("podhealth")
    .description("one pod's health report for a person, or the pods that are not healthy (the kubectl plugin: kubectl podhealth)")
    .argument("[pod]", "the pod; without it, the pods of the namespace that are not Healthy or Completed")
    .option("-n, --namespace <ns>", "the pod's namespace (default: the kubeconfig context's, else default)")
    .option("-A, --all-namespaces", "the pods that are not healthy in every namespace")
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the current context)")
    .action(async (pod: string | undefined, opts: { namespace?: string; allNamespaces?: boolean; kubeconfig?: string; context?: string }) => {
      const { pluginCommand } = await import("./plugin/command.js");
      exitCode = await pluginCommand(pod, opts, { env: process.env, stdout: process.stdout, stderr: process.stderr });
    });

  // SUBCOMMANDS: each further subcommand registers itself here with its own flags and a lazy import.

  program
    .command("sim")
    .description("run the simulated cluster: an in-memory API server for kubectl and the controller, and a simulated kubelet that runs the scenario's pods and those created with kubectl")
    .option("--port <n>", "port to listen on (default: one the OS picks)")
    .option("--kubeconfig-out <file>", "where to write the kubeconfig", "sim.kubeconfig")
    .option("--scenario <name>", "pods the simulated kubelet creates and runs (e.g. mixed, crashloop); pods created with kubectl run the scenario their sim.podhealth.io/scenario annotation names")
    .option("--pods <n>", "how many pods the kubelet runs (implies --scenario mixed when none is given)")
    .option("--time-scale <x>", "simulated seconds per real second (implies --scenario mixed when none is given)")
    .option("--event-ttl <duration>", "how long an Event lives after its last write, as kube-apiserver's --event-ttl (default 1h; 0 keeps them)")
    .action(async (opts: { port?: string; kubeconfigOut?: string; scenario?: string; pods?: string; timeScale?: string; eventTtl?: string }) => {
      const { simCommand } = await import("./sim/command.js");
      exitCode = await simCommand(opts, { stdout: process.stdout, stderr: process.stderr });
    });

  addRunOptions(
    program
      .command("run")
      .description("run the controller: keep a PodHealthReport per pod up to date (kubeconfig context, or in-cluster)"),
  ).action(async (opts: RunOptions) => {
    const { runCommand } = await import("./controller/run.js");
    exitCode = await runCommand(opts, { env: process.env, stdout: process.stdout, stderr: process.stderr, signals: process });
  });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return exitCode;
}

/** The arguments to parse: under the plugin's name, the `podhealth` subcommand's. */
function cliArguments(argv: readonly string[]): string[] {
  const invokedAs = path.basename(argv[1] ?? "").replace(/\.(c|m)?js$/, "");
  return invokedAs === "kubectl-podhealth" ? ["podhealth", ...argv.slice(2)] : argv.slice(2);
}

main(cliArguments(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`pod-health-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
