// Splits a list response (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`) into the text of each item as the body
// streams in, so that a list is never held whole: a 50,000-pod list served from the watch cache is one response of
// about 300 MB of JSON (the cache has no pages: apiserver 1.32 storage/cacher/cacher.go ignores the limit at
// resourceVersion "0"), and parsed whole it would be about 1.5 GB of objects before the first one is cut down.
// Each item is handed over as text the moment its closing brace arrives; the other top-level fields (metadata)
// are parsed at the end. Only the structure is scanned here; JSON.parse checks each item's syntax.

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-chars.js";

type State =
  /** Before the opening brace of the list object. */
  | "start"
  /** Expecting a key (or the closing brace). */
  | "key"
  /** After a key, expecting the colon. */
  | "colon"
  /** Expecting a value of the current key. */
  | "value"
  /** Inside `items`: expecting an element or the closing bracket. */
  | "item"
  /** Inside `items`, after an element: expecting a comma or the closing bracket. */
  | "item-after"
  /** After a value: expecting a comma or the closing brace. */
  | "after"
  | "done";

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export class ListSplitter {
  /** The piece being scanned. Pieces are never joined for scanning: reading characters of a joined string is slow. */
  private buf = "";
  /** Where scanning resumes in `buf` (one past its end when an escape ran over it). */
  private pos = 0;
  private state: State = "start";
  /** Start in `buf` of the value (or key) being read; -1 when none is. */
  private valueStart = -1;
  /** The beginning of the value being read, from earlier pieces. */
  private carry = "";
  private depth = 0;
  private inString = false;
  private key = "";
  private readonly fields: Record<string, unknown> = {};

  constructor(private readonly onItem: (text: string) => void) {}

  /** Feeds the next piece of the body. Throws on text that is not a JSON object with an `items` array. */
  push(chunk: string): void {
    if (this.valueStart >= 0) {
      this.carry += this.buf.slice(this.valueStart);
      this.valueStart = 0;
    }
    this.pos = Math.max(0, this.pos - this.buf.length);
    this.buf = chunk;
    this.scan();
  }

  /** The top-level fields other than `items` (the list's metadata, kind, apiVersion), once the body has ended. */
  end(): Record<string, unknown> {
    if (this.state !== "done") {
      for (; this.pos < this.buf.length; this.pos++) if (!isSpace(this.buf.charCodeAt(this.pos))) break;
      throw new Error(this.state === "start" && this.pos >= this.buf.length ? "the list response is empty" : "the list response ended early");
    }
    return this.fields;
  }

  private scan(): void {
    const s = this.buf;
    const n = s.length;
    while (this.pos < n) {
      if (this.valueStart >= 0) {
        if (!this.scanValue(s)) return;
        continue;
      }
      const c = s.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      switch (this.state) {
        case "start":
          this.expect(c, OPEN_BRACE, "{");
          this.state = "key";
          break;
        case "key":
          if (c === CLOSE_BRACE && this.key === "") {
            this.state = "done";
            break;
          }
          this.expect(c, QUOTE, "a key");
          this.begin(false);
          continue;
        case "colon":
          this.expect(c, COLON, ":");
          this.state = "value";
          break;
        case "value":
          if (this.key === "items") {
            this.expect(c, OPEN_BRACKET, "[ after items");
            this.state = "item";
            break;
          }
          this.begin(c === QUOTE);
          continue;
        case "item":
          if (c === CLOSE_BRACKET) {
            this.state = "after";
            break;
          }
          this.expect(c, OPEN_BRACE, "an object in items");
          this.begin(false);
          continue;
        case "item-after":
          if (c === COMMA) this.state = "item";
          else if (c === CLOSE_BRACKET) this.state = "after";
          else this.fail(c, ", or ] in items");
          break;
        case "after":
          if (c === COMMA) this.state = "key";
          else if (c === CLOSE_BRACE) this.state = "done";
          else this.fail(c, ", or }");
          break;
        case "done":
          this.fail(c, "nothing after the list");
      }
      this.pos++;
    }
  }

  /** Starts reading a value (or a key) at `pos`. */
  private begin(quoted: boolean): void {
    this.valueStart = this.pos;
    this.depth = 0;
    this.inString = false;
    if (quoted || this.state === "key") {
      this.inString = true;
      this.pos++;
    }
  }

  /**
   * Reads on in the current value; true when it is complete (and has been handed over), false when the buffer
   * ended first.
   */
  private scanValue(s: string): boolean {
    const n = s.length;
    let depth = this.depth;
    let inString = this.inString;
    // One pass over the characters, strings included: as fast as skipping strings with indexOf on pods' many short
    // strings, and an escape split across two pieces needs no care (the position runs past the end, onto the
    // escaped character of the next piece).
    let i = this.pos;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0) return this.complete(s, i + 1);
        }
      } else if (c === QUOTE) {
        inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        // At depth 0 this closes the list or the object around a number, true, false or null.
        if (depth === 0) return this.complete(s, i);
        if (--depth === 0) return this.complete(s, i + 1);
      } else if (depth === 0 && (c === COMMA || isSpace(c))) {
        return this.complete(s, i);
      }
    }
    this.pos = i;
    this.depth = depth;
    this.inString = inString;
    return false;
  }

  /** The value from `valueStart` to `end` is whole. */
  private complete(s: string, end: number): true {
    const text = this.carry === "" ? s.slice(this.valueStart, end) : this.carry + s.slice(this.valueStart, end);
    this.carry = "";
    this.valueStart = -1;
    this.pos = end;
    switch (this.state) {
      case "key":
        this.key = JSON.parse(text) as string;
        this.state = "colon";
        break;
      case "item":
        this.state = "item-after";
        this.onItem(text);
        break;
      default:
        this.fields[this.key] = JSON.parse(text) as unknown;
        this.state = "after";
    }
    return true;
  }

  private expect(c: number, want: number, what: string): void {
    if (c !== want) this.fail(c, what);
  }

  private fail(c: number, what: string): never {
    throw new Error(`the list response is not JSON as expected: found ${JSON.stringify(String.fromCharCode(c))} where ${what} should be`);
  }
}
