import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Environment } from './environment.js';
import type { Problem } from '../core/problems.js';
import { didYouMean } from '../core/suggest.js';

export interface LoadedEnvironment {
  environment: Environment;
  /** File the environment came from, relative to the working directory. */
  source: string;
}

const entryFiles = ['main.ts', 'main.js', 'environment.yaml', 'environment.yml', 'environment.json'];

export function entryOf(path: string): string | undefined {
  if (existsSync(path) && statSync(path).isFile()) return path;
  return entryFiles.map((f) => join(path, f)).find((f) => existsSync(f));
}

function available(path: string): string[] {
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((d) => entryOf(join(parent, d)) !== undefined)
    .map((d) => relative(process.cwd(), join(parent, d)) || d)
    .sort();
}

/** Content digest of the environment's folder, the library's own sources and tsconfig: the cache key of a passed check. */
function sourceDigest(paths: string[]): string {
  const digest = createHash('sha256');
  const visit = (p: string): void => {
    if (!existsSync(p) || basename(p) === 'node_modules') return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) visit(join(p, name));
    } else if (/\.(ts|js|json)$/.test(p)) {
      digest.update(p).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  paths.forEach(visit);
  return digest.digest('hex');
}

/** Environment modules are checked by the TypeScript compiler; the result is cached by content. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, name))) return join(d, name);
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Type-checks TypeScript environments in one compiler program (the compiler's start-up and the
 * library's types are paid once, however many environments a build has).
 */
export async function typeCheckEnvironments(entries: string[]): Promise<Problem[]> {
  if (entries.length === 0) return [];
  const roots = [...new Set(entries.map((e) => resolve(e)))].sort();
  const entry = roots[0];
  const configPath = findUp(dirname(entry), 'tsconfig.json');
  const key = sourceDigest([
    ...roots.map((r) => dirname(r)),
    fileURLToPath(new URL('.', import.meta.url)),
    ...(configPath ? [configPath] : []),
  ]);
  const cacheDir = join(process.cwd(), 'node_modules', '.cache', 'mimir-kube');
  const stamp = join(cacheDir, `typecheck-${createHash('sha256').update(roots.join('\0')).digest('hex').slice(0, 16)}`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return [];
  // The compiler is loaded only when the check has to run: it is the most expensive step of a build.
  const ts = (await import('typescript')).default;
  const options: import('typescript').CompilerOptions = configPath
    ? ts.parseJsonConfigFileContent(
        ts.readConfigFile(configPath, ts.sys.readFile).config,
        ts.sys,
        dirname(configPath),
        undefined,
        configPath,
      ).options
    : {
        strict: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        skipLibCheck: true,
      };
  options.noEmit = true;
  const program = ts.createProgram(roots, options, ts.createCompilerHost(options));
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const problems = diagnostics.map((d): Problem => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return {
        source: relative(process.cwd(), d.file.fileName),
        path: `line ${line + 1}, column ${character + 1}`,
        message: `TypeScript error TS${d.code}: ${message}`,
      };
    }
    return {
      source: relative(process.cwd(), entry),
      path: '(program)',
      message: `TypeScript error TS${d.code}: ${message}`,
    };
  });
  if (problems.length === 0) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(stamp, key);
    } catch {
      // A read-only node_modules only costs the cache.
    }
  }
  return problems;
}

/**
 * The compiled CLI (`mimir-kube` bin, plain node) loads TypeScript environments through tsx's loader,
 * registered only when such a file is imported; under `tsx build.ts` a loader is already active.
 */
async function ensureTypeScriptLoader(): Promise<void> {
  if (import.meta.url.endsWith('.ts') || loaderRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  loaderRegistered = true;
}
let loaderRegistered = false;

export interface LoadOptions {
  /** Type-check TypeScript environments before loading them (default true). */
  typeCheck?: boolean;
}

/** Loads `environments/<name>` (its `main.ts` default export, or `environment.yaml`/`.json`). */
export async function loadEnvironment(
  path: string,
  opts: LoadOptions = {},
): Promise<{ loaded?: LoadedEnvironment; problems: Problem[] }> {
  const entry = entryOf(path);
  if (!entry) {
    const known = available(path);
    return {
      problems: [
        {
          source: path,
          path: '(environment)',
          message: `environment not found: no ${entryFiles.join(', ')} in ${path}`,
          expected: 'a folder with main.ts (default export of defineEnvironment) or environment.yaml',
          found: existsSync(path) ? 'a folder without an environment file' : 'no such file or folder',
          hint:
            [didYouMean(path, known), known.length ? `environments here: ${known.join(', ')}` : undefined]
              .filter(Boolean)
              .join(' ') || undefined,
        },
      ],
    };
  }
  const source = relative(process.cwd(), entry);
  if (/\.(ya?ml|json)$/.test(entry)) {
    // Loaded here, not at the top: building a TypeScript environment needs no YAML parser.
    const [{ parse: parseYaml }, { markerTags }] = await Promise.all([import('yaml'), import('./yaml-markers.js')]);
    try {
      const environment: unknown = parseYaml(readFileSync(entry, 'utf8'), { customTags: markerTags });
      const expected = 'a mapping with `name` and optionally `config` and `overrides`, e.g. `name: staging`';
      if (environment === null || environment === undefined) {
        return {
          problems: [
            {
              source,
              path: '(file)',
              message: `${basename(entry)} is empty`,
              expected,
              hint: "write at least the environment's name, or delete the file",
            },
          ],
        };
      }
      if (typeof environment !== 'object' || Array.isArray(environment)) {
        return {
          problems: [
            {
              source,
              path: '(file)',
              message: `${basename(entry)} holds ${Array.isArray(environment) ? 'a list' : `a ${typeof environment}`}, not an environment`,
              expected,
            },
          ],
        };
      }
      return { loaded: { environment: environment as Environment, source }, problems: [] };
    } catch (err) {
      return {
        problems: [{ source, path: '(file)', message: `cannot parse ${basename(entry)}: ${(err as Error).message}` }],
      };
    }
  }
  if (entry.endsWith('.ts') && opts.typeCheck !== false) {
    const problems = await typeCheckEnvironments([entry]);
    if (problems.length) return { problems };
  }
  try {
    if (entry.endsWith('.ts')) await ensureTypeScriptLoader();
    const mod = (await import(pathToFileURL(resolve(entry)).href)) as { default?: Environment };
    if (!mod.default || typeof mod.default !== 'object') {
      return {
        problems: [
          {
            source,
            path: '(module)',
            message: 'the module has no default export',
            expected: 'export default defineEnvironment({ name, config, overrides })',
            found: `exports: ${Object.keys(mod).join(', ') || 'none'}`,
          },
        ],
      };
    }
    return { loaded: { environment: mod.default, source }, problems: [] };
  } catch (err) {
    return {
      problems: [
        { source, path: '(module)', message: `cannot load the environment: ${(err as Error).message.split('\n')[0]}` },
      ],
    };
  }
}
