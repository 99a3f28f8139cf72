// Which printer-column JSONPaths the server's parser (client-go v0.32 util/jsonpath/parser.go) takes, and the
// error it gives for the others: a CRD keeps a column the parser refuses, but the table drops it and every
// column after it.
import { printerColumnPathError } from "../../src/sim/jsonpath-syntax.js";

describe("printer column JSONPaths, parsed as `{<path>}`", () => {
  test.each([
    ".status.status",
    '.status.conditions[?(@.type=="Ready")].status',
    ".status.conditions[?(@.type=='Ready')].status",
    ".spec.items[0]",
    ".spec.items[-1:]",
    ".spec.items[0:4:2]",
    ".spec.items[*].name",
    ".spec.items[0,2]",
    ".metadata.labels['app.kubernetes.io/name']",
    ".metadata.labels.app\\.kubernetes\\.io/name",
    "..name",
    ".spec.items[?(@.port)]",
    ".spec.items[?(@.port > 8080)].name",
    // Parses: the server's validation asks only for a leading dot, and the parser takes a bare identifier.
    ".a!",
  ])("%s parses", (path) => {
    expect(printerColumnPathError(path)).toBeUndefined();
  });

  test.each([
    [".status.conditions[", "unterminated array"],
    [".status.conditions[x]", "invalid array index x"],
    [".status.conditions[-]", "array index - is not a number"],
    [".spec.items[99999999999999999999]", "array index 99999999999999999999 is not a number"],
    ['.status.conditions[?(@.type=="Ready")', "unclosed array expect ]"],
    [".status.conditions[?(@.type==\"Ready\"", "unterminated filter"],
    [".a.. ..b", "invalid multiple recursive descent"],
    [".status 'x", "unterminated quoted string"],
    [".status 'a\\qb'", "unquote string 'a\\qb' error invalid syntax"],
    [".status -", "cannot parse number -"],
    [".status 1.2.3", "cannot parse number 1.2.3"],
    ["{.status}", "unrecognized character in action: U+007B '{'"],
    [".status\n", "unclosed action"],
  ])("%s is refused: %s", (path, error) => {
    expect(printerColumnPathError(path)).toBe(error);
  });
});
