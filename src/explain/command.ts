// The `explain` subcommand: reads pods from a file or stdin, derives their status and health, prints them.
// All the I/O is here; parsing and formatting are pure functions in parse.ts and format.ts.
import { readFile } from "node:fs/promises";
import { explainPods, formatRows, type OutputFormat } from "./format.js";
import { InputError, parseNow, parsePods } from "./parse.js";

export interface ExplainOptions {
  output: OutputFormat;
  now?: string;
}

export interface ExplainIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Exit code for bad input or flags, as for a usage error. */
export const EXIT_INPUT = 2;

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

const FS_REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
};

async function readInput(file: string | undefined, stdin: NodeJS.ReadableStream): Promise<string> {
  if (file === undefined || file === "-") return readStream(stdin);
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new InputError(`cannot read ${file}: ${FS_REASONS[code] ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  // Resolve once the text is handed over, error or not: a closed pipe must not turn into an unhandled rejection.
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

function oneLineError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, " ").trim();
}

export async function explainCommand(file: string | undefined, opts: ExplainOptions, io: ExplainIO): Promise<number> {
  try {
    const now = opts.now !== undefined ? parseNow(opts.now) : new Date();
    const pods = parsePods(await readInput(file, io.stdin));
    const rows = explainPods(pods, now);
    if (rows.length === 0 && opts.output === "table") {
      await write(io.stderr, "No pods found.\n");
      return 0;
    }
    await write(io.stdout, formatRows(rows, opts.output));
    return 0;
  } catch (err) {
    await write(io.stderr, `error: ${oneLineError(err)}\n`);
    return err instanceof InputError ? EXIT_INPUT : 1;
  }
}
