/**
 * Checks rendered Mimir configuration against facts derived from Mimir's own configuration reference:
 * the `mimir.yaml` file, the runtime overrides file and the container's command-line flags.
 *
 * The facts live in `mimir-<version>.json` beside this file, produced by
 * `scripts/generate-mimir-reference.ts`. Moving to another Mimir release means generating a new facts file
 * and changing `MIMIR_REFERENCE_VERSION`; nothing else here names a version.
 */
import committedFacts from './mimir-3.0.json' with { type: 'json' };
import { assertFacts } from './facts-shape.js';

import type { Problem } from '../../core/problems.js';
import { nearest } from '../../core/suggest.js';

export const MIMIR_REFERENCE_VERSION = '3.0';

/**
 * A leaf's type as Mimir's descriptor spells it (`duration`, `list of strings`, `map of string to int`, ...),
 * or `any` for a field Mimir accepts but leaves out of its descriptor.
 */
export type FieldType = string;

/** A block: a YAML mapping whose keys must be the listed ones. */
export interface ConfigBlock {
  [key: string]: ConfigNode;
}
/** A YAML sequence of items of one shape (Mimir's `slice` fields). */
export type ListNode = readonly ['list', ConfigNode];
/** A YAML mapping with free keys (tenant IDs, parameter names) and values of one shape. */
export type MapNode = readonly ['map', ConfigNode];
/** The node at a dotted path of `config`, so the runtime file can reuse e.g. the `limits` block. */
export type RefNode = readonly ['ref', string];
export type ConfigNode = FieldType | ConfigBlock | ListNode | MapNode | RefNode;

/** Flag names split on `.`, e.g. `blocks-storage` › `tsdb` › `retention-period` → `duration`. */
export interface FlagTree {
  [segment: string]: FieldType | FlagTree;
}

export interface MimirFacts {
  mimirVersion: string;
  /** The top-level block of `config` whose fields also apply per tenant. */
  limitsBlock: string;
  /** The root of `mimir.yaml`. */
  config: ConfigBlock;
  /** The root of the runtime configuration file (`-runtime-config.file`). */
  runtimeConfig: ConfigBlock;
  flags: FlagTree;
  /** Allowed values of string fields that take one of a fixed set, by flag name and by dotted YAML path. */
  enums?: { flags: Record<string, readonly string[]>; config: Record<string, readonly string[]> };
}

export interface MimirCheckOptions {
  /** The input the configuration came from, e.g. `environments/local/main.ts`. */
  source?: string;
  /** Tree path of the thing being checked, e.g. `mimir.config`. */
  path: string;
  /** The file name as the container sees it, e.g. `mimir.yaml`; it is named in every message. */
  file: string;
  /** The Kubernetes object carrying the file or the args, e.g. `v1 ConfigMap mimir/mimir-config`. */
  object?: string;
  /** Facts of another Mimir version (the upgrade check); the pinned version's when absent. */
  facts?: MimirFacts;
}

export type MimirFlagCheckOptions = Omit<MimirCheckOptions, 'file'> & { file?: string };

/** Where the facts file for a Mimir version lives; shared with the generator so both agree. */
export function mimirFactsUrl(version: string = MIMIR_REFERENCE_VERSION): URL {
  return new URL(`./mimir-${version}.json`, import.meta.url);
}

/**
 * The facts for `MIMIR_REFERENCE_VERSION`, imported as a module (bundled with the library, never read
 * from disk at build time); `npm run reference` regenerates the file and a test fails when it is stale.
 */
let checkedFacts: MimirFacts | undefined;

export function getMimirFacts(): MimirFacts {
  if (checkedFacts) return checkedFacts;
  const facts: unknown = committedFacts;
  assertFacts(facts, 'mimir-3.0.json');
  if (facts.mimirVersion !== MIMIR_REFERENCE_VERSION) {
    throw new Error(
      `the facts file holds facts for Mimir ${facts.mimirVersion}, expected ${MIMIR_REFERENCE_VERSION}; run \`npm run reference\` and import the new file`,
    );
  }
  return (checkedFacts = facts);
}

// ---------------------------------------------------------------------------------------------------------
// Values

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (isMapping(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return 'an empty mapping';
    const shown = keys.slice(0, 4).join(', ');
    return `a mapping (${shown}${keys.length > 4 ? ', …' : ''})`;
  }
  return typeof v;
}

// Go's time.ParseDuration, plus Prometheus' model.ParseDuration (`1d`, `2w`, `1y`): the descriptor calls both
// `duration` and Mimir uses both, so accepting either avoids rejecting a value Mimir would take.
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PROM_DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

function isDurationString(s: string): boolean {
  if (s === '0' || s === '+0' || s === '-0') return true;
  return GO_DURATION.test(s) || (s !== '' && PROM_DURATION.test(s));
}

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/**
 * A duration as Mimir parses it (either form above), in milliseconds; a bare 0 is zero. Undefined when the
 * value is not one (the reference check reports its type).
 */
export function durationMs(v: unknown): number | undefined {
  if (v === 0) return 0;
  if (typeof v !== 'string' || !isDurationString(v)) return undefined;
  const sign = v.startsWith('-') ? -1 : 1;
  const parts = v.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/g);
  let ms = 0;
  for (const p of parts) ms += Number(p[1]) * unitMs[p[2]];
  return sign * ms;
}

// strconv.ParseBool, which Go's flag package uses for boolean flags.
const GO_BOOL = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
// strconv.ParseInt(s, 0, 64) as the flag package calls it: base prefixes and `_` separators are allowed.
const GO_INT =
  /^[+-]?(?:0|[1-9](?:_?\d)*|0_?[0-7](?:_?[0-7])*|0[oO]_?[0-7](?:_?[0-7])*|0[xX]_?[0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB]_?[01](?:_?[01])*)$/;
const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

// YAML 1.2 core schema, the way yaml.v3 resolves a plain scalar; used for a placeholder's default, which
// reaches Mimir's YAML parser as plain text after `-config.expand-env` substitutes it.
function resolvePlainScalar(text: string): string | number | boolean | null {
  const s = text.trim();
  if (s === '' || s === '~' || /^(?:null|Null|NULL)$/.test(s)) return null;
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (/^0x[0-9a-fA-F]+$/.test(s) || /^0o[0-7]+$/.test(s)) return Number(s);
  // Integers and floats alike: Number() reads both the way yaml.v3 does.
  if (/^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}

// What Go's os.Expand recognises when Mimir runs with -config.expand-env: `${VAR}`, `${VAR:default}`, `$VAR`.
const PLACEHOLDER = /\$\{([^}]*)\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * For a string holding env placeholders: the text Mimir would parse if every variable were unset and fell
 * back to its default, or `undefined` when some placeholder has no default (then nothing can be checked).
 */
function withDefaults(s: string): string | undefined {
  let complete = true;
  const out = s.replace(PLACEHOLDER, (match: string, inner: string | undefined) => {
    if (inner === undefined || !inner.includes(':')) {
      complete = false;
      return match;
    }
    return inner.slice(inner.indexOf(':') + 1);
  });
  return complete ? out : undefined;
}

function hasPlaceholder(s: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  const found = PLACEHOLDER.test(s);
  PLACEHOLDER.lastIndex = 0;
  return found;
}

interface TypeIssue {
  /** Short, to finish "must be ...": `a duration`. */
  expected: string;
  example?: string;
  hint?: string;
}

const DURATION: TypeIssue = { expected: 'a duration', example: '`15m`, `1h30m`, `500ms` or `0s`' };

function expectedText(issue: TypeIssue): string {
  return issue.example === undefined ? issue.expected : `${issue.expected}, e.g. ${issue.example}`;
}

/** The types the checker knows; a facts file with any other type is a sign the checker needs teaching. */
export const CHECKED_FIELD_TYPES: ReadonlySet<string> = new Set([
  'any',
  'string',
  'url',
  'int',
  'float',
  'boolean',
  'duration',
  'list of strings',
  'list of durations',
  'relabel_config...',
  'map of string to string',
  'map of tracker name (string) to matcher (string)',
  'map of string to int',
  'map of string to float64',
]);

function checkScalarType(type: FieldType, value: unknown): TypeIssue | undefined {
  switch (type) {
    case 'string':
    case 'url':
      // yaml.v3 decodes any scalar into a Go string, so `8080` is as good as `"8080"` here.
      return isScalar(value) ? undefined : { expected: 'a string' };
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return undefined;
      if (typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())) {
        return { expected: 'an integer', hint: `write ${value.trim()} as a number, not a quoted string` };
      }
      return { expected: 'an integer' };
    case 'float':
      if (typeof value === 'number') return undefined;
      if (typeof value === 'string' && GO_FLOAT.test(value.trim())) {
        return { expected: 'a number', hint: `write ${value.trim()} as a number, not a quoted string` };
      }
      return { expected: 'a number' };
    case 'boolean':
      if (typeof value === 'boolean') return undefined;
      if (typeof value === 'string' && /^(?:true|false)$/i.test(value.trim())) {
        return { expected: 'a boolean', hint: `write ${value.trim().toLowerCase()} without quotes` };
      }
      return { expected: 'a boolean', hint: 'use `true` or `false`' };
    case 'duration':
      if (typeof value === 'string' && isDurationString(value)) return undefined;
      // A bare 0 means "disabled" throughout Mimir's docs, and is what a renderer emits for a zero duration.
      if (value === 0) return undefined;
      if (typeof value === 'number') {
        return { ...DURATION, hint: `give the unit, e.g. \`${value}s\` or \`${value}ms\`` };
      }
      return DURATION;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Walking a configuration tree

/** `a.b` for plain keys; `a["team.x"]` for tenant IDs and other keys a dot would make ambiguous. */
function pointerJoin(base: string, key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

interface WalkContext {
  opts: MimirCheckOptions;
  problems: Problem[];
  /** Whether `${VAR}` placeholders are substituted before parsing (mimir.yaml yes, runtime file no). */
  expandsEnv: boolean;
  facts: MimirFacts;
}

/** What report() needs: where the problems go and the options that place them (flags have no file). */
interface Reporter {
  opts: MimirFlagCheckOptions;
  problems: Problem[];
}

function report(
  ctx: Reporter,
  pointer: string,
  problem: Omit<Problem, 'path' | 'source' | 'object' | 'pointer'>,
): void {
  ctx.problems.push({
    ...(ctx.opts.source !== undefined ? { source: ctx.opts.source } : {}),
    path: ctx.opts.path,
    ...(ctx.opts.object !== undefined ? { object: ctx.opts.object } : {}),
    pointer: pointer === '' ? '(root)' : pointer,
    ...problem,
  });
}

function resolveRef(facts: MimirFacts, path: string): ConfigNode {
  let node: ConfigNode = facts.config;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, key)) {
      throw new Error(`Mimir facts: reference to unknown config path \`${path}\``);
    }
    node = (node as ConfigBlock)[key];
  }
  return node;
}

let fieldIndex: Map<string, string[]> | undefined;

/** Every dotted path of `config` by its last key, for "it lives at ..." hints; built on the first miss. */
function pathsByName(facts: MimirFacts): Map<string, string[]> {
  if (fieldIndex !== undefined) return fieldIndex;
  const index = new Map<string, string[]>();
  const visit = (node: ConfigNode, path: string): void => {
    if (typeof node !== 'object' || Array.isArray(node)) return;
    for (const [key, child] of Object.entries(node as ConfigBlock)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      const list = index.get(key);
      if (list === undefined) index.set(key, [childPath]);
      else list.push(childPath);
      visit(child, childPath);
    }
  };
  visit(facts.config, '');
  fieldIndex = index;
  return index;
}

function unknownKeyHint(ctx: WalkContext, key: string, siblings: string[], inLimits: boolean): string | undefined {
  const near = nearest(key, siblings);
  if (near !== undefined) return `did you mean \`${near}\`?`;
  const elsewhere = pathsByName(ctx.facts).get(key);
  if (elsewhere !== undefined && elsewhere.length <= 3) {
    const where = elsewhere.map((p) => `\`${p}\``).join(', ');
    return inLimits
      ? `\`${key}\` is not a per-tenant limit; it is set at ${where} in mimir.yaml`
      : `\`${key}\` belongs at ${where}`;
  }
  return undefined;
}

function checkNode(ctx: WalkContext, node: ConfigNode, value: unknown, pointer: string, inLimits: boolean): void {
  // yaml.v3 leaves the default in place for an explicit null, for blocks and fields alike.
  if (value === null || value === undefined) return;

  if (typeof value === 'string' && ctx.expandsEnv && hasPlaceholder(value)) {
    // The real value only exists once the environment is known; the default, when every placeholder has
    // one, is what Mimir would parse with the variables unset, so check that much.
    if (typeof node !== 'string' || node === 'string' || node === 'url' || node === 'any') return;
    const fallback = withDefaults(value);
    if (fallback === undefined) return;
    const resolved = resolvePlainScalar(fallback);
    const issue = resolved === null ? undefined : checkScalarType(node, resolved);
    if (issue !== undefined) {
      report(ctx, pointer, {
        message: `the default in placeholder ${JSON.stringify(value)} in ${ctx.opts.file} is not ${issue.expected}`,
        expected: expectedText(issue),
        found: describe(resolved),
        hint: issue.hint ?? 'fix the part after `:` in `${VAR:default}`',
      });
    }
    return;
  }

  if (typeof node === 'string') {
    checkLeaf(ctx, node, value, pointer);
    return;
  }
  if (Array.isArray(node)) {
    const [kind, inner] = node as ListNode | MapNode | RefNode;
    if (kind === 'ref') {
      checkNode(ctx, resolveRef(ctx.facts, inner as string), value, pointer, inner === ctx.facts.limitsBlock);
      return;
    }
    if (kind === 'list') {
      if (!Array.isArray(value)) {
        report(ctx, pointer, {
          message: `\`${lastKey(pointer)}\` in ${ctx.opts.file} takes a list`,
          expected: 'a YAML sequence',
          found: describe(value),
        });
        return;
      }
      value.forEach((item, i) => checkNode(ctx, inner as ConfigNode, item, `${pointer}[${i}]`, inLimits));
      return;
    }
    if (!isMapping(value)) {
      report(ctx, pointer, {
        message: `\`${lastKey(pointer)}\` in ${ctx.opts.file} takes a mapping`,
        expected: 'a YAML mapping',
        found: describe(value),
      });
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      checkNode(ctx, inner as ConfigNode, item, pointerJoin(pointer, key), inLimits);
    }
    return;
  }

  const block = node as ConfigBlock;
  if (!isMapping(value)) {
    report(ctx, pointer, {
      message:
        pointer === ''
          ? `${ctx.opts.file} must be a mapping at its top level`
          : `\`${lastKey(pointer)}\` in ${ctx.opts.file} is a block and takes a mapping of its fields`,
      expected: 'a YAML mapping',
      found: describe(value),
    });
    return;
  }
  let siblings: string[] | undefined;
  for (const [key, item] of Object.entries(value)) {
    const child = ownNode(block, key);
    const childPointer = pointerJoin(pointer, key);
    if (child === undefined) {
      siblings ??= Object.keys(block);
      const hint = unknownKeyHint(ctx, key, siblings, inLimits);
      report(ctx, childPointer, {
        message: `unknown field \`${key}\` in ${ctx.opts.file} (Mimir ${ctx.facts.mimirVersion})`,
        ...(hint !== undefined ? { hint } : {}),
      });
      continue;
    }
    checkNode(ctx, child, item, childPointer, inLimits);
  }
}

function lastKey(pointer: string): string {
  const m = /(?:^|\.)([^.[\]]+)$|\[("(?:[^"\\]|\\.)*"|\d+)\]$/.exec(pointer);
  if (m === null) return pointer;
  return m[1] ?? (m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : pointer);
}

function checkLeaf(ctx: WalkContext, type: FieldType, value: unknown, pointer: string): void {
  const field = lastKey(pointer);
  const fail = (issue: TypeIssue, found: unknown = value, at: string = pointer): void => {
    const literalPlaceholder = !ctx.expandsEnv && typeof found === 'string' && hasPlaceholder(found);
    const hint = literalPlaceholder
      ? `Mimir does not expand \`\${VAR}\` in ${ctx.opts.file}; write the value itself`
      : issue.hint;
    report(ctx, at, {
      message: `\`${field}\` in ${ctx.opts.file} must be ${issue.expected}`,
      expected: expectedText(issue),
      found: describe(found),
      ...(hint !== undefined ? { hint } : {}),
    });
  };
  const eachItem = (expected: string, check: (item: unknown) => TypeIssue | undefined): void => {
    if (!Array.isArray(value)) {
      fail({ expected, hint: isScalar(value) ? 'write a YAML sequence, e.g. `[a, b]`, not one scalar' : undefined });
      return;
    }
    value.forEach((item, i) => {
      if (item === null) return;
      const issue = ctx.expandsEnv && typeof item === 'string' && hasPlaceholder(item) ? undefined : check(item);
      if (issue !== undefined) fail(issue, item, `${pointer}[${i}]`);
    });
  };
  const eachValue = (expected: string, check: (item: unknown) => TypeIssue | undefined): void => {
    if (!isMapping(value)) {
      fail({ expected });
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === null) continue;
      const issue = ctx.expandsEnv && typeof item === 'string' && hasPlaceholder(item) ? undefined : check(item);
      if (issue !== undefined) fail(issue, item, pointerJoin(pointer, key));
    }
  };

  switch (type) {
    case 'any':
      return;
    case 'list of strings':
      eachItem('a list of strings', (item) => (isScalar(item) ? undefined : { expected: 'a string' }));
      return;
    case 'list of durations':
      eachItem('a list of durations', (item) => checkScalarType('duration', item));
      return;
    case 'relabel_config...':
      eachItem('a list of relabel configs', (item) =>
        isMapping(item) ? undefined : { expected: 'a relabel config mapping (source_labels, regex, action, ...)' },
      );
      return;
    case 'map of string to string':
    case 'map of tracker name (string) to matcher (string)':
      eachValue('a mapping of strings', (item) => (isScalar(item) ? undefined : { expected: 'a string' }));
      return;
    case 'map of string to int':
      eachValue('a mapping of integers', (item) => checkScalarType('int', item));
      return;
    case 'map of string to float64':
      eachValue('a mapping of numbers', (item) => checkScalarType('float', item));
      return;
    default: {
      // A placeholder in mimir.yaml never gets here (checkNode checks its default); in the runtime file it is
      // literal text, checked like any other value. A type checkScalarType does not know passes.
      const issue = checkScalarType(type, value) ?? enumIssue(ctx.facts.enums?.config[pointer], value);
      if (issue !== undefined) fail(issue);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Public checks

/** Checks a rendered `mimir.yaml` (as a parsed object): every key must exist and every value fit its type. */
export function checkMimirConfig(config: unknown, opts: MimirCheckOptions): Problem[] {
  const facts = opts.facts ?? getMimirFacts();
  const ctx: WalkContext = { opts, problems: [], expandsEnv: true, facts };
  checkNode(ctx, facts.config, config, '', false);
  return ctx.problems;
}

/**
 * Checks the runtime configuration file: its top-level keys, and each `overrides.<tenant>` entry against the
 * `limits` block. Mimir reads this file without env expansion, so placeholders are taken literally.
 */
export function checkRuntimeConfig(runtime: unknown, opts: MimirCheckOptions): Problem[] {
  const facts = opts.facts ?? getMimirFacts();
  const ctx: WalkContext = { opts, problems: [], expandsEnv: false, facts };
  if (!isMapping(runtime)) {
    checkNode(ctx, facts.runtimeConfig, runtime, '', false);
    return ctx.problems;
  }
  const limits = resolveRef(facts, facts.limitsBlock) as ConfigBlock;
  const topKeys = Object.keys(facts.runtimeConfig);
  for (const [key, value] of Object.entries(runtime)) {
    const node = ownNode(facts.runtimeConfig, key);
    if (node === undefined) {
      // The commonest slip: a limit written at the top level, as it would be in mimir.yaml's `limits`.
      const hint = Object.prototype.hasOwnProperty.call(limits, key)
        ? `per-tenant limits go under a tenant: \`overrides.<tenant>.${key}\``
        : unknownKeyHint(ctx, key, topKeys, false);
      report(ctx, pointerJoin('', key), {
        message: `unknown field \`${key}\` in ${opts.file} (Mimir ${facts.mimirVersion})`,
        ...(hint !== undefined ? { hint } : {}),
      });
      continue;
    }
    const tenantLimits = perTenantNode(node);
    if (tenantLimits === undefined || !isMapping(value)) {
      checkNode(ctx, node, value, pointerJoin('', key), false);
      continue;
    }
    for (const [tenant, entry] of Object.entries(value)) {
      const at = pointerJoin(key, tenant);
      if (entry !== null && !isMapping(entry) && Object.prototype.hasOwnProperty.call(limits, tenant)) {
        report(ctx, at, {
          message: `\`${key}\` in ${opts.file} maps tenant IDs to limits, but \`${tenant}\` is a limit`,
          expected: `${key}: {<tenant>: {${tenant}: ...}}`,
          found: `${tenant}: ${describe(entry)}`,
          hint: `nest it under a tenant ID: \`${key}.<tenant>.${tenant}\``,
        });
        continue;
      }
      checkNode(ctx, tenantLimits, entry, at, true);
    }
  }
  return ctx.problems;
}

function ownNode(block: ConfigBlock, key: string): ConfigNode | undefined {
  return Object.prototype.hasOwnProperty.call(block, key) ? block[key] : undefined;
}

/**
 * For a mapping of the runtime file (`overrides`, `['map', ['ref', <limits>]]`, is the only one), the node of
 * each entry: its keys are tenant IDs; otherwise undefined.
 */
function perTenantNode(node: ConfigNode): ConfigNode | undefined {
  return Array.isArray(node) && node[0] === 'map' ? (node[1] as ConfigNode) : undefined;
}

let flagIndex: Map<string, FieldType> | undefined;

/** Every flag name (without dashes) and its type, flattened from the facts (the pinned version's on first use). */
export function mimirFlags(facts?: MimirFacts): ReadonlyMap<string, FieldType> {
  if (facts === undefined && flagIndex !== undefined) return flagIndex;
  const index = new Map<string, FieldType>();
  const visit = (tree: FlagTree, prefix: string): void => {
    for (const [segment, child] of Object.entries(tree)) {
      const name = prefix === '' ? segment : `${prefix}.${segment}`;
      if (typeof child === 'string') index.set(name, child);
      else visit(child, name);
    }
  };
  visit((facts ?? getMimirFacts()).flags, '');
  if (facts === undefined) flagIndex = index;
  return index;
}

function checkFlagValue(type: FieldType, value: string): TypeIssue | undefined {
  switch (type) {
    case 'boolean':
      return GO_BOOL.has(value) ? undefined : { expected: 'a boolean (`true` or `false`)' };
    case 'int':
      return GO_INT.test(value) ? undefined : { expected: 'an integer' };
    case 'float':
      return GO_FLOAT.test(value) ? undefined : { expected: 'a number' };
    case 'duration':
      return isDurationString(value) ? undefined : DURATION;
    case 'list of durations':
      return value.split(',').every((d) => isDurationString(d.trim()))
        ? undefined
        : { expected: 'comma-separated durations', example: '`2h,12h,24h`' };
    default:
      return undefined;
  }
}

/** A value outside a field's fixed set of values (e.g. `-log.level`), with the set and the nearest one. */
function enumIssue(allowed: readonly string[] | undefined, raw: unknown): TypeIssue | undefined {
  // Mimir decodes a YAML number or boolean into a string field as its text (`log_level: 5` is "5").
  const value = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
  if (allowed === undefined || typeof value !== 'string' || allowed.includes(value)) return undefined;
  const shown = allowed.map((v) => (v === '' ? '"" (unset)' : `\`${v}\``)).join(', ');
  const near = nearest(
    value,
    allowed.filter((v) => v !== ''),
  );
  return { expected: `one of ${shown}`, ...(near !== undefined ? { hint: `did you mean \`${near}\`?` } : {}) };
}

/**
 * The flag names `nearest` could accept for `word`: a candidate whose length differs by more than its
 * distance limit can never be chosen, and skipping it keeps an unknown flag from costing ~1,700 distances.
 */
function plausibleFlagNames(word: string, flags: ReadonlyMap<string, FieldType>): string[] {
  const out: string[] = [];
  for (const name of flags.keys()) {
    const limit = Math.max(2, Math.floor(Math.max(word.length, name.length) / 3));
    if (Math.abs(name.length - word.length) <= limit) out.push(name);
  }
  return out;
}

/**
 * Checks Mimir's command-line arguments the way Go's `flag` package parses them: `-name`, `--name`,
 * `-name=value`, and `-name value` for non-boolean flags. Parsing stops at the first argument that is not a
 * flag, and Mimir silently ignores everything after it, so such an argument is reported too.
 */
export function checkMimirFlags(args: readonly string[], opts: MimirFlagCheckOptions): Problem[] {
  const flags = mimirFlags(opts.facts);
  const facts = opts.facts ?? getMimirFacts();
  const ctx: Reporter = { opts, problems: [] };
  const where = opts.file !== undefined ? ` in ${opts.file}` : '';

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const at = `args[${i}]`;
    if (arg === '--') {
      if (i + 1 < args.length) {
        report(ctx, `args[${i + 1}]`, {
          message: `Mimir ignores every argument after \`--\`${where}`,
          found: args.slice(i + 1).join(' '),
          hint: 'remove `--` or pass these as flags before it',
        });
      }
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      const previous: string | undefined = args[i - 1];
      // Only a boolean flag leaves its value behind like this: any other flag would have consumed it.
      const strandedValue = previous !== undefined && previous.startsWith('-') && !previous.includes('=');
      report(ctx, at, {
        message: `\`${arg}\` is not a flag${where}: Mimir stops reading flags here and ignores the rest`,
        hint: strandedValue
          ? `boolean flags take their value only after \`=\`: write \`${previous}=${arg}\``
          : 'remove it, or write it as `-name=value`',
      });
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) {
      report(ctx, at, { message: `bad flag syntax \`${arg}\`${where}`, hint: 'write flags as `-name=value`' });
      continue;
    }
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);
    const type = flags.get(name);

    if (type === undefined) {
      const near = nearest(name, plausibleFlagNames(name, flags));
      report(ctx, at, {
        message: `unknown flag \`-${name}\`${where} (Mimir ${facts.mimirVersion})`,
        ...(near !== undefined ? { hint: `did you mean \`-${near}\`?` } : {}),
      });
      // Its value, if it has one, is not a further mistake worth a second problem.
      if (value === undefined && i + 1 < args.length && !args[i + 1].startsWith('-')) i++;
      continue;
    }
    if (value === undefined) {
      if (type === 'boolean') continue;
      if (i + 1 >= args.length) {
        report(ctx, at, { message: `flag \`-${name}\`${where} needs a value`, hint: `write \`-${name}=<value>\`` });
        continue;
      }
      value = args[++i];
      if (value.startsWith('-') && flags.has(value.replace(/^--?/, '').split('=')[0])) {
        report(ctx, at, {
          message: `flag \`-${name}\`${where} has no value, so it takes the next argument \`${value}\` as one`,
          hint: `write \`-${name}=<value>\``,
        });
        continue;
      }
    }
    // Kubernetes substitutes `$(VAR)` in container args; -config.expand-env does not touch args.
    if (/\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(value)) continue;
    const issue = checkFlagValue(type, value) ?? enumIssue(facts.enums?.flags[name], value);
    if (issue !== undefined) {
      report(ctx, at, {
        message: `flag \`-${name}\`${where} takes ${issue.expected}`,
        expected: expectedText(issue),
        found: JSON.stringify(value),
        ...(/\$\{[^}]*\}/.test(value)
          ? { hint: 'container args are not env-expanded by Mimir; use Kubernetes `$(VAR)` syntax' }
          : issue.hint !== undefined
            ? { hint: issue.hint }
            : {}),
      });
    }
  }
  return ctx.problems;
}
