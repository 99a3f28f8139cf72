// Cutting metadata.managedFields out of an object's JSON text before it is parsed. Nothing in the controller reads
// managedFields, every cache drops them, and they are a third or more of a pod as the API server sends it: not
// parsing them makes each watch event and list item cheaper to read than parsing it whole. The API server writes
// compact JSON in a fixed order (apimachinery's ObjectMeta puts managedFields last), so the cut is a search for
// the key and a scan to its closing bracket; anything unexpected leaves the text as it was, to be parsed whole.

const KEY = '"managedFields":[';
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;

/** The index of the bracket that closes the array opening at `open`; -1 when the text ends first. */
function closingBracket(text: string, open: number): number {
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
      if (--depth === 0) return c === CLOSE_BRACKET ? i : -1;
    }
  }
  return -1;
}

/** `text` without its first `"managedFields":[…]` member, or `text` itself when there is none or the layout is unusual. */
export function withoutManagedFields(text: string): string {
  const at = text.indexOf(KEY);
  if (at <= 0) return text;
  const before = text.charCodeAt(at - 1);
  // A key starts after `{` or `,`; the same characters inside a string value would be escaped (`\"`).
  if (before !== COMMA && before !== OPEN_BRACE) return text;
  const end = closingBracket(text, at + KEY.length - 1);
  if (end === -1) return text;
  const after = text.charCodeAt(end + 1);
  if (after === COMMA) return text.slice(0, at) + text.slice(end + 2);
  if (after === CLOSE_BRACE && before === COMMA) return text.slice(0, at - 1) + text.slice(end + 1);
  if (after === CLOSE_BRACE && before === OPEN_BRACE) return text.slice(0, at) + text.slice(end + 1);
  return text;
}
