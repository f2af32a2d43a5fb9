// The mutation score of each part from Stryker's JSON reports (reports/mutation/<part>.json), and a
// non-zero exit when a part is below 80 %.
import { existsSync, readFileSync } from 'node:fs';

/**
 * The last run's report of a part, or else its committed incremental state (the same format, holding every
 * mutant's status as of the last run that was committed), so a part not re-run here keeps its numbers.
 */
const reportOf = (part) =>
  [`reports/mutation/${part}.json`, `test/mutation/incremental/${part}.json`].find((f) => existsSync(f));

const minimum = 80;
const parts = process.argv.slice(2);
let failed = false;
console.log('part        killed  timeout  survived  no cov  ignored  compile err  score');
for (const part of parts) {
  const file = reportOf(part);
  if (file === undefined) {
    console.log(`${part.padEnd(11)} no report (reports/mutation/${part}.json)`);
    failed = true;
    continue;
  }
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  for (const f of Object.values(JSON.parse(readFileSync(file, 'utf8')).files))
    for (const m of f.mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  const score = valid ? (100 * detected) / valid : 100;
  if (score < minimum) failed = true;
  console.log(
    `${part.padEnd(11)} ${String(count.Killed).padStart(6)}  ${String(count.Timeout).padStart(7)}  ${String(count.Survived).padStart(8)}  ${String(count.NoCoverage).padStart(6)}  ${String(count.Ignored).padStart(7)}  ${String(count.CompileError).padStart(11)}  ${score.toFixed(1)} %`,
  );
}
if (failed) console.log(`a part is below ${minimum} % or has no report`);
process.exit(failed ? 1 : 0);
