// Lists the surviving (and uncovered) mutants of Stryker's JSON reports as Markdown rows, for
// test/mutation/REPORT.md: `node test/mutation/survivors.mjs kustomize pipeline ...`.
// Notes on why a mutant survives live in test/mutation/notes.json, keyed by `file:line:mutator:replacement`, and
// are kept across runs.
import { existsSync, readFileSync } from 'node:fs';

const notes = existsSync('test/mutation/notes.json')
  ? JSON.parse(readFileSync('test/mutation/notes.json', 'utf8'))
  : {};
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 90);
for (const part of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(`reports/mutation/${part}.json`, 'utf8'));
  const rows = [];
  for (const [file, f] of Object.entries(report.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) {
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      const { line } = m.location.start;
      const key = `${file}:${line}:${m.mutatorName}:${m.replacement ?? ''}`;
      const original = lines[line - 1].trim();
      rows.push({
        key,
        text: `| \`${file}:${line}\` | ${m.mutatorName} | \`${cell(m.replacement ?? '')}\` | \`${cell(original)}\` | ${m.status === 'NoCoverage' ? 'no test runs it; ' : ''}${notes[key] ?? 'not yet killed'} |`,
      });
    }
  }
  console.log(`\n### ${part}: ${rows.length} surviving\n`);
  if (rows.length === 0) continue;
  console.log('| where | mutator | replacement | original line | why it survives |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r.text);
}
