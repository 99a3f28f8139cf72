// Whether Go's regexp package (RE2 syntax) refuses a pattern, for the `pattern` keyword of CRD schemas. Not a
// full RE2 parser: it finds the mistakes people make (Perl lookarounds and backreferences RE2 does not have,
// unbalanced parentheses and brackets, a repetition with nothing to repeat) and words them as Go's
// regexp/syntax does (`error parsing regexp: <code>: `<text>``). JavaScript's RegExp is no judge here: it
// refuses valid RE2 (`(?i)`, `\z`, `[[:alpha:]]`) and accepts invalid RE2 (lookarounds).

function goError(code: string, fragment: string): string {
  return `error parsing regexp: ${code}: \`${fragment}\``;
}

/** The error Go's regexp.Compile gives for `pattern`, or undefined when the scan finds none. */
export function regexpError(pattern: string): string | undefined {
  const opens: number[] = [];
  let canRepeat = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return goError("trailing backslash at end of expression", "");
      if (/[1-9]/.test(next)) return goError("invalid escape sequence", `\\${next}`);
      i++;
      canRepeat = true;
      continue;
    }
    if (c === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) return goError("missing closing ]", pattern.slice(i));
      i = end;
      canRepeat = true;
      continue;
    }
    if (c === "(") {
      canRepeat = false;
      if (pattern[i + 1] !== "?") {
        opens.push(i);
        continue;
      }
      // (?i) sets flags; (?:…), (?i:…), (?P<name>…) and (?<name>…) open groups; anything else after (? is Perl.
      const rest = pattern.slice(i);
      const flags = /^\(\?[imsU-]+\)/.exec(rest);
      const group = /^\(\?(?:P?<\w+>|[imsU-]*:)/.exec(rest);
      if (flags) i += flags[0].length - 1;
      else if (group) {
        opens.push(i);
        i += group[0].length - 1;
      } else return goError("invalid or unsupported Perl syntax", rest.slice(0, 3));
      continue;
    }
    if (c === ")") {
      if (opens.length === 0) return goError("unexpected )", pattern);
      opens.pop();
      canRepeat = true;
      continue;
    }
    if (c === "*" || c === "+" || c === "?") {
      if (!canRepeat) return goError("missing argument to repetition operator", c);
      const next = pattern[i + 1];
      // A lazy marker follows a repetition; a second repetition operator is refused.
      if (next === "?") i++;
      else if (next === "*" || next === "+") return goError("invalid nested repetition operator", `${c}${next}`);
      canRepeat = false;
      continue;
    }
    canRepeat = c !== "|";
  }
  if (opens.length > 0) return goError("missing closing )", pattern);
  return undefined;
}

/** The index of the `]` closing the class opened at `start`; a `]` first in the class is a literal. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern.startsWith("[:", i)) {
      const close = pattern.indexOf(":]", i + 2);
      if (close >= 0) i = close + 1;
    } else if (pattern[i] === "]") return i;
  }
  return -1;
}
