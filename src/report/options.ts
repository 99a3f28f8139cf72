// Report options: defaults, and validation done once so that the folding code can trust its numbers.
import type { ReportOptions } from "./types.js";

export const DEFAULT_REPORT_OPTIONS: Readonly<ReportOptions> = Object.freeze({
  historySize: 20,
  maxMessageLength: 512,
  // Enough for an hour of one pod's distinct probe events (the event TTL) in all but pathological cases.
  eventCursorLimit: 64,
});

/** Fills defaults and fails fast on nonsense; the result is frozen. */
export function reportOptions(partial: Partial<ReportOptions> = {}): Readonly<ReportOptions> {
  const options = { ...DEFAULT_REPORT_OPTIONS, ...definedOnly(partial) };
  requireInteger("historySize", options.historySize, 0);
  // Room for at least one character and the ellipsis.
  requireInteger("maxMessageLength", options.maxMessageLength, 2);
  requireInteger("eventCursorLimit", options.eventCursorLimit, 1);
  return Object.freeze(options);
}

function definedOnly(partial: Partial<ReportOptions>): Partial<ReportOptions> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<ReportOptions>;
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`report options: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}
