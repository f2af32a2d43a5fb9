// tsc does not copy the committed generated validator (plain JavaScript with its declarations) into a
// compiled tree; `npm run compile` and the compiled-entry test both call this after tsc.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
mkdirSync(join(outDir, 'lib/build'), { recursive: true });
for (const file of ['environment-validator.generated.js', 'environment-validator.generated.d.ts']) {
  copyFileSync(join('lib/build', file), join(outDir, 'lib/build', file));
}
