// RFC3339 timestamps to epoch milliseconds, by hand: every pod carries several timestamps and Date.parse is
// both slower and more lenient than the Go parser the API server and kubectl use.

const ZERO_CHAR = 48;

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - ZERO_CHAR;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses an RFC3339 timestamp (`2024-05-01T12:00:00Z`, fractional seconds and `±hh:mm` offsets allowed) to epoch
 * milliseconds; NaN for anything else. A `Date` is accepted too, because @kubernetes/client-node hands pods over
 * with their timestamps already decoded.
 */
export function parseTimestamp(v: unknown): number {
  if (typeof v !== "string") return v instanceof Date ? v.getTime() : NaN;
  const s = v;
  if (s.length < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return NaN;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;

  let i = 19;
  let millis = 0;
  if (s.charCodeAt(i) === 46) {
    // Fractional seconds: keep milliseconds, but every digit must be a digit, as Go requires.
    i++;
    const start = i;
    let scale = 100;
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i) - ZERO_CHAR;
      if (d < 0 || d > 9) break;
      millis += d * scale;
      scale /= 10;
    }
    if (i === start) return NaN;
    millis = Math.floor(millis);
  }

  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90) {
    if (i + 1 !== s.length) return NaN;
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== s.length || s.charCodeAt(i + 3) !== 58) return NaN;
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMinutes = (oh * 60 + om) * (zone === 45 ? -1 : 1);
  } else {
    return NaN;
  }

  const days = daysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60000 + second * 1000 + millis;
}

/** Go's zero `time.Time` (0001-01-01T00:00:00Z), which kubectl treats as "no time". */
export const GO_ZERO_TIME_MS = -62135596800000;
