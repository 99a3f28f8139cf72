// Terminal colour for a person's eyes: one colour per health verdict, applied to whole lines after alignment (escape
// codes inside cells would throw the column widths off). Pure; whether to colour at all is the caller's choice
// (see `wantsColour`).
import type { Health } from "../status/types.js";

const RESET = "\x1b[0m";
const CODES = { red: "\x1b[31m", green: "\x1b[32m", yellow: "\x1b[33m", blue: "\x1b[34m", dim: "\x1b[2m", bold: "\x1b[1m" } as const;
export type Colour = keyof typeof CODES;

const BY_HEALTH: Record<Health, Colour> = {
  Healthy: "green",
  Progressing: "blue",
  Degraded: "yellow",
  Unhealthy: "red",
  Failed: "red",
  Completed: "dim",
  Terminating: "dim",
  Unknown: "yellow",
};

export function healthColour(health: string): Colour | null {
  return (BY_HEALTH as Record<string, Colour | undefined>)[health] ?? null;
}

/** `text` in `colour` when `on`, else unchanged. */
export function paint(text: string, colour: Colour | null, on: boolean): string {
  return on && colour !== null && text !== "" ? `${CODES[colour]}${text}${RESET}` : text;
}

/**
 * Whether to colour a stream: a terminal that supports colour, as Node's `hasColors` decides it (it honours
 * NO_COLOR, FORCE_COLOR and TERM=dumb).
 */
export function wantsColour(stream: { isTTY?: boolean; hasColors?: () => boolean }): boolean {
  return stream.isTTY === true && typeof stream.hasColors === "function" && stream.hasColors();
}
