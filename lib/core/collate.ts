/**
 * The order the build sorts names and paths in: English collation (`Intl.Collator('en')`, what
 * `localeCompare` gives on an English-language machine), whatever the machine's language.
 *
 * A collator loads ICU's collation data, 3 MiB of a build's memory. The names and paths a build
 * sorts (`mimir/ingester/statefulset.yaml`, `ConfigMap`) are ASCII letters, digits, `-`, `.` and `/`,
 * and for those the English order is plain: `-` < `.` < `/` < digits < letters, letters compared
 * without case first, and where two strings differ only in case the first differing letter decides,
 * lowercase first. Strings of other characters go to the collator.
 */
const plain = /^[-./0-9A-Za-z]*$/;

let collator: Intl.Collator | undefined;

export function compareText(a: string, b: string): number {
  if (!plain.test(a) || !plain.test(b)) return (collator ??= new Intl.Collator('en')).compare(a, b);
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  // Same letters: at the first difference in case, the lowercase letter (the higher code) sorts first.
  return a === b ? 0 : a > b ? -1 : 1;
}
