// The last step of `npm run compile`: bundles the compiled entries — the CLI (`build.js`), the public
// API (`lib/index.js`) and `mimir-kube/build` (`lib/build/index.js`) — in place, with the code they share
// in `chunks/`. tsc emits one file per module, and a fresh `node dist/build.js` spent about a third of
// its time and memory resolving, reading and compiling a hundred of them; the bundle is the same
// JavaScript in a handful of files. Entries share their chunks, so an environment importing
// `mimir-kube` and the CLI building it run one copy of the library. The other emitted modules and all
// declarations stay as tsc wrote them (deep imports and types keep working); dependencies stay
// packages of their own.
//
//   node scripts/bundle-dist.mjs [dist]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const outDir = process.argv[2] ?? 'dist';

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

/** The committed generated validators (1.2 MB of code) stay files of their own, loaded as they are. */
const generatedAsFiles = {
  name: 'generated-as-files',
  setup(b) {
    b.onLoad({ filter: /\.generated\.js$/ }, (args) => ({ contents: readFileSync(args.path), loader: 'copy' }));
  },
};

// Chunks of an earlier compile have other hashes: nothing may load them any more.
rmSync(join(outDir, 'chunks'), { recursive: true, force: true });

/**
 * A character beyond ASCII anywhere in a file makes V8 hold the whole source at two bytes a character.
 * esbuild escapes those of strings but leaves comments, regular expressions and template literals as
 * written (a `≤` in a comment doubled the memory of the 127 KB CLI bundle); a `\u` escape means the
 * same character in each of them (the library has no `String.raw`).
 */
function asciiOnly(text) {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const result = await build({
  entryPoints: ['build.js', 'lib/index.js', 'lib/build/index.js'].map((e) => join(outDir, e)),
  outdir: outDir,
  outbase: outDir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  write: false,
  plugins: [jsonAsParse, generatedAsFiles],
});
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith('.js') ? asciiOnly(file.text) : file.contents);
}
