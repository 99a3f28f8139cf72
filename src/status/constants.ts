// The status engine's time windows, shared by the verdict and by the recheck that says when it may change.

/** How recent a restart must be for a running pod to be Degraded rather than Healthy: ten minutes. */
export const DEFAULT_RESTART_WINDOW_MS = 10 * 60_000;
