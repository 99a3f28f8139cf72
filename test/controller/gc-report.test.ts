import { EventEmitter } from "node:events";
import { installGcReport } from "../../src/controller/gc-report.js";
import { createLogger } from "../../src/log.js";
import { LogSink } from "./e2e-helpers.js";

describe("the memory report for benchmarks", () => {
  const g = globalThis as { gc?: () => void };
  const realGc = g.gc;
  afterEach(() => {
    g.gc = realGc;
  });

  it("is not installed unless gc is exposed: SIGUSR2 keeps Node's meaning", () => {
    g.gc = undefined;
    const signals = new EventEmitter();
    const logs = new LogSink();
    const uninstall = installGcReport(signals, createLogger({ level: "info", destination: logs }));
    expect(signals.listenerCount("SIGUSR2")).toBe(0);
    expect(logs.lines).toEqual([]);
    uninstall();
  });

  it("with --expose-gc logs the live heap after a full collection on install and on each SIGUSR2", () => {
    let collections = 0;
    g.gc = () => collections++;
    const signals = new EventEmitter();
    const logs = new LogSink();
    const uninstall = installGcReport(signals, createLogger({ level: "info", destination: logs }));
    signals.emit("SIGUSR2");
    expect(collections).toBe(2);
    expect(logs.lines.map((l) => [l.module, l.when])).toEqual([
      ["gc-report", "start"],
      ["gc-report", "signal"],
    ]);
    expect(logs.lines[1].heapUsed).toEqual(expect.any(Number));
    uninstall();
    expect(signals.listenerCount("SIGUSR2")).toBe(0);
  });
});
