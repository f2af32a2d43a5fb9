/**
 * A small typed model of Grafana Alloy's configuration syntax: build it in code, render it
 * deterministically (in the layout `alloy fmt` produces), and parse it back for build-time checks.
 */

const refTag: unique symbol = Symbol('alloy.reference');

/** A reference to another component's export, e.g. `discovery.kubernetes.pods.targets`. */
export interface AlloyRef {
  readonly [refTag]: string;
}

const callTag: unique symbol = Symbol('alloy.call');

/** A call of a standard-library function, e.g. `sys.env("HOME")`; evaluated by Alloy when it loads the file. */
export interface AlloyCall {
  readonly [callTag]: { fn: string; args: AlloyValue[] };
}

export type AlloyValue = string | number | boolean | null | AlloyRef | AlloyCall | AlloyValue[] | AlloyObject;
export interface AlloyObject {
  [key: string]: AlloyValue;
}

export interface AlloyAttribute {
  kind: 'attribute';
  name: string;
  value: AlloyValue;
}

export interface AlloyBlock {
  kind: 'block';
  /** Dotted identifier, e.g. `prometheus.remote_write` or `endpoint`. */
  name: string;
  /** Component label; Alloy requires it to be an identifier. */
  label?: string;
  body: AlloyStatement[];
}

export type AlloyStatement = AlloyAttribute | AlloyBlock;

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const keywords = new Set(['true', 'false', 'null']);

export function isIdentifier(s: string): boolean {
  return identifierPattern.test(s) && !keywords.has(s);
}

function checkDotted(what: string, name: string): void {
  if (!name.split('.').every(isIdentifier))
    throw new Error(
      `Alloy ${what} "${name}" is not a dotted identifier (letters, digits and "_", not starting with a digit)`,
    );
}

export function ref(path: string): AlloyRef {
  checkDotted('reference', path);
  return { [refTag]: path };
}

export function isRef(v: unknown): v is AlloyRef {
  return typeof v === 'object' && v !== null && refTag in v;
}

export function refPath(r: AlloyRef): string {
  return r[refTag];
}

export function call(fn: string, args: AlloyValue[]): AlloyCall {
  checkDotted('function name', fn);
  return { [callTag]: { fn, args } };
}

export function isCall(v: unknown): v is AlloyCall {
  return typeof v === 'object' && v !== null && callTag in v;
}

export function callOf(c: AlloyCall): { fn: string; args: AlloyValue[] } {
  return c[callTag];
}

export function attr(name: string, value: AlloyValue): AlloyAttribute {
  if (!isIdentifier(name)) throw new Error(`Alloy attribute name "${name}" is not an identifier`);
  return { kind: 'attribute', name, value };
}

/** `block('endpoint', [...])` or `block('prometheus.remote_write', 'mimir', [...])`. */
export function block(name: string, body: AlloyStatement[]): AlloyBlock;
export function block(name: string, label: string, body: AlloyStatement[]): AlloyBlock;
export function block(name: string, labelOrBody: string | AlloyStatement[], maybeBody?: AlloyStatement[]): AlloyBlock {
  checkDotted('block name', name);
  if (typeof labelOrBody === 'string') {
    if (!isIdentifier(labelOrBody))
      throw new Error(`Alloy label "${labelOrBody}" of block ${name} is not an identifier`);
    return { kind: 'block', name, label: labelOrBody, body: maybeBody ?? [] };
  }
  return { kind: 'block', name, body: labelOrBody };
}

/** Attributes from a record, in the record's order; `undefined` values are left out. */
export function attrs(record: Record<string, AlloyValue | undefined>): AlloyAttribute[] {
  return Object.entries(record)
    .filter((entry): entry is [string, AlloyValue] => entry[1] !== undefined)
    .map(([k, v]) => attr(k, v));
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** A double-quoted Alloy string: Go-style escapes for quotes, backslashes and control characters. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function objectKey(k: string): string {
  return isIdentifier(k) ? k : quote(k);
}

function inlineValue(v: AlloyValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`Alloy has no literal for ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (isRef(v)) return refPath(v);
  if (isCall(v)) return `${callOf(v).fn}(${callOf(v).args.map(inlineValue).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(inlineValue).join(', ')}]`;
  const keys = Object.keys(v);
  return keys.length === 0 ? '{}' : `{${keys.map((k) => `${objectKey(k)} = ${inlineValue(v[k])}`).join(', ')}}`;
}

function isPlainObject(v: AlloyValue): v is AlloyObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isRef(v) && !isCall(v);
}

/** Top-level objects of an attribute go one key per line (aligned, trailing commas); everything nested stays inline. */
function attributeValue(v: AlloyValue, indent: string): string {
  if (!isPlainObject(v) || Object.keys(v).length === 0) return inlineValue(v);
  const keys = Object.keys(v).map((k) => [k, objectKey(k)] as const);
  const width = Math.max(...keys.map(([, shown]) => shown.length));
  const lines = keys.map(([k, shown]) => `${indent}\t${shown.padEnd(width)} = ${inlineValue(v[k])},`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function renderBody(statements: AlloyStatement[], indent: string): string[] {
  const out: string[] = [];
  let run: AlloyAttribute[] = [];
  let previous: 'none' | 'attribute' | 'block' = 'none';
  const flush = () => {
    if (run.length === 0) return;
    const width = Math.max(...run.map((a) => a.name.length));
    for (const a of run) out.push(`${indent}${a.name.padEnd(width)} = ${attributeValue(a.value, indent)}`);
    run = [];
  };
  for (const s of statements) {
    if (s.kind === 'attribute') {
      if (previous === 'block') out.push('');
      run.push(s);
      previous = 'attribute';
      continue;
    }
    flush();
    if (previous !== 'none') out.push('');
    const head = `${indent}${s.name}${s.label !== undefined ? ` ${quote(s.label)}` : ''} {`;
    if (s.body.length === 0) out.push(`${head} }`);
    else out.push(head, ...renderBody(s.body, `${indent}\t`), `${indent}}`);
    previous = 'block';
  }
  flush();
  return out;
}

/** The configuration file: tabs, aligned `=`, a blank line around blocks, a trailing newline. */
export function renderAlloy(statements: AlloyStatement[]): string {
  return `${renderBody(statements, '').join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Parsing (for build-time checks of the rendered or overridden file)

export interface AlloySyntaxError {
  line: number;
  column: number;
  message: string;
}

export class AlloyParseError extends Error {
  readonly errors: AlloySyntaxError[];
  constructor(errors: AlloySyntaxError[]) {
    super(errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('; '));
    this.name = 'AlloyParseError';
    this.errors = errors;
  }
}

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string literal. */
  value?: string;
  line: number;
  column: number;
}

const simpleEscapes: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string, at = i): never => {
    throw new AlloyParseError([{ line, column: at - lineStart + 1, message }]);
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    const column = i - lineStart + 1;
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated block comment');
      for (let j = i; j < end; j++)
        if (text[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      i = end + 2;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), line, column });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      tokens.push({ kind: 'number', text: m![0], line, column });
      i += m![0].length;
      if (i < text.length && /[A-Za-z_]/.test(text[i])) fail(`invalid number literal "${m![0]}${text[i]}"`);
      continue;
    }
    if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const raw = text.slice(i + 1, end);
      tokens.push({ kind: 'string', text: text.slice(i, end + 1), value: raw, line, column });
      for (let j = i; j < end; j++)
        if (text[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length || text[i] === '\n') fail('unterminated string literal', start);
        const c = text[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c !== '\\') {
          value += c;
          i++;
          continue;
        }
        const e = text[i + 1];
        if (e in simpleEscapes) {
          value += simpleEscapes[e];
          i += 2;
        } else if (e === 'x' || e === 'u' || e === 'U') {
          const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + n);
          if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) fail(`invalid escape \\${e}${hex}`);
          value += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + n;
        } else if (/[0-7]/.test(e ?? '')) {
          const oct = text.slice(i + 1, i + 4);
          if (!/^[0-7]{3}$/.test(oct)) fail(`invalid octal escape \\${oct}`);
          value += String.fromCharCode(parseInt(oct, 8));
          i += 4;
        } else {
          fail(`unknown escape sequence \\${e ?? ''}`);
        }
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value, line, column });
      continue;
    }
    if ('{}[]()=,.-'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, line, column });
      i++;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(ch)}`);
  }
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return tokens;
}

/**
 * Parses the subset of Alloy syntax this library writes (blocks, attributes, literals, lists,
 * objects, references, function calls). Throws an AlloyParseError naming line and column.
 */
export function parseAlloy(text: string): AlloyStatement[] {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const fail = (message: string, t: Token = peek()): never => {
    throw new AlloyParseError([{ line: t.line, column: t.column, message }]);
  };
  const expect = (text: string): Token => {
    const t = peek();
    if (t.kind !== 'punct' || t.text !== text)
      fail(`expected "${text}", found ${t.kind === 'eof' ? 'end of file' : JSON.stringify(t.text)}`);
    p++;
    return t;
  };
  const isPunct = (text: string) => peek().kind === 'punct' && peek().text === text;
  const identifier = (what: string): string => {
    const t = peek();
    if (t.kind !== 'ident')
      fail(`expected ${what}, found ${t.kind === 'eof' ? 'end of file' : JSON.stringify(t.text)}`);
    p++;
    return t.text;
  };

  const value = (): AlloyValue => {
    const t = peek();
    if (t.kind === 'string') {
      p++;
      return t.value ?? '';
    }
    if (t.kind === 'number' || (t.kind === 'punct' && t.text === '-')) {
      const negative = t.text === '-';
      if (negative) p++;
      const n = peek();
      if (n.kind !== 'number') fail('expected a number after "-"');
      p++;
      return (negative ? -1 : 1) * Number(n.text);
    }
    if (t.kind === 'punct' && t.text === '[') {
      p++;
      const items: AlloyValue[] = [];
      while (!isPunct(']')) {
        items.push(value());
        if (!isPunct(']')) expect(',');
      }
      expect(']');
      return items;
    }
    if (t.kind === 'punct' && t.text === '{') {
      p++;
      const out: AlloyObject = {};
      while (!isPunct('}')) {
        const k = peek();
        let key: string;
        if (k.kind === 'string') {
          p++;
          key = k.value ?? '';
        } else key = identifier('an object key');
        if (key in out) fail(`duplicate object key ${JSON.stringify(key)}`, k);
        expect('=');
        out[key] = value();
        if (!isPunct('}')) expect(',');
      }
      expect('}');
      return out;
    }
    if (t.kind === 'ident') {
      p++;
      if (t.text === 'true' || t.text === 'false') return t.text === 'true';
      if (t.text === 'null') return null;
      const path = [t.text];
      while (isPunct('.')) {
        p++;
        path.push(identifier('a field name after "."'));
      }
      if (isPunct('(')) {
        p++;
        const args: AlloyValue[] = [];
        while (!isPunct(')')) {
          args.push(value());
          if (!isPunct(')')) expect(',');
        }
        expect(')');
        return call(path.join('.'), args);
      }
      return ref(path.join('.'));
    }
    return fail(`expected a value, found ${t.kind === 'eof' ? 'end of file' : JSON.stringify(t.text)}`);
  };

  const body = (closing: boolean): AlloyStatement[] => {
    const out: AlloyStatement[] = [];
    const seenAttributes = new Set<string>();
    for (;;) {
      if (closing && isPunct('}')) return out;
      if (!closing && peek().kind === 'eof') return out;
      const start = peek();
      const name = [identifier(closing ? 'an attribute or block name, or "}"' : 'an attribute or block name')];
      while (isPunct('.')) {
        p++;
        name.push(identifier('a name after "."'));
      }
      if (isPunct('=')) {
        p++;
        if (name.length > 1) fail(`attribute name "${name.join('.')}" may not contain "."`, start);
        if (seenAttributes.has(name[0])) fail(`attribute "${name[0]}" set twice`, start);
        seenAttributes.add(name[0]);
        out.push({ kind: 'attribute', name: name[0], value: value() });
        continue;
      }
      let label: string | undefined;
      if (peek().kind === 'string') {
        const l = peek();
        p++;
        label = l.value ?? '';
        if (!isIdentifier(label)) fail(`block label ${JSON.stringify(label)} is not a valid identifier`, l);
      }
      expect('{');
      const inner = body(true);
      expect('}');
      out.push(
        label === undefined
          ? { kind: 'block', name: name.join('.'), body: inner }
          : { kind: 'block', name: name.join('.'), label, body: inner },
      );
    }
  };

  return body(false);
}

/** Syntax errors of a file (empty when it parses). */
export function alloySyntaxErrors(text: string): AlloySyntaxError[] {
  try {
    parseAlloy(text);
    return [];
  } catch (err) {
    if (err instanceof AlloyParseError) return err.errors;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Navigation helpers for checks

export function blocksNamed(statements: AlloyStatement[], name: string): AlloyBlock[] {
  return statements.filter((s): s is AlloyBlock => s.kind === 'block' && s.name === name);
}

export function attribute(b: AlloyBlock, name: string): AlloyValue | undefined {
  return b.body.find((s): s is AlloyAttribute => s.kind === 'attribute' && s.name === name)?.value;
}

/** Every reference in a tree of statements, with the block (`name "label"`) it appears in. */
export function references(statements: AlloyStatement[], within = ''): { path: string; within: string }[] {
  const out: { path: string; within: string }[] = [];
  const walk = (v: AlloyValue, where: string) => {
    if (isRef(v)) out.push({ path: refPath(v), within: where });
    else if (isCall(v)) callOf(v).args.forEach((x) => walk(x, where));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, where));
    else if (isPlainObject(v)) Object.values(v).forEach((x) => walk(x, where));
  };
  for (const s of statements) {
    if (s.kind === 'attribute') walk(s.value, within);
    else out.push(...references(s.body, within || `${s.name}${s.label !== undefined ? ` "${s.label}"` : ''}`));
  }
  return out;
}

/** Every function call in a tree of statements (nested calls included), with the block it appears in. */
export function calls(statements: AlloyStatement[], within = ''): { fn: string; args: AlloyValue[]; within: string }[] {
  const out: { fn: string; args: AlloyValue[]; within: string }[] = [];
  const walk = (v: AlloyValue, where: string) => {
    if (isCall(v)) {
      out.push({ ...callOf(v), within: where });
      callOf(v).args.forEach((x) => walk(x, where));
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, where));
    else if (isPlainObject(v)) Object.values(v).forEach((x) => walk(x, where));
  };
  for (const s of statements) {
    if (s.kind === 'attribute') walk(s.value, within);
    else out.push(...calls(s.body, within || `${s.name}${s.label !== undefined ? ` "${s.label}"` : ''}`));
  }
  return out;
}
