// The last step of `npm run compile`: the library, as tsc compiled it, becomes one classic script —
// `chunks/library-<hash>.js`, run through V8's code cache by lib/build/compiled-script.ts — and the two
// entries every build loads, `lib/index.js` (`mimir-kube`) and `lib/build/index.js` (`mimir-kube/build`),
// become small modules re-exporting its parts. A fresh `node dist/build.js` spent about a third of its
// time resolving, reading and compiling a hundred of tsc's modules, and, bundled as ES modules, still a
// fifth compiling 2.5 MB of JavaScript that Node 20 cannot cache; as one script its bytecode is read back
// from the cache the warm-up run leaves (scripts/warm-code-cache.mjs). An environment importing
// `mimir-kube` and the CLI building it share the one run of the script. The other emitted modules and
// all declarations stay as tsc wrote them (deep imports and types keep working); dependencies stay
// packages of their own.
//
//   node scripts/bundle-dist.mjs [dist]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const outDir = process.argv[2] ?? 'dist';
/** The entries a build loads, and the property of the script's exports each one re-exports. */
const entries = { api: 'lib/index.js', build: 'lib/build/index.js' };

/**
 * JSON modules become `JSON.parse` of their text: V8 reads a string literal and parses JSON much
 * faster than it compiles the same data written as an object literal (the facts file is 130 KB).
 */
const jsonAsParse = {
  name: 'json-as-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (args) => ({
      contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8'))))});`,
      loader: 'js',
    }));
  },
};

/**
 * A character beyond ASCII anywhere in a file makes V8 hold the whole source at two bytes a character.
 * esbuild escapes those of strings but leaves comments, regular expressions and template literals as
 * written (a `≤` in a comment doubled the memory of the 127 KB CLI bundle); a `\u` escape means the
 * same character in each of them (the library has no `String.raw`).
 */
function asciiOnly(text) {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `import()` of a package or of a computed URL (an environment file) calls the script's
 * `__dynamicImport` (see lib/build/compiled-script.ts); `import('./…')` of the library's own modules stays
 * for esbuild to bundle.
 */
const externalImportCall = /(?<![\w$.])import\((?!\s*['"]\.)/g;
const dynamicImportAsCall = {
  name: 'dynamic-import-as-call',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(externalImportCall, '__dynamicImport('),
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  write: false,
  plugins: [jsonAsParse],
};

// The names each entry exports (values only: types are gone from tsc's output).
const shape = await build({
  ...common,
  entryPoints: Object.values(entries).map((e) => join(outDir, e)),
  outdir: join(outDir, '.bundle-shape'),
  outbase: outDir,
  format: 'esm',
  splitting: true,
  metafile: true,
});
const exportsOf = {};
for (const [part, entry] of Object.entries(entries)) {
  const out = Object.values(shape.metafile.outputs).find(
    (o) => o.entryPoint && resolve(o.entryPoint) === resolve(outDir, entry),
  );
  if (!out) throw new Error(`bundle-dist: esbuild reported no output for ${entry}`);
  exportsOf[part] = [...out.exports].sort();
}

// The script: CommonJS inside a function taking `module`, `require`, what `import.meta.url` was and the
// `import()` of packages and environment files (lib/build/compiled-script.ts passes them).
const script = await build({
  ...common,
  stdin: {
    contents: Object.entries(entries)
      .map(([part, entry]) => `export * as ${part} from './${entry}';`)
      .join('\n'),
    resolveDir: outDir,
    sourcefile: 'library.js',
  },
  format: 'cjs',
  define: { 'import.meta.url': '__importMetaUrl' },
  plugins: [jsonAsParse, dynamicImportAsCall],
});
const left = script.outputFiles[0].text.match(externalImportCall);
if (left) throw new Error(`bundle-dist: the script still holds ${left.length} import() call(s) esbuild kept`);
const body = asciiOnly(
  `(function (module, require, __importMetaUrl, __dynamicImport) {\n${script.outputFiles[0].text}\n})\n`,
);
const name = `library-${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;

const chunks = join(outDir, 'chunks');
// The module every entry imports: it runs the script with its code cache.
const libraryScript = join(chunks, 'library.js');
rmSync(chunks, { recursive: true, force: true });
mkdirSync(chunks, { recursive: true });
const generated = '// Generated by `npm run compile` (scripts/bundle-dist.mjs).';
writeFileSync(join(chunks, `${name}.js`), body);
writeFileSync(
  libraryScript,
  `${generated}
import { runCompiledScript } from '../lib/build/compiled-script.js';

export default runCompiledScript(new URL('./${name}.js', import.meta.url), new URL('./${name}.v8cache', import.meta.url));
`,
);
for (const [part, entry] of Object.entries(entries)) {
  const libraryFromEntry = relative(dirname(join(outDir, entry)), libraryScript);
  writeFileSync(
    join(outDir, entry),
    `${generated}
import library from '${libraryFromEntry}';

export const { ${exportsOf[part].join(', ')} } = library.${part};
`,
  );
}
