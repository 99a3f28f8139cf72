import { ExpositionWriter, escapeLabelValue, formatValue } from "../../src/metrics/exposition.js";

const text = (w: ExpositionWriter): string => Buffer.concat(w.finish()).toString("utf8");

describe("escapeLabelValue", () => {
  it.each([
    ["plain", "plain"],
    ['say "hi"', 'say \\"hi\\"'],
    ["a\\b", "a\\\\b"],
    ["two\nlines", "two\\nlines"],
    ["ünïcode", "ünïcode"],
  ])("%j becomes %j", (value, escaped) => expect(escapeLabelValue(value)).toBe(escaped));
});

describe("formatValue", () => {
  it.each([
    [0, "0"],
    [1, "1"],
    [42, "42"],
    [0.25, "0.25"],
    [1736154000.5, "1736154000.5"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ])("%d is written %s", (v, s) => expect(formatValue(v)).toBe(s));
});

describe("ExpositionWriter", () => {
  function write(w: ExpositionWriter): void {
    w.family("x_writes_total", 'Writes, by "result".\nSecond line \\ slash', "counter");
    w.sample("x_writes_total", 'result="created"', 3);
    w.family("x_depth", "Depth.", "gauge");
    w.sample("x_depth", "", 2);
  }

  it("writes the text format 0.0.4: counters keep _total in HELP and TYPE, HELP escapes backslash and newline only", () => {
    const w = new ExpositionWriter("text");
    write(w);
    expect(text(w)).toBe(
      [
        '# HELP x_writes_total Writes, by "result".\\nSecond line \\\\ slash',
        "# TYPE x_writes_total counter",
        'x_writes_total{result="created"} 3',
        "# HELP x_depth Depth.",
        "# TYPE x_depth gauge",
        "x_depth 2",
        "",
      ].join("\n"),
    );
  });

  it("writes OpenMetrics 1.0: a counter family is named without _total, its samples keep it; HELP escapes quotes; # EOF ends it", () => {
    const w = new ExpositionWriter("openmetrics");
    write(w);
    expect(text(w)).toBe(
      [
        '# HELP x_writes Writes, by \\"result\\".\\nSecond line \\\\ slash',
        "# TYPE x_writes counter",
        'x_writes_total{result="created"} 3',
        "# HELP x_depth Depth.",
        "# TYPE x_depth gauge",
        "x_depth 2",
        "# EOF",
        "",
      ].join("\n"),
    );
  });

  it("refuses a family written twice (its samples would not be together)", () => {
    const w = new ExpositionWriter("text");
    w.family("x", "X.", "gauge");
    expect(() => w.family("x", "X.", "gauge")).toThrow(/x written twice/);
  });

  it("keeps multi-byte text whole across block boundaries", () => {
    const w = new ExpositionWriter("text");
    w.family("x", "X.", "gauge");
    const expected: string[] = ["# HELP x X.", "# TYPE x gauge"];
    for (let i = 0; i < 60_000; i++) {
      const labels = `pod="pöd-${i}-€"`;
      w.sample("x", labels, i);
      expected.push(`x{${labels}} ${i}`);
    }
    const chunks = w.finish();
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString("utf8")).toBe(`${expected.join("\n")}\n`);
  });
});
