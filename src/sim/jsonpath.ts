// The subset of Kubernetes JSONPath that CRD additionalPrinterColumns use: `.a.b`, `['a.b']`, `[0]`, `[*]`,
// and filters `[?(@.type=="Ready")]`. Returns every match, in document order.

type Step = { kind: "field"; name: string } | { kind: "index"; index: number } | { kind: "all" } | { kind: "filter"; path: string[]; op: "==" | "!="; value: string };

export function parseJsonPath(expression: string): Step[] {
  let text = expression.trim();
  if (text.startsWith("{") && text.endsWith("}")) text = text.slice(1, -1);
  if (text.startsWith("$")) text = text.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      i++;
      if (text[i] === "*") {
        steps.push({ kind: "all" });
        i++;
        continue;
      }
      const m = /^[^.[\]]+/.exec(text.slice(i));
      if (!m) continue;
      steps.push({ kind: "field", name: m[0] });
      i += m[0].length;
    } else if (c === "[") {
      const end = text.indexOf("]", text[i + 1] === "?" ? text.indexOf(")", i) : i);
      if (end < 0) throw new Error(`unterminated [ in JSONPath ${expression}`);
      const inner = text.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^(['"]).*\1$/.test(inner)) steps.push({ kind: "field", name: inner.slice(1, -1) });
      else {
        const f = /^\?\(@((?:\.[^.=!\s]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+))\s*\)$/.exec(inner);
        if (!f) throw new Error(`unsupported JSONPath element [${inner}] in ${expression}`);
        steps.push({ kind: "filter", path: f[1].slice(1).split("."), op: f[2] as "==" | "!=", value: f[3] ?? f[4] ?? f[5] });
      }
    } else {
      throw new Error(`unexpected ${JSON.stringify(c)} in JSONPath ${expression}`);
    }
  }
  return steps;
}

function childValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === "object") return Object.values(value);
  return [];
}

export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === "field") {
        if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.hasOwn(v, step.name)) next.push((v as Record<string, unknown>)[step.name]);
      } else if (step.kind === "index") {
        if (Array.isArray(v)) {
          const item = v[step.index < 0 ? v.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if (step.kind === "all") {
        next.push(...childValues(v));
      } else {
        for (const item of childValues(v)) {
          let field: unknown = item;
          for (const p of step.path) field = field !== null && typeof field === "object" ? (field as Record<string, unknown>)[p] : undefined;
          const text = field === undefined || field === null ? undefined : String(field);
          if ((text === step.value) === (step.op === "==")) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
