/**
 * A YAML emitter for the JSON-shaped values the library writes: plain objects, arrays, strings, finite
 * and non-finite numbers, booleans and null. Its output is byte for byte what `yaml`'s `stringify` gives
 * with the options `toYaml` uses (YAML 1.1, no line folding, sorted keys, indented sequences, no
 * aliases) — test/yaml-emit.test.ts compares the two on every rendered object and on tricky scalars.
 * It builds strings directly instead of `yaml`'s document model, which is most of the time and the
 * garbage of writing a build's files.
 *
 * Anything outside the subset it reproduces exactly (a non-plain object, a string with control
 * characters or a document marker, a key with a line break, a multi-line string that needs quotes)
 * returns `undefined`, and the caller uses `yaml` itself.
 */
export function emitYaml(value: unknown): string | undefined {
  try {
    if (Array.isArray(value)) return (value.length === 0 ? '[]' : seq(value, '')) + '\n';
    if (isPlainObject(value)) {
      const body = map(value, '');
      return (body === '' ? '{}' : body) + '\n';
    }
  } catch (e) {
    if (e === unsupported) return undefined;
    throw e;
  }
  return undefined;
}

/** Thrown (never escapes) when a value is outside the emitter's exact subset. */
const unsupported = new Error('outside the YAML emitter subset');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Block mapping whose lines after the first start at `indent`; '' when it has no entries. */
function map(obj: Record<string, unknown>, indent: string): string {
  const keys = Object.keys(obj).sort();
  const child = indent + '  ';
  let out = '';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (out !== '') out += '\n' + indent;
    out += key(k) + ':';
    if (Array.isArray(v)) out += v.length === 0 ? ' []' : '\n' + child + seq(v, child);
    else if (isPlainObject(v)) {
      const body = map(v, child);
      out += body === '' ? ' {}' : '\n' + child + body;
    } else out += ' ' + scalar(v, child);
  }
  return out;
}

/** Block sequence whose lines after the first start at `indent` (the '- ' indents its items). */
function seq(items: readonly unknown[], indent: string): string {
  const child = indent + '  ';
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (i > 0) out += '\n' + indent;
    out += '- ';
    if (Array.isArray(v)) out += v.length === 0 ? '[]' : seq(v, child);
    else if (isPlainObject(v)) {
      const body = map(v, child);
      out += body === '' ? '{}' : body;
    } else if (v === undefined) throw unsupported;
    else out += scalar(v, child);
  }
  return out;
}

function scalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case 'string':
      return string(v, indent);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      // As `yaml` writes numbers: JSON's form, and -0 kept.
      if (Number.isFinite(v)) return Object.is(v, -0) ? '-0' : String(v);
      return Number.isNaN(v) ? '.nan' : v < 0 ? '-.inf' : '.inf';
    case 'object':
      if (v === null) return 'null';
  }
  throw unsupported;
}

/** Control characters and unpaired surrogates force `yaml`'s escaped double quotes. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const needsEscapes = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** Where a plain scalar cannot start, contain or end as it is (as `yaml` decides). */
const notPlain = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const documentMarker = /^(%|---|\.\.\.)/m;
/** The YAML 1.1 scalars a plain string would be read back as, other than a string. */
const resolvesToNonString = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|T|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:[ \t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];

function resolvesOtherwise(s: string): boolean {
  for (const re of resolvesToNonString) if (re.test(s)) return true;
  return false;
}

/** A key: single-line, implicit (at most 1,024 characters). */
function key(s: string): string {
  if (s.length > 1024 || s.includes('\n') || needsEscapes.test(s) || documentMarker.test(s)) throw unsupported;
  return notPlain.test(s) || resolvesOtherwise(s) ? quoted(s) : s;
}

/** A value whose continuation lines (a block scalar's body) sit at `indent`. */
function string(s: string, indent: string): string {
  if (needsEscapes.test(s) || documentMarker.test(s)) throw unsupported;
  const multiLine = s.includes('\n');
  if (notPlain.test(s)) return multiLine ? block(s, indent) : quoted(s);
  if (multiLine) return block(s, indent);
  return resolvesOtherwise(s) ? quoted(s) : s;
}

/** Single-line quoting: single quotes when only double quotes occur, else JSON's double quotes. */
function quoted(s: string): string {
  if (s.includes('"') && !s.includes("'")) return "'" + s + "'";
  return JSON.stringify(s);
}

/** A literal block scalar, `yaml`'s choice for multi-line strings when lines are never folded. */
function block(value: string, indent: string): string {
  if (/\n[\t ]+$/.test(value)) throw unsupported;
  let endStart = value.length;
  for (; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNl = end.indexOf('\n');
  const chomp = endNl === -1 ? '-' : value === end || endNl !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(/(^|(?<!\n))\n+(?!\n|$)/g, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNl = -1;
  for (; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNl = startEnd;
    else break;
  }
  let start = value.substring(0, startNl < startEnd ? startNl + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}
