// Free text from the cluster (kubelet messages, condition messages) made fit for one line of output.

export const MAX_MESSAGE = 512;

// Line breaks, tabs and other controls, the Unicode line separators, and spaces at an end or doubled. One native
// regex test is several times faster than a charCodeAt loop, and most text passes it untouched.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_CLEANING = /[\x00-\x1f\x7f\x85\u2028\u2029]|^ | $| {2}/;
// eslint-disable-next-line no-control-regex -- as above
const BLANK_RUN = /[\s\x00-\x1f\x7f\x85]+/g;

/**
 * The text with every run of whitespace and control characters collapsed to one space, and trimmed. Text from
 * the pod goes through this before it is quoted in a message, so the message is one line without a final pass
 * over it (which would flatten every message string just to look at it).
 */
export function tidy(text: string): string {
  return isClean(text) ? text : text.replace(BLANK_RUN, " ").trim();
}

// Names and reasons are short: a charCodeAt loop over them beats calling into the regex engine.
function isClean(text: string): boolean {
  const n = text.length;
  if (n > 64) return !NEEDS_CLEANING.test(text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Printable ASCII first: it is nearly all there is, and one range test settles it.
    if (c > 32 && c < 127) continue;
    if (c === 32) {
      if (i === 0 || i === n - 1 || text.charCodeAt(i + 1) === 32) return false;
    } else if (c < 32 || c === 127 || c === 0x85 || c === 0x2028 || c === 0x2029) {
      return false;
    }
  }
  return true;
}

/** Cuts text to `max` characters, ending in `…` when cut; a shorter string is returned untouched. */
export function bound(text: string, max: number = MAX_MESSAGE): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + "…";
}

/**
 * Collapses every run of whitespace and control characters to one space, trims, and cuts the result to `max`
 * characters (ending in `…` when cut), so that a message is always one bounded line.
 */
export function oneLine(text: string, max: number = MAX_MESSAGE): string {
  return bound(tidy(text), max);
}
