import { readFileSync } from 'node:fs';
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

/** Ajv is loaded and the schema compiled once, on first use. */
async function validator(): Promise<Validator> {
  if (!compiled) {
    const { default: Ajv } = await import('ajv');
    const schema = JSON.parse(readFileSync(environmentSchemaUrl, 'utf8')) as object;
    const ajv = new Ajv.default({ allErrors: true, verbose: true, strict: false });
    compiled = ajv.compile(schema) as Validator;
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
    } else if (e.keyword === 'type') {
      out.push({ source, path: at, message: 'wrong type', expected: String(e.params.type), found: describe(e.data) });
    } else {
      out.push({ source, path: at, message: e.message ?? e.keyword, found: describe(e.data) });
    }
  }
  return out;
}
