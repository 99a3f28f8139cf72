// The pino logger factory: JSON lines to stdout (or a given stream), one child logger per module.
import { pino, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; stdout when omitted (tests pass a stream to read them back). */
  destination?: DestinationStream;
  /** Fields on every line, e.g. the replica's identity and shard. */
  base?: Record<string, unknown>;
}

/** The root logger. Modules take `logger.child({ module })` and add `{ namespace, pod }` per object. */
export function createLogger(options: LoggerOptions): Logger {
  const opts = {
    level: options.level,
    base: { ...(options.base ?? {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that drops everything, for tests and library use without logging. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
