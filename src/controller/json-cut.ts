// Cutting metadata.managedFields out of an object's JSON text before it is parsed. Nothing in the controller reads
// managedFields, every cache drops them, and they are a third or more of a pod as the API server sends it: not
// parsing them makes each watch event and list item cheaper to read than parsing it whole. The API server writes
// compact JSON in a fixed order (apimachinery's ObjectMeta puts managedFields last), so the cut is a search for
// the key and a scan to its closing bracket; anything unexpected leaves the text as it was, to be parsed whole.

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-chars.js";

/** The index of the bracket that closes the array or object opening at `open`; -1 when the text ends first. */
function closingBracket(text: string, open: number): number {
  const closer = text.charCodeAt(open) === OPEN_BRACKET ? CLOSE_BRACKET : CLOSE_BRACE;
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (--depth === 0) return c === closer ? i : -1;
    }
  }
  return -1;
}

/** `text` without its first `"managedFields":[…]` member, or `text` itself when there is none or the layout is unusual. */
export function withoutManagedFields(text: string): string {
  return withoutMember(text, "managedFields");
}

/**
 * `text` without the first member named `key` whose value is an object or an array, or `text` itself when there
 * is none or the layout is unusual. The first such member must be the one meant: for managedFields, metadata's
 * (no other part of an object has one); for a report's status, the report's (metadata and spec have none).
 */
export function withoutMember(text: string, key: string): string {
  const name = `"${key}":`;
  let at = text.indexOf(name);
  while (at > 0) {
    const open = text.charCodeAt(at + name.length);
    if (open === OPEN_BRACKET || open === OPEN_BRACE) break;
    at = text.indexOf(name, at + name.length);
  }
  if (at <= 0) return text;
  const before = text.charCodeAt(at - 1);
  // A key starts after `{` or `,`; the same characters inside a string value would be escaped (`\"`).
  if (before !== COMMA && before !== OPEN_BRACE) return text;
  const end = closingBracket(text, at + name.length);
  if (end === -1) return text;
  const after = text.charCodeAt(end + 1);
  if (after === COMMA) return text.slice(0, at) + text.slice(end + 2);
  if (after === CLOSE_BRACE && before === COMMA) return text.slice(0, at - 1) + text.slice(end + 1);
  if (after === CLOSE_BRACE && before === OPEN_BRACE) return text.slice(0, at) + text.slice(end + 1);
  return text;
}
