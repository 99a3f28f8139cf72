// The API server going away, as real ones do: down (a crash or an upgrade: connects refused, every connection
// cut, back later with its state), restart (down, and back without its watch cache) and the black hole (a hung
// server: connections accepted, requests never answered, watch streams silent). Durations run on an injectable
// clock, so a test can be "down for 30 s" by advancing a manual clock instead of waiting.
import type { EventEmitter } from "node:events";
import { scheduleOn, type SimClock } from "./clock.js";
import type { ListenerControl } from "./listener.js";
import type { MemoryStore } from "./store.js";
import type { WatchHub } from "./watch.js";

export interface DownOptions {
  /** Come back up after this many milliseconds of the fault clock; absent: stay down until `up()`. 0: at once. */
  forMs?: number;
}

export interface RestartOptions {
  /** How long the server is down before it comes back. Default 0: back at once. */
  forMs?: number;
  /**
   * Keep etcd's history: only the watch cache is lost, so paged lists may still continue. Default false: etcd is
   * compacted too (kube-apiserver compacts every 5 minutes, so a client must expect both after a restart).
   */
  keepEtcdHistory?: boolean;
}

export interface BlackHoleOptions {
  /** Lift it after this many milliseconds of the fault clock; absent: until `liftBlackHole()`. */
  forMs?: number;
}

export interface OutageState {
  /** The listener is closed (or coming back). */
  down: boolean;
  /** When it comes back, in fault-clock milliseconds, if a duration was given. */
  upAt: number | undefined;
  restarts: number;
  blackHole: boolean;
  blackHoleEndsAt: number | undefined;
  /** Requests the black hole is holding unanswered. */
  heldRequests: number;
  /** Why the last attempt to come back up failed (the port was taken, say). */
  upError: string | undefined;
}

/** setTimeout's limit: a longer delay fires at once. */
const MAX_DURATION_MS = 2 ** 31 - 1;

function duration(what: string, ms: number | undefined): number | undefined {
  if (ms === undefined) return undefined;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_DURATION_MS) {
    throw new Error(`${what}: forMs must be a number of milliseconds from 0 to ${MAX_DURATION_MS}, got ${String(ms)}`);
  }
  return ms;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Outages {
  private isDown = false;
  /** Bumped by every `down`, so an `up` that finishes after a newer `down` does not mark the server up. */
  private epoch = 0;
  private upTimer: { cancel: () => void; at: number } | undefined;
  private liftTimer: { cancel: () => void; at: number } | undefined;
  private cacheLoss: { keepEtcdHistory: boolean } | undefined;
  private restarts = 0;
  private black = false;
  private readonly held = new Set<() => void>();
  private upWaiters: Waiter[] = [];
  private upError: string | undefined;
  private closed = false;

  constructor(
    private readonly store: MemoryStore,
    private readonly hub: WatchHub,
    private readonly listener: ListenerControl | undefined,
    private readonly clock: SimClock,
  ) {}

  async down(options: DownOptions = {}): Promise<void> {
    const forMs = duration("down", options.forMs);
    const listener = this.requireListener("down");
    this.cancelUp();
    this.isDown = true;
    this.epoch++;
    if (forMs !== undefined && forMs > 0) {
      this.upTimer = { at: this.clock.now() + forMs, cancel: scheduleOn(this.clock, () => this.comeBack(), forMs) };
    }
    await listener.down();
    if (forMs === 0) this.comeBack();
  }

  /** Comes back up now (cancelling a scheduled return); resolves once listening. */
  async up(): Promise<void> {
    this.cancelUp();
    if (this.closed || !this.isDown) return;
    const listener = this.requireListener("up");
    const epoch = this.epoch;
    if (this.cacheLoss) {
      // The new process builds its watch cache from a fresh list at etcd's current revision: no event before
      // it can be replayed. Done before listening, so that no request sees the old cache.
      if (this.cacheLoss.keepEtcdHistory) this.store.dropWatchCache();
      else this.store.compact();
      this.cacheLoss = undefined;
    }
    try {
      await listener.up();
    } catch (err) {
      this.upError = err instanceof Error ? err.message : String(err);
      for (const w of this.upWaiters.splice(0)) w.reject(err instanceof Error ? err : new Error(this.upError));
      throw err;
    }
    if (epoch !== this.epoch) return;
    this.isDown = false;
    this.upError = undefined;
    for (const w of this.upWaiters.splice(0)) w.resolve();
  }

  /** Resolves when the server is up (at once when it is); rejects if coming back up fails. */
  whenUp(): Promise<void> {
    if (!this.isDown || this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => this.upWaiters.push({ resolve, reject }));
  }

  /** Down, then back without its watch cache. Resolves once down; `whenUp()` tells when it is back. */
  async restart(options: RestartOptions = {}): Promise<void> {
    const forMs = duration("restart", options.forMs) ?? 0;
    this.requireListener("restart");
    this.restarts++;
    this.cacheLoss = { keepEtcdHistory: options.keepEtcdHistory === true };
    await this.down({ forMs });
  }

  blackHole(options: BlackHoleOptions = {}): void {
    const forMs = duration("blackHole", options.forMs);
    this.cancelLift();
    this.black = true;
    this.hub.silence();
    if (forMs !== undefined) this.liftTimer = { at: this.clock.now() + forMs, cancel: scheduleOn(this.clock, () => this.liftBlackHole(), forMs) };
  }

  /** Held requests are served, and silenced watches catch up with what they missed. */
  liftBlackHole(): void {
    this.cancelLift();
    if (!this.black) return;
    this.black = false;
    this.hub.unsilence();
    for (const release of [...this.held]) release();
  }

  /**
   * Resolves when no black hole holds requests: at once, when the black hole is lifted, or when the client goes
   * away (its connection closes), so that a held request leaves nothing behind.
   */
  hold(res: Pick<EventEmitter, "once" | "off">): Promise<void> {
    if (!this.black) return Promise.resolve();
    return new Promise((resolve) => {
      const release = (): void => {
        this.held.delete(release);
        res.off("close", release);
        resolve();
      };
      this.held.add(release);
      res.once("close", release);
    });
  }

  /** Lifts the black hole and brings the server back up (a restart's lost watch cache stays lost). */
  reset(): void {
    this.liftBlackHole();
    if (this.isDown) this.comeBack();
  }

  /** Cancels every timer and releases every held request and waiter; nothing comes back up after this. */
  close(): void {
    this.closed = true;
    this.cancelUp();
    this.cancelLift();
    this.black = false;
    for (const release of [...this.held]) release();
    for (const w of this.upWaiters.splice(0)) w.resolve();
  }

  state(): OutageState {
    return {
      down: this.isDown,
      upAt: this.upTimer?.at,
      restarts: this.restarts,
      blackHole: this.black,
      blackHoleEndsAt: this.liftTimer?.at,
      heldRequests: this.held.size,
      upError: this.upError,
    };
  }

  /** A scheduled or requested return: its failure is reported through state() and whenUp(), not thrown. */
  private comeBack(): void {
    this.up().catch(() => undefined);
  }

  private cancelUp(): void {
    this.upTimer?.cancel();
    this.upTimer = undefined;
  }

  private cancelLift(): void {
    this.liftTimer?.cancel();
    this.liftTimer = undefined;
  }

  private requireListener(what: string): ListenerControl {
    if (this.closed) throw new Error(`${what}: the cluster is closed`);
    if (!this.listener) throw new Error(`${what}: this fault handle has no listener to stop (it was built without one)`);
    return this.listener;
  }
}
