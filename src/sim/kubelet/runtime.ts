// Small pure pieces of kubelet behaviour the pod worker is built from: client-go's flowcontrol back-off as the
// kubelet uses it for restarts and image pulls, Go's duration formatting (it appears in messages), image names as the
// container runtime reports them, and a group of timers that can be cancelled together.
import type { SimClock } from "./clock.js";
import { digestOf } from "./random.js";

/** The kubelet's container restart and image pull back-off: 10 s, doubling, capped at 5 min. */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

export interface Backoff {
  delayMs: number;
  /** When the entry was last advanced; an entry untouched for twice the cap is forgotten. */
  lastUpdate: number;
}

function expired(at: number, entry: Backoff): boolean {
  return at - entry.lastUpdate > 2 * BACKOFF_MAX_MS;
}

/** flowcontrol.Backoff.Next: the first failure, or one after a long quiet spell, starts over at 10 s. */
export function nextBackoff(entry: Backoff | undefined, at: number): Backoff {
  if (entry === undefined || expired(at, entry)) return { delayMs: BACKOFF_INITIAL_MS, lastUpdate: at };
  return { delayMs: Math.min(entry.delayMs * 2, BACKOFF_MAX_MS), lastUpdate: at };
}

/** flowcontrol.Backoff.IsInBackOffSince: is `now` still within the window that opened at `eventTime`? */
export function inBackoffSince(entry: Backoff | undefined, eventTime: number, now: number): boolean {
  if (entry === undefined || expired(eventTime, entry)) return false;
  return now - eventTime < entry.delayMs;
}

/** Go's time.Duration.String for whole milliseconds: `812ms`, `2.5s`, `5m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const secMs = total % 60_000;
  const sec = secMs % 1000 === 0 ? String(secMs / 1000) : (secMs / 1000).toFixed(3).replace(/0+$/, "");
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

/** The fully qualified reference containerd reports in `status.containerStatuses[].image`. */
export function runtimeImage(image: string): string {
  const first = image.split("/")[0];
  const hasRegistry = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  let ref = hasRegistry ? image : image.includes("/") ? `docker.io/${image}` : `docker.io/library/${image}`;
  const last = ref.split("/").pop() ?? "";
  if (!last.includes(":") && !ref.includes("@")) ref += ":latest";
  return ref;
}

/** `repo@sha256:…`, stable for a given image so every pod of a deployment reports the same imageID. */
export function runtimeImageID(image: string): string {
  const ref = runtimeImage(image);
  const repo = ref.includes("@") ? ref.slice(0, ref.indexOf("@")) : ref.replace(/:[^:/]+$/, "");
  return `${repo}@sha256:${digestOf(ref)}`;
}

/** A plausible compressed size for an image, stable per image. */
export function imageSize(image: string): number {
  return 18_000_000 + (parseInt(digestOf(image).slice(0, 6), 16) % 180_000_000);
}

/** Timers that belong together (one container run, one pod) and are cancelled together. */
export class TimerGroup {
  private readonly cancels = new Map<number, () => void>();
  private seq = 0;

  constructor(private readonly clock: SimClock) {}

  after(delayMs: number, fn: () => void): void {
    const id = ++this.seq;
    const cancel = this.clock.schedule(() => {
      this.cancels.delete(id);
      fn();
    }, delayMs);
    this.cancels.set(id, cancel);
  }

  cancelAll(): void {
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  get size(): number {
    return this.cancels.size;
  }
}
