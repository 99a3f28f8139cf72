// The `demo` subcommand's flags, validated once: how many pods, how fast simulated time runs, and for how long.
import { parseDuration } from "../config.js";

export interface DemoOptions {
  pods?: string;
  timeScale?: string;
  duration?: string;
}

export interface DemoSettings {
  pods: number;
  timeScale: number;
  /** Real milliseconds until the demo stops by itself; null: until Ctrl-C. */
  durationMs: number | null;
}

export const DEMO_DEFAULTS = { pods: 30, timeScale: 20 } as const;
const MAX_PODS = 5_000;
const MAX_TIME_SCALE = 1_000;

/** Parses the flags; throws an Error whose message names the flag. */
export function demoSettings(opts: DemoOptions): DemoSettings {
  const pods = opts.pods === undefined ? DEMO_DEFAULTS.pods : Number(opts.pods);
  if (!Number.isInteger(pods) || pods < 1 || pods > MAX_PODS) throw new Error(`--pods must be an integer from 1 to ${MAX_PODS}, got ${opts.pods}`);
  const timeScale = opts.timeScale === undefined ? DEMO_DEFAULTS.timeScale : Number(opts.timeScale);
  if (!(timeScale > 0 && timeScale <= MAX_TIME_SCALE)) throw new Error(`--time-scale must be a number above 0 and at most ${MAX_TIME_SCALE}, got ${opts.timeScale}`);
  return { pods, timeScale, durationMs: opts.duration === undefined ? null : durationMs(opts.duration) };
}

/** Seconds (`5`, `2.5`) or a duration with a unit (`90s`, `2m`). */
function durationMs(text: string): number {
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text.trim())) ms = Math.round(Number(text) * 1000);
  else {
    try {
      ms = parseDuration(text);
    } catch (err) {
      throw new Error(`--duration: ${(err as Error).message}`, { cause: err });
    }
  }
  if (ms <= 0) throw new Error(`--duration must be more than 0, got ${text}`);
  return ms;
}
