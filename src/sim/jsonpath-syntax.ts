// Whether a JSONPath template parses, and if not why, by the grammar of client-go v0.32 util/jsonpath/parser.go.
// The server parses each printer column as `{<jsonPath>}` when it starts serving a CRD; a column that does not
// parse is not an error the CRD is refused for, but it and every column after it are left out of the table
// (apiextensions-apiserver tableconvertor.New). Evaluation lives in jsonpath.ts; this file only answers
// "would the server's parser take it", so the sim can drop the same columns the server drops.

const LEFT = "{";
const INT64_MAX = 2n ** 63n - 1n;
const RIGHT = "}";

class Scanner {
  /** Code points: Go walks runes, and only ASCII punctuation is ever compared, so the two agree. */
  readonly chars: string[];
  pos = 0;
  start = 0;
  /** Whether the last node appended to the current action was `..`, which may not repeat. */
  lastWasRecursive = false;

  constructor(text: string) {
    this.chars = Array.from(text);
  }

  atEnd(): boolean {
    return this.pos >= this.chars.length;
  }

  /** The next character, or "" at the end (Go's eof); advances. */
  next(): string {
    if (this.atEnd()) return "";
    return this.chars[this.pos++];
  }

  backup(ch: string): void {
    if (ch !== "") this.pos--;
  }

  peek(): string {
    return this.atEnd() ? "" : this.chars[this.pos];
  }

  rest(): string {
    return this.chars.slice(this.pos).join("");
  }

  consume(): string {
    const text = this.chars.slice(this.start, this.pos).join("");
    this.start = this.pos;
    return text;
  }
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t";
}

function isEndOfLine(c: string): boolean {
  return c === "\r" || c === "\n";
}

function isTerminator(c: string): boolean {
  return c === "" || isSpace(c) || isEndOfLine(c) || ".,[]$@{}".includes(c);
}

function isDigit(c: string): boolean {
  return /^\p{Nd}$/u.test(c);
}

function isAlphaNumeric(c: string): boolean {
  return c === "_" || /^[\p{L}\p{Nd}]$/u.test(c);
}

/** The error for a template, or undefined when client-go's parser accepts it. */
export function jsonPathTemplateError(template: string): string | undefined {
  try {
    parseText(new Scanner(template));
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return err.message;
    throw err;
  }
}

/** How the server checks a printer column: the path wrapped in braces. */
export function printerColumnPathError(jsonPath: string): string | undefined {
  return jsonPathTemplateError(`${LEFT}${jsonPath}${RIGHT}`);
}

function fail(message: string): never {
  throw new SyntaxError(message);
}

function parseText(s: Scanner): void {
  for (;;) {
    if (s.rest().startsWith(LEFT)) {
      s.consume();
      s.pos += LEFT.length;
      s.consume();
      s.lastWasRecursive = false;
      parseInsideAction(s);
      return;
    }
    if (s.next() === "") return;
  }
}

function parseInsideAction(s: Scanner): void {
  // Iterative where Go recurses, so a long path cannot exhaust the stack.
  for (;;) {
    const rest = s.rest();
    if (rest.startsWith(RIGHT)) {
      s.pos += RIGHT.length;
      s.consume();
      parseText(s);
      return;
    }
    if (rest.startsWith("[?(")) {
      parseFilter(s);
      s.lastWasRecursive = false;
      continue;
    }
    if (rest.startsWith("..")) {
      if (s.lastWasRecursive) fail("invalid multiple recursive descent");
      s.pos += 2;
      s.consume();
      s.lastWasRecursive = true;
      if (isAlphaNumeric(s.peek())) {
        parseField(s);
        s.lastWasRecursive = false;
      }
      continue;
    }
    const c = s.next();
    if (c === "" || isEndOfLine(c)) fail("unclosed action");
    if (c === " " || c === "@" || c === "$") {
      s.consume();
      continue;
    }
    s.lastWasRecursive = false;
    if (c === "[") parseArray(s);
    else if (c === '"' || c === "'") parseQuote(s, c);
    else if (c === ".") parseField(s);
    else if (c === "+" || c === "-" || isDigit(c)) {
      s.backup(c);
      parseNumber(s);
    } else if (isAlphaNumeric(c)) {
      s.backup(c);
      parseIdentifier(s);
    } else {
      fail(`unrecognized character in action: ${goRune(c)}`);
    }
  }
}

/** Go's %#U: `U+0021 '!'`, the character left out when it is not printable. */
function goRune(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return /^[\p{C}\p{Z}]$/u.test(c) && c !== " " ? hex : `${hex} '${c}'`;
}

function parseIdentifier(s: Scanner): void {
  for (;;) {
    const c = s.next();
    if (isTerminator(c)) {
      s.backup(c);
      break;
    }
  }
  s.consume();
}

function parseNumber(s: Scanner): void {
  const sign = s.peek();
  if (sign === "+" || sign === "-") s.next();
  for (;;) {
    const c = s.next();
    if (c !== "." && !isDigit(c)) {
      s.backup(c);
      break;
    }
  }
  const value = s.consume();
  // strconv.Atoi, else strconv.ParseFloat: digits with at most one dot and at least one digit.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) fail(`cannot parse number ${value}`);
}

function parseArray(s: Scanner): void {
  for (;;) {
    const c = s.next();
    if (c === "" || c === "\n") fail("unterminated array");
    if (c === "]") break;
  }
  let text = s.consume();
  text = text.slice(1, -1);
  if (text === "*") text = ":";

  const parts = text.split(",");
  if (parts.length > 1) {
    // strings.Trim(str, " "): spaces only.
    for (const part of parts) parseAction(`[${part.replace(/^ +| +$/g, "")}]`);
    return;
  }
  const dictKey = /^'([^']*)'$/.exec(text);
  if (dictKey) {
    parseAction(`.${dictKey[1]}`);
    return;
  }
  const slice = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
  if (!slice) fail(`invalid array index ${text}`);
  for (let i = 0; i < 3; i++) {
    let value = slice[i + 1] ?? "";
    if (value === "") continue;
    if (i > 0) value = value.slice(1);
    if (i > 0 && value === "") continue;
    // strconv.Atoi: an optional sign and digits that fit in an int64.
    if (!/^-?\d+$/.test(value) || BigInt(value) > INT64_MAX || BigInt(value) < -INT64_MAX - 1n) fail(`array index ${value} is not a number`);
  }
}

function parseFilter(s: Scanner): void {
  s.pos += 3;
  s.consume();
  let begin = false;
  let end = false;
  let pair = "";
  for (;;) {
    const c = s.next();
    if (c === "" || c === "\n") fail("unterminated filter");
    if (c === '"' || c === "'") {
      if (!begin) {
        begin = true;
        pair = c;
        continue;
      }
      if (s.chars[s.pos - 2] !== "\\" && c === pair) end = true;
    } else if (c === ")" && begin === end) {
      break;
    }
  }
  if (s.next() !== "]") fail("unclosed array expect ]");
  const text = s.consume().slice(0, -2);
  const comparison = /^([^!<>=]+)([!<>=~]+)(.+?)$/.exec(text);
  if (!comparison) {
    parseAction(text);
    return;
  }
  parseAction(comparison[1]);
  parseAction(comparison[3]);
}

function parseQuote(s: Scanner, quote: string): void {
  for (;;) {
    const c = s.next();
    if (c === "" || c === "\n") fail("unterminated quoted string");
    if (c === quote && s.chars[s.pos - 2] !== "\\") break;
  }
  const value = s.consume();
  const problem = unquoteError(value);
  if (problem) fail(`unquote string ${value} error ${problem}`);
}

function parseField(s: Scanner): void {
  s.consume();
  for (;;) {
    const c = s.next();
    if (c === "\\") s.next();
    else if (isTerminator(c)) {
      s.backup(c);
      break;
    }
  }
  s.consume();
}

/** A nested action (`{…}` around `text`), as parseAction parses union members, dict keys and filter sides. */
function parseAction(text: string): void {
  parseText(new Scanner(`${LEFT}${text}${RIGHT}`));
}

/** UnquoteExtend: a single- or double-quoted string with Go escapes; the error strconv gives, or undefined. */
function unquoteError(quoted: string): string | undefined {
  const chars = Array.from(quoted);
  if (chars.length < 2) return "invalid syntax";
  const quote = chars[0];
  if (quote !== chars[chars.length - 1] || (quote !== '"' && quote !== "'")) return "invalid syntax";
  const body = chars.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === quote) return "invalid syntax";
    if (c !== "\\") continue;
    const e = body[++i];
    if (e === undefined) return "invalid syntax";
    if ("abfnrtv\\".includes(e)) continue;
    if (e === "'" || e === '"') {
      if (e !== quote) return "invalid syntax";
      continue;
    }
    const hexLength = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLength > 0) {
      const digits = body.slice(i + 1, i + 1 + hexLength).join("");
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) return "invalid syntax";
      const code = Number.parseInt(digits, 16);
      if (e !== "x" && (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))) return "invalid syntax";
      i += hexLength;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const digits = body.slice(i, i + 3).join("");
      if (!/^[0-7]{3}$/.test(digits) || Number.parseInt(digits, 8) > 255) return "invalid syntax";
      i += 2;
      continue;
    }
    return "invalid syntax";
  }
  return undefined;
}
