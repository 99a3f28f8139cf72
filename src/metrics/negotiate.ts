// Which exposition format a scraper asked for, from its Accept header. Mirrors prometheus/common expfmt
// `NegotiateIncludingOpenMetrics` (encode.go, as vendored in Kubernetes 1.32): media ranges in order of quality,
// more specific first on a tie; the first that is text/plain (version 0.0.4 or none) or
// application/openmetrics-text (version 0.0.1, 1.0.0 or none) wins; anything else means the text format.
// Prometheus 2.x asks for OpenMetrics 1.0.0 first, then 0.0.1, then text/plain; a browser or curl gets text.
import type { Format } from "./exposition.js";

interface MediaRange {
  type: string;
  subtype: string;
  version: string;
  q: number;
  order: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  header.split(",").forEach((part, order) => {
    const [media, ...params] = part.split(";").map((s) => s.trim());
    const [type, subtype] = (media ?? "").toLowerCase().split("/");
    if (!type || !subtype) return;
    let q = 1;
    let version = "";
    for (const p of params) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (key === "q") q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (key === "version") version = value;
    }
    // q=0 means "not acceptable" (RFC 9110 §12.4.2).
    if (q > 0) ranges.push({ type, subtype, version, q, order });
  });
  const specificity = (r: MediaRange): number => (r.type === "*" ? 0 : r.subtype === "*" ? 1 : 2);
  return ranges.sort((a, b) => b.q - a.q || specificity(b) - specificity(a) || a.order - b.order);
}

export function negotiateFormat(accept: string | undefined): Format {
  if (!accept) return "text";
  for (const r of parseAccept(accept)) {
    if (r.type === "text" && r.subtype === "plain" && (r.version === "" || r.version === "0.0.4")) return "text";
    if (r.type === "application" && r.subtype === "openmetrics-text" && ["", "0.0.1", "1.0.0"].includes(r.version)) return "openmetrics";
  }
  return "text";
}
