/**
 * Kubernetes resource quantities (`resource.Quantity`), parsed exactly as the API server does:
 *
 *   <quantity> ::= <sign>? <number> <suffix>
 *   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= "" | m | k | M | G | T | P | E           (decimal SI)
 *                | Ki | Mi | Gi | Ti | Pi | Ei               (binary SI)
 *                | e<sign>?<digits> | E<sign>?<digits>        (decimal exponent)
 *
 * A quantity is kept as an exact rational (BigInt numerator and denominator) so that comparing a limit
 * with its request never suffers from floating point (`100m` against `0.1`); `value` is the float for sums.
 */

export interface Quantity {
  /** The text as written (a YAML number becomes its decimal text). */
  text: string;
  numerator: bigint;
  denominator: bigint;
  /** Approximate value in base units (cores, bytes). */
  value: number;
}

const decimalSI: Readonly<Record<string, number>> = { '': 0, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)((?:[eE][+-]?\d+)|Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]|)$/;

/** What a quantity may look like, for messages. */
export const quantityForm =
  'a Kubernetes quantity: a number with an optional suffix — m, k, M, G, T, P, E (powers of 1000), Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) or an exponent such as e9 — e.g. `500m`, `2`, `512Mi`, `1.5Gi`, `1e9`';

/** Why `text` is not a quantity, with a hint for the common slips; undefined when it is one. */
function slip(text: string): string | undefined {
  const m = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)$/.exec(text.trim());
  if (text !== text.trim() || /\s/.test(text)) return 'remove the spaces';
  if (!m) return undefined;
  const unit = m[1];
  const fixes: Record<string, string> = {
    K: 'k (decimal) or Ki (binary)',
    KB: 'k or Ki',
    Kb: 'k or Ki',
    kb: 'k or Ki',
    KiB: 'Ki',
    MB: 'M or Mi',
    Mb: 'M or Mi',
    mb: 'M or Mi',
    MiB: 'Mi',
    mi: 'Mi',
    GB: 'G or Gi',
    Gb: 'G or Gi',
    gb: 'G or Gi',
    GiB: 'Gi',
    gi: 'Gi',
    g: 'G or Gi',
    TB: 'T or Ti',
    TiB: 'Ti',
    ti: 'Ti',
  };
  return fixes[unit] ? `write the unit as ${fixes[unit]}` : undefined;
}

export type QuantityResult =
  { quantity: Quantity; error?: undefined } | { quantity?: undefined; error: string; hint?: string };

/** Parses a quantity the way the API server does; a YAML number is its own decimal text. */
export function parseQuantityExact(input: unknown): QuantityResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { error: 'not a finite number' };
    text = String(input);
  } else if (typeof input === 'string') text = input;
  else
    return {
      error: `a ${input === null ? 'null' : typeof input} is not a quantity`,
      hint: 'write it as a string, e.g. "512Mi"',
    };
  const m = QUANTITY.exec(text);
  if (!m) return { error: `"${text}" is not a quantity`, hint: slip(text) };
  const [, sign, number, suffix] = m;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt((whole || '0') + fraction) * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in binarySI) numerator *= 2n ** BigInt(binarySI[suffix]);
  else {
    const exponent = suffix in decimalSI ? decimalSI[suffix] : Number(suffix.slice(1));
    // The API server stores quantities as int64 scaled values; an exponent this far out cannot be one.
    if (Math.abs(exponent) > 100) return { error: `"${text}" is out of range`, hint: 'use a suffix such as Gi or T' };
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  return { quantity: { text, numerator, denominator, value: Number(numerator) / Number(denominator) } };
}

/** Negative when a < b, zero when equal, positive when a > b. Exact. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.numerator * b.denominator;
  const r = b.numerator * a.denominator;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** The value in base units (cores for cpu, bytes for memory); throws on a string that is not a quantity. */
export function quantityValue(input: string | number): number {
  const r = parseQuantityExact(input);
  if (r.error !== undefined) throw new Error(`not a quantity: ${String(input)}`);
  return r.quantity.value;
}
