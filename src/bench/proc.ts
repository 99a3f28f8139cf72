// A process measured from outside, as `top` and the kubelet see it: CPU time from /proc/<pid>/stat (user + system,
// in clock ticks of 1/100 s, the USER_HZ every Linux build exposes) and memory from /proc/<pid>/status (VmRSS, the
// resident set now; VmHWM, its high-water mark). Linux only; the bench says so and stops elsewhere.
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used since it started. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of the whole line (utime, stime) are the 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export interface Memory {
  /** Resident set size now, bytes. */
  rss: number;
  /** The highest resident set size so far, bytes. */
  hwm: number;
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    return m === null ? NaN : Number(m[1]) * 1024;
  };
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Whether /proc can be read (Linux). */
export function procAvailable(): boolean {
  try {
    cpuSeconds(process.pid);
    return true;
  } catch {
    return false;
  }
}
