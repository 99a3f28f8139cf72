// One pod's report for a person, as `kubectl podhealth POD` prints it: STATUS as kubectl shows it, the verdict and
// what to check, crash loops, the probe-failure history as a short timeline (newest first), and the containers.
// Pure: the report and the time come in; the text goes out.
import { alignColumns } from "../explain/format.js";
import type { HistoryEntry, PodHealthReport, ReportContainer } from "../report/index.js";
import { humanDuration, parseTimestamp } from "../status/index.js";
import { tidy } from "../status/text.js";
import { healthColour, paint } from "../table/colour.js";

export interface DescribeOptions {
  nowMs: number;
  colour: boolean;
  /** Where the report came from, said on the first line (e.g. "from its PodHealthReport"). */
  source: string;
  /** History entries shown at most (the report keeps up to --history-size). */
  timelineSize?: number;
}

/** `2m5s ago`, or `-` for a missing or unreadable time. */
function ago(time: string | undefined, nowMs: number): string {
  const t = time === undefined ? null : parseTimestamp(time);
  return t === null ? "-" : `${humanDuration(nowMs - t)} ago`;
}

function containerLine(c: ReportContainer, nowMs: number): string[] {
  const state = [c.state, c.reason, c.exitCode !== undefined ? `exit ${c.exitCode}` : undefined].filter(Boolean).join(" ");
  const last = c.lastTermination ? `last: ${[c.lastTermination.reason, c.lastTermination.exitCode !== undefined ? `exit ${c.lastTermination.exitCode}` : undefined].filter(Boolean).join(" ")}, ${ago(c.lastTermination.finishedAt, nowMs)}` : "";
  return [c.name, c.kind, state, c.ready ? "ready" : "not ready", `restarts ${c.restartCount}`, last].map(tidy);
}

function timelineLine(e: HistoryEntry, nowMs: number): string[] {
  return [ago(e.time, nowMs), e.container ?? "-", e.probe, e.count > 1 ? `x${e.count}` : "", e.message].map(tidy);
}

/** Aligned rows without a header, indented under their heading. */
function block(rows: string[][]): string[] {
  return rows.length === 0 ? [] : alignColumns(rows).trimEnd().split("\n").map((l) => `  ${l.trimEnd()}`);
}

/** `Label           value`: the labels of the summary lines in one column. */
function field(label: string, value: string): string {
  return `${label.padEnd(16)}${value}`;
}

export function describeReport(r: PodHealthReport, o: DescribeOptions): string {
  const s = r.status;
  const lines: string[] = [];
  lines.push(`${r.metadata.namespace}/${r.metadata.name}: ${o.source}, observed ${ago(s.observedAt, o.nowMs)}`);
  lines.push("");
  const restarts = s.lastRestartTime ? `${s.restarts} (last ${ago(s.lastRestartTime, o.nowMs)})` : String(s.restarts);
  lines.push(field("STATUS", `${s.status}   READY ${s.ready}   RESTARTS ${restarts}   for ${ago(s.lastTransitionTime, o.nowMs).replace(/ ago$/, "")}`));
  lines.push(field("Health", `${paint(s.health, healthColour(s.health), o.colour)}${s.reason ? ` (${s.reason})` : ""}`));
  if (s.message) lines.push(field("What to check", s.message));
  const loop = s.crashLoop;
  lines.push(field("Crash loops", loop.count > 0 ? `${loop.count}, the last entered ${ago(loop.lastEnteredTime, o.nowMs)}${loop.container ? ` by ${loop.container}` : ""}` : "none"));
  const pf = s.probeFailures;
  const extra = [pf.hooks > 0 ? `${pf.hooks} hook failures` : "", pf.warnings > 0 ? `${pf.warnings} probe warnings` : ""].filter(Boolean).join(", ");
  lines.push(field("Probe failures", `${pf.total} (liveness ${pf.liveness}, readiness ${pf.readiness}, startup ${pf.startup})${extra ? `; ${extra}` : ""}`));
  const timeline = pf.history.slice(0, o.timelineSize ?? 10);
  if (timeline.length > 0) {
    lines.push(`Timeline (newest first${pf.history.length > timeline.length ? `, ${timeline.length} of ${pf.history.length}` : ""}):`);
    lines.push(...block(timeline.map((e) => timelineLine(e, o.nowMs))));
  }
  if (s.containers.length > 0) {
    lines.push("Containers:");
    lines.push(...block(s.containers.map((c) => containerLine(c, o.nowMs))));
  }
  return lines.join("\n") + "\n";
}
