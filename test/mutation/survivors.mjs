// Lists the surviving (and uncovered) mutants of Stryker's JSON reports as Markdown rows, for
// test/mutation/REPORT.md: `node test/mutation/survivors.mjs kustomize pipeline ...`.
// Notes on why a mutant survives live in test/mutation/notes.json, keyed by `file:line:mutator:replacement`
// or, to survive edits that move the line, by `file:mutator:replacement:<the original line, trimmed>`.
import { existsSync, readFileSync } from 'node:fs';

/**
 * The last run's report of a part, or else its committed incremental state (the same format, holding every
 * mutant's status as of the last run that was committed), so a part not re-run here keeps its numbers.
 */
const reportOf = (part) =>
  [`reports/mutation/${part}.json`, `test/mutation/incremental/${part}.json`].find((f) => existsSync(f));

const notes = existsSync('test/mutation/notes.json')
  ? JSON.parse(readFileSync('test/mutation/notes.json', 'utf8'))
  : {};
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 90);
for (const part of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(reportOf(part), 'utf8'));
  const rows = [];
  for (const [file, f] of Object.entries(report.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) {
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      const { line } = m.location.start;
      const key = `${file}:${line}:${m.mutatorName}:${m.replacement ?? ''}`;
      const original = lines[line - 1].trim();
      const note = notes[key] ?? notes[`${file}:${m.mutatorName}:${m.replacement ?? ''}:${original}`];
      rows.push({
        key,
        text: `| \`${file}:${line}\` | ${m.mutatorName} | \`${cell(m.replacement ?? '')}\` | \`${cell(original)}\` | ${m.status === 'NoCoverage' ? 'no test runs it; ' : ''}${note ?? 'not yet killed'} |`,
      });
    }
  }
  console.log(`\n### ${part}: ${rows.length} surviving\n`);
  if (rows.length === 0) continue;
  console.log('| where | mutator | replacement | original line | why it survives |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r.text);
}
