// tsc does not copy the committed generated validators (plain JavaScript with their declarations) into
// a compiled tree; `npm run compile` and the compiled-entry test both call this after tsc.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
for (const file of [
  'lib/build/environment-validator.generated.js',
  'lib/build/environment-validator.generated.d.ts',
  'lib/build/validate/k8s-validators.generated.js',
  'lib/build/validate/k8s-validators.generated.d.ts',
]) {
  mkdirSync(dirname(join(outDir, file)), { recursive: true });
  copyFileSync(file, join(outDir, file));
}
