// How Go prints a decoded JSON value, for the places where the server turns one into text: fmt.Sprint of a
// scalar (float64 in %g's shortest form, int64 plainly) and encoding/json's Marshal of a map or slice (keys
// sorted, <, > and & escaped). Used by the printer-column cells of custom resources (table.ts).

/** fmt's %v of a float64 (strconv 'g', shortest): exponent form below 1e-4 and from 1e6 on, as `1.5e+06`. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const [mantissa, exponentText] = n.toExponential().split("e");
  const exponent = Number(exponentText);
  // %v uses precision 6 to choose the form when printing the shortest representation.
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return String(n);
}

/**
 * A JSON number as the server holds it after decoding: whole numbers are int64 (printed plainly), the rest
 * float64. A whole number written with a fraction (`3.0`) is float64 to Go, but JSON.parse cannot tell.
 */
export function goNumber(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : goFloat(n);
}

/** encoding/json.Marshal of a decoded JSON value. */
export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareBytes)) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Go sorts map keys as byte strings; for UTF-16 strings, code point order is the same order. */
function compareBytes(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const cb = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i] - cb[i];
  return ca.length - cb.length;
}
