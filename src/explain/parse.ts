// Input of `explain`: the text of a Pod, a List/PodList of pods (as `kubectl get pods -o yaml|json` writes it)
// or several YAML documents, turned into pods, or an InputError that says in one line what is wrong.
import { parseAllDocuments } from "yaml";
import { parseTimestamp, type Pod } from "../status/index.js";

/** Bad input: the message is shown to the user as is, on one line. */
export class InputError extends Error {
  override name = "InputError";
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    const kind = (v as Record<string, unknown>).kind;
    return typeof kind === "string" && kind !== "" ? `a ${kind}` : "an object that is not a Pod";
  }
  return `a ${typeof v}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Items of a list from the API server carry no kind; an object with any of a pod's parts is taken as a pod.
function looksLikePod(v: Record<string, unknown>): boolean {
  if (v.kind !== undefined) return v.kind === "Pod";
  return isObject(v.metadata) || isObject(v.spec) || isObject(v.status);
}

function isList(v: Record<string, unknown>): boolean {
  return v.kind === "List" || v.kind === "PodList" || (v.kind === undefined && Array.isArray(v.items));
}

function collect(doc: unknown, where: string, out: Pod[]): void {
  if (isObject(doc) && isList(doc)) {
    if (doc.items !== undefined && doc.items !== null && !Array.isArray(doc.items)) {
      throw new InputError(`${where}: the list's items is not an array`);
    }
    const items = Array.isArray(doc.items) ? doc.items : [];
    items.forEach((item, i) => {
      if (!isObject(item) || !looksLikePod(item)) throw new InputError(`${where}, item ${i + 1}: expected a Pod, found ${describe(item)}`);
      out.push(item as Pod);
    });
    return;
  }
  if (isObject(doc) && looksLikePod(doc)) {
    out.push(doc as Pod);
    return;
  }
  throw new InputError(`${where}: expected a Pod or a List of pods, found ${describe(doc)}`);
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.trim();
}

/**
 * Parses pods from YAML or JSON text. JSON (text starting with `{` or `[`) goes through JSON.parse, which is
 * much faster than a YAML parser on a large list; anything else is read as one or more YAML documents.
 */
export function parsePods(text: string): Pod[] {
  const trimmed = text.trimStart();
  if (trimmed === "") throw new InputError("no input: expected a Pod or a List of pods as YAML or JSON");
  const pods: Pod[] = [];
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      throw new InputError(`input is not valid JSON: ${firstLine(err instanceof Error ? err.message : String(err))}`);
    }
    if (Array.isArray(doc)) doc.forEach((d, i) => collect(d, `element ${i + 1}`, pods));
    else collect(doc, "input", pods);
    return pods;
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  // A parse that yields no documents at all (only comments) is still empty input.
  const list = Array.isArray(docs) ? docs : [];
  let seen = 0;
  list.forEach((d, i) => {
    const err = d.errors[0];
    if (err !== undefined) throw new InputError(`input is not valid YAML (document ${i + 1}): ${firstLine(err.message)}`);
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Aliases expanding past the limit (a "billion laughs" document) surface here, not in d.errors.
      throw new InputError(`input is not usable YAML (document ${i + 1}): ${firstLine(err instanceof Error ? err.message : String(err))}`, { cause: err });
    }
    // Empty documents (a trailing `---`) are skipped, as kubectl does.
    if (value === null || value === undefined) return;
    seen++;
    collect(value, list.length > 1 ? `document ${i + 1}` : "input", pods);
  });
  if (seen === 0) throw new InputError("no input: expected a Pod or a List of pods as YAML or JSON");
  return pods;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses the `--now` flag: an RFC3339 time, or an InputError naming the value. */
export function parseNow(value: string): Date {
  const ms = RFC3339.test(value) ? parseTimestamp(value) : NaN;
  if (Number.isNaN(ms)) throw new InputError(`--now: "${value}" is not an RFC3339 time such as 2025-03-01T12:00:00Z`);
  return new Date(ms);
}
