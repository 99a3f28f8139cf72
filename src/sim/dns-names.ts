// The DNS name rules names and groups must follow, worded as the real server words them. Mirrors
// k8s.io/apimachinery v0.32 pkg/util/validation/validation.go (IsDNS1123Subdomain, IsDNS1035Label, RegexError).

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";

const SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const LABEL_1035_RE = new RegExp(`^${DNS1035_LABEL}$`);

/** RegexError's wording, its odd double space between examples included. */
function regexError(message: string, format: string, ...examples: string[]): string {
  const shown = examples.map((e) => `'${e}', `).join(" or ");
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

/** Go's len(): bytes, not characters. */
function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

interface NameRule {
  maxBytes: number;
  re: RegExp;
  message: string;
  format: string;
  examples: string[];
}

const SUBDOMAIN: NameRule = {
  maxBytes: 253,
  re: SUBDOMAIN_RE,
  message: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  format: DNS1123_SUBDOMAIN,
  examples: ["example.com"],
};

const LABEL_1035: NameRule = {
  maxBytes: 63,
  re: LABEL_1035_RE,
  message: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  format: DNS1035_LABEL,
  examples: ["my-name", "abc-123"],
};

function ruleErrors(value: string, rule: NameRule): string[] {
  const errors: string[] = [];
  if (byteLength(value) > rule.maxBytes) errors.push(`must be no more than ${rule.maxBytes} characters`);
  if (!rule.re.test(value)) errors.push(regexError(rule.message, rule.format, ...rule.examples));
  return errors;
}

export function dns1123SubdomainErrors(value: string): string[] {
  return ruleErrors(value, SUBDOMAIN);
}

export function dns1035LabelErrors(value: string): string[] {
  return ruleErrors(value, LABEL_1035);
}
