/**
 * What the API server (and the controllers that derive names and labels from an object's name) accept
 * as the name of each kind. Names that pass the API server but break a controller count as refused:
 * the build promises that what it writes deploys.
 */
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

interface NameFormat {
  pattern: RegExp;
  max: number;
  expected: string;
  /** Why the limit is what it is, when it is not the format's own. */
  why?: string;
}

const label = (max: number, why?: string): NameFormat => ({
  pattern: dns1123Label,
  max,
  expected: `a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${max} characters`,
  why,
});
const subdomain: NameFormat = {
  pattern: dns1123Subdomain,
  max: 253,
  expected:
    'a DNS-1123 subdomain: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters',
};

const formats: Readonly<Record<string, NameFormat>> = {
  Namespace: label(63),
  Service: {
    pattern: dns1035Label,
    max: 63,
    expected: 'a DNS-1035 label: lowercase letters, digits and "-", starting with a letter, at most 63 characters',
  },
  // Pods of a StatefulSet carry `controller-revision-hash: <name>-<10-character hash>`, a label value (≤ 63).
  StatefulSet: label(
    52,
    'its pods carry the label controller-revision-hash: <name>-<hash>, which must fit in 63 characters',
  ),
  // The Job controller labels its pods `job-name: <name>` (batch.kubernetes.io/job-name), a label value.
  Job: label(63, 'the Job controller labels its pods with the Job name, and a label value has at most 63 characters'),
  CronJob: label(52, 'Jobs it creates are named <name>-<11-digit timestamp> and must fit in 63 characters'),
};

/** The message, expected form and found value when `name` is not a valid name for `kind`; undefined when it is. */
export function nameProblem(
  kind: string,
  name: string,
): { message: string; expected: string; found: string; hint?: string } | undefined {
  const f = formats[kind] ?? subdomain;
  const found = name.length > 40 ? `"${name.slice(0, 40)}…" (${name.length} characters)` : JSON.stringify(name);
  if (name.length > f.max) {
    return {
      message: `${kind} name is ${name.length} characters long, more than ${f.max}`,
      expected: f.expected,
      found,
      hint: f.why ? `${f.why}; choose a shorter name` : 'choose a shorter name',
    };
  }
  if (!f.pattern.test(name)) {
    const lower = name.toLowerCase().replace(/[^-a-z0-9.]/g, '-');
    return {
      message: kind in formats ? `invalid ${kind} name` : 'invalid object name',
      expected: f.expected,
      found,
      // The name failed the pattern, so a lowered form that passes differs from it.
      ...(f.pattern.test(lower) ? { hint: `e.g. "${lower}"` } : {}),
    };
  }
  return undefined;
}
