// Label and field selectors with the grammar and matching rules of k8s.io/apimachinery: parsed once per request,
// then a cheap predicate per object. A malformed selector or an unsupported field is a 400, as on the server.
import { badRequest } from "./errors.js";
import { getPath } from "./objects.js";
import type { ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

export type Predicate = (obj: KubeObject) => boolean;

type LabelOp = "=" | "!=" | "in" | "notin" | "exists" | "!" | ">" | "<";
interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key) || key.length > 316) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value) || value.length > 63) throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  return value;
}

function parseRequirement(raw: string, selector: string): LabelRequirement {
  const text = raw.trim();
  if (text === "") throw badRequest(`found '', expected: identifier, in selector "${selector}"`);
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const values = set[3].split(",").map((v) => checkValue(v.trim(), selector));
    return { key: checkKey(set[1], selector), op: set[2] as LabelOp, values };
  }
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (cmp) {
    const op = cmp[2] === "==" ? "=" : (cmp[2] as LabelOp);
    const value = cmp[3].trim();
    if ((op === ">" || op === "<") && !/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in selector "${selector}"`);
    return { key: checkKey(cmp[1], selector), op, values: [op === ">" || op === "<" ? value : checkValue(value, selector)] };
  }
  if (text.startsWith("!")) return { key: checkKey(text.slice(1).trim(), selector), op: "!", values: [] };
  return { key: checkKey(text, selector), op: "exists", values: [] };
}

function matchesLabel(req: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.op) {
    case "=":
      return has && value === req.values[0];
    case "!=":
      return !has || value !== req.values[0];
    case "in":
      return has && req.values.includes(value as string);
    case "notin":
      return !has || !req.values.includes(value as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case ">":
      return has && /^-?\d+$/.test(value as string) && Number(value) > Number(req.values[0]);
    case "<":
      return has && /^-?\d+$/.test(value as string) && Number(value) < Number(req.values[0]);
  }
}

/** A predicate for a label selector string; undefined for an empty selector (everything matches). */
export function parseLabelSelector(selector: string | null | undefined): Predicate | undefined {
  if (!selector || selector.trim() === "") return undefined;
  const reqs = splitTopLevel(selector).map((r) => parseRequirement(r, selector));
  return (obj) => {
    const labels = obj.metadata?.labels;
    return reqs.every((r) => matchesLabel(r, labels));
  };
}

interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

/** Splits a field selector on unescaped commas and unescapes `\,` `\=` `\\`. */
function splitEscaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

function parseFieldRequirement(raw: string, selector: string): FieldRequirement {
  const m = /^((?:[^=!\\]|\\.)+?)(==|=|!=)(.*)$/.exec(raw.trim());
  if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${raw}'`);
  return { field: m[1].trim(), equal: m[2] !== "!=", value: unescape(m[3].trim()) };
}

/** The field labels every resource supports, whatever its own list says. */
const COMMON_FIELDS = ["metadata.name", "metadata.namespace"];

/** events.k8s.io names some event fields differently; selectors may use either name. */
const FIELD_ALIASES: Record<string, string> = {
  "regarding.kind": "involvedObject.kind",
  "regarding.namespace": "involvedObject.namespace",
  "regarding.name": "involvedObject.name",
  "regarding.uid": "involvedObject.uid",
  "regarding.apiVersion": "involvedObject.apiVersion",
  "regarding.resourceVersion": "involvedObject.resourceVersion",
  "regarding.fieldPath": "involvedObject.fieldPath",
};

/** The string value of a field label for an object as stored (core/v1 shape for events). */
export function fieldValue(obj: KubeObject, field: string): string {
  if (field === "source") return String(getPath(obj, "source.component") ?? "");
  if (field === "metadata.namespace") return obj.metadata?.namespace ?? "";
  const value = getPath(obj, field);
  if (value === undefined || value === null) return field === "spec.hostNetwork" ? "false" : "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A predicate for a field selector string on a resource; undefined when empty. */
export function parseFieldSelector(selector: string | null | undefined, info: ResourceInfo): Predicate | undefined {
  if (!selector || selector.trim() === "") return undefined;
  const reqs = splitEscaped(selector, ",")
    .filter((r) => r.trim() !== "")
    .map((r) => parseFieldRequirement(r, selector))
    .map((r) => ({ ...r, field: FIELD_ALIASES[r.field] ?? r.field }));
  for (const r of reqs) {
    if (!COMMON_FIELDS.includes(r.field) && !info.fieldLabels.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
  if (reqs.length === 0) return undefined;
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) === r.equal);
}
