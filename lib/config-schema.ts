import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Problem } from './problems.js';
import { didYouMean } from './suggest.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { properties?: Record<string, unknown>; type?: unknown };
  data?: unknown;
  schemaPath: string;
}
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let compiled: Validator | undefined;

/** The committed JSON Schema of environment files (`npm run schema` regenerates it). */
export const environmentSchemaUrl = new URL('../schema/environment.schema.json', import.meta.url);

const ajvOptions = { allErrors: true, verbose: true, strict: false };

/**
 * Where the validator's generated code is kept between runs: beside the type-check stamps, keyed by the
 * schema, the Ajv version and the options, so any change to one of them compiles afresh.
 */
function cacheFile(schemaText: string): string {
  const require = createRequire(import.meta.url);
  const ajvVersion = (JSON.parse(readFileSync(require.resolve('ajv/package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(schemaText).update('\0').update(ajvVersion).update('\0').update(JSON.stringify(ajvOptions)).digest('hex');
  return join(process.cwd(), 'node_modules', '.cache', 'mimir-kube', `environment-schema-${key.slice(0, 16)}.cjs`);
}

/**
 * Ajv compiles the schema to JavaScript source and evaluates it with `new Function`; compiling costs a
 * quarter of a second per process, so the source is saved and evaluated the same way on later runs.
 */
function loadCached(file: string): Validator | undefined {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const module = { exports: {} as unknown };
    new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(import.meta.url));
    return typeof module.exports === 'function' ? (module.exports as Validator) : undefined;
  } catch {
    // A truncated or foreign file is compiled afresh and overwritten.
    return undefined;
  }
}

async function compile(schemaText: string, file: string): Promise<Validator> {
  const { default: Ajv } = await import('ajv');
  const ajv = new Ajv.default({ ...ajvOptions, code: { source: true } });
  const validate = ajv.compile(JSON.parse(schemaText) as object) as Validator;
  const dir = dirname(file);
  const partial = `${file}.${process.pid}.tmp`;
  try {
    const { default: standalone } = await import('ajv/dist/standalone/index.js');
    mkdirSync(dir, { recursive: true });
    writeFileSync(partial, standalone.default(ajv, validate as never));
    renameSync(partial, file);
    // Code generated for an earlier schema is never read again.
    for (const old of readdirSync(dir)) if (/^environment-schema-[0-9a-f]{16}\.cjs$/.test(old) && join(dir, old) !== file) rmSync(join(dir, old), { force: true });
  } catch {
    // A read-only node_modules only costs the cache.
    rmSync(partial, { force: true });
  }
  return validate;
}

/** Ajv is loaded and the schema compiled once, on first use — or its cached code is loaded instead. */
async function validator(): Promise<Validator> {
  if (!compiled) {
    const schemaText = readFileSync(environmentSchemaUrl, 'utf8');
    const file = cacheFile(schemaText);
    compiled = loadCached(file) ?? (await compile(schemaText, file));
  }
  return compiled;
}

function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Validates an environment (name, config, overrides) against the schema; every problem, with suggestions. */
export async function checkEnvironmentSchema(env: unknown, source: string): Promise<Problem[]> {
  const validate = await validator();
  if (validate(env)) return [];
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    // anyOf/oneOf wrappers repeat their branches' errors.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const at = dotted(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys(e.parentSchema?.properties ?? {});
      const path = at ? `${at}.${key}` : key;
      if (seen.has(path)) continue;
      seen.add(path);
      out.push({ source, path, message: 'unknown key', expected: allowed.length ? `one of ${allowed.join(', ')}` : 'no further keys', found: key, hint: didYouMean(key, allowed) });
      continue;
    }
    const id = `${at}|${e.keyword}|${e.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (e.keyword === 'required') {
      out.push({ source, path: at || '(root)', message: `missing required key \`${String(e.params.missingProperty)}\`` });
    } else if (e.keyword === 'enum') {
      const allowed = ((e.params.allowedValues as unknown[] | undefined) ?? []).map((v) => JSON.stringify(v));
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, ((e.params.allowedValues as unknown[] | undefined) ?? []).filter((v): v is string => typeof v === 'string')) : undefined;
      out.push({ source, path: at, message: 'not one of the allowed values', expected: `one of ${allowed.join(', ')}`, found: describe(e.data), ...(suggestion ? { hint: suggestion } : {}) });
    } else if (e.keyword === 'type') {
      out.push({ source, path: at, message: 'wrong type', expected: String(e.params.type), found: describe(e.data) });
    } else {
      out.push({ source, path: at, message: e.message ?? e.keyword, found: describe(e.data) });
    }
  }
  return out;
}
