// Writing metric families as text: the Prometheus text format 0.0.4 or OpenMetrics 1.0, one writer for every
// family (prom-client's, the operator's own and the per-pod ones), with no per-sample objects, because a scrape of
// 50,000 pods writes more than half a million samples. Samples are appended to a short string that is copied into
// large Buffers every 16 KiB: V8 keeps a long `+=` string as a tree of pieces, and flattening and collecting that
// tree cost three times the writing itself. The per-pod samples go in as bytes made once per scrape (`bytes`):
// building each of them as a string made the garbage of a 50,000-pod scrape several times its 70 MB of output.
//
// The two formats differ only in a few places, all handled here (prometheus/common expfmt text_create.go and
// openmetrics_create.go): an OpenMetrics counter family is named without `_total` while its samples keep it,
// HELP escapes `"` too, and the exposition ends with `# EOF`.

export type Format = "text" | "openmetrics";
export type MetricType = "gauge" | "counter" | "histogram";

export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  text: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/** The pending string is copied out at this many characters. */
const FLUSH_AT = 1 << 14;
/** Output Buffers are this large (a last, partly filled one is cut to its length). */
const BLOCK = 1 << 20;

const LABEL_SPECIALS = /[\\"\n]/;

/** A label value as it goes between the quotes: backslash, double quote and newline escaped (same in both formats). */
export function escapeLabelValue(value: string): string {
  if (!LABEL_SPECIALS.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `name="value"`, escaped: the unit label sets are built from. */
export function label(name: string, value: string): string {
  return `${name}="${escapeLabelValue(value)}"`;
}

function escapeHelp(help: string, format: Format): string {
  const s = help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return format === "openmetrics" ? s.replace(/"/g, '\\"') : s;
}

/** A sample value: integers as integers, the infinities and NaN as both formats spell them. */
export function formatValue(v: number): string {
  if (v === 0) return "0";
  if (v === 1) return "1";
  if (Number.isInteger(v)) return String(v);
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

export class ExpositionWriter {
  private readonly blocks: Buffer[] = [];
  private block = Buffer.allocUnsafe(BLOCK);
  private used = 0;
  private buf = "";
  private readonly families = new Set<string>();
  private finished = false;

  constructor(readonly format: Format) {}

  /**
   * Starts a family. `name` is the samples' name: a counter's ends in `_total`, which the OpenMetrics family name
   * drops. Throws on a family written twice: both formats need a family's samples together.
   */
  family(name: string, help: string, type: MetricType): void {
    const familyName = this.format === "openmetrics" && type === "counter" && name.endsWith("_total") ? name.slice(0, -6) : name;
    if (this.families.has(familyName)) throw new Error(`exposition: metric family ${familyName} written twice`);
    this.families.add(familyName);
    this.buf += `# HELP ${familyName} ${escapeHelp(help, this.format)}\n# TYPE ${familyName} ${type}\n`;
  }

  /** One sample; `labels` is the text between the braces (already escaped), "" for none. */
  sample(name: string, labels: string, value: number): void {
    this.buf += labels === "" ? `${name} ${formatValue(value)}\n` : `${name}{${labels}} ${formatValue(value)}\n`;
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  /**
   * Part of a sample, as UTF-8 bytes the caller made once and uses for many samples (a family's name, a pod's
   * identity labels): copied, not encoded again. The caller writes whole lines: `name{labels} value` and `\n`.
   */
  bytes(b: Uint8Array): void {
    if (this.buf.length > 0) this.flush();
    if (this.used + b.length > this.block.length) {
      if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, b.length));
      this.used = 0;
    }
    // Most parts are a few dozen bytes: a loop copies them faster than a call into TypedArray.prototype.set.
    const block = this.block;
    let at = this.used;
    if (b.length > 64) {
      block.set(b, at);
      at += b.length;
    } else {
      for (let i = 0; i < b.length; i++) block[at++] = b[i];
    }
    this.used = at;
  }

  /** Ends the exposition and returns it as UTF-8, in blocks. */
  finish(): Buffer[] {
    if (!this.finished) {
      this.finished = true;
      if (this.format === "openmetrics") this.buf += "# EOF\n";
      this.flush();
      if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
    }
    return this.blocks;
  }

  private flush(): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const most = this.buf.length * 3;
    if (this.used + most > this.block.length) {
      if (this.used > 0) this.blocks.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK, most));
      this.used = 0;
    }
    this.used += this.block.write(this.buf, this.used);
    this.buf = "";
  }
}
