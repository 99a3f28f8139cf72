// Durations and ages as kubectl prints them (apimachinery's duration.HumanDuration), to the character.
import { GO_ZERO_TIME_MS, parseTimestamp } from "./time.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Formats a duration in milliseconds as apimachinery's `HumanDuration` does: `45s`, `2m5s`, `15m`, `3h`,
 * `5h30m`, `2d4h`, `8d`, `2y45d`, `9y`. Up to 2s in the future is clock skew and reads `0s`; further
 * is `<invalid>`. Go truncates every unit towards zero, and so does this.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "<invalid>";
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/**
 * The AGE column for a timestamp (kubectl's translateTimestampSince): `<unknown>` when the timestamp is
 * missing, unparseable or Go's zero time, else the HumanDuration from it to `now`.
 */
export function ageText(timestamp: unknown, now: Date | number): string {
  const t = parseTimestamp(timestamp);
  if (Number.isNaN(t) || t === GO_ZERO_TIME_MS) return "<unknown>";
  return humanDuration((typeof now === "number" ? now : now.getTime()) - t);
}
