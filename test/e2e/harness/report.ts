import type { Change } from './plan.js';

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface ReportInput {
  /** First lines: the exact Mimir version run, and the version gap when it is not the pinned one. */
  header: string[];
  date: string;
  runFolder: string;
  kept: boolean;
  input: string;
  peers: string[];
  timings: { label: string; value: string }[];
  samples: { label: string; value: string }[];
  steps: StepResult[];
  pods: { pod: string; ip: string; ready: string; restarts: number; exits: string[] }[];
  notRun: string[];
  endpoints: string[];
  changes: Change[];
  renderDiff: string[];
  notes: string[];
  failures: { id: string; reason: string; log: string; tail: string }[];
  cleanup: string[];
}

/**
 * Identical changes in several pods are listed once. Paths are shown relative to the run folder
 * (`$RUN`) and the pod's folder (`$POD` = `$RUN/pods/<pod>`); `<pod>` and `<container>` stand for the names in the pods column.
 */
export function groupChanges(
  changes: Change[],
  root: string,
): { what: string; where: string; from: string; to: string; pods: string[] }[] {
  const groups = new Map<string, { what: string; where: string; from: string; to: string; pods: string[] }>();
  for (const c of changes) {
    const rel = (s: string): string => s.split(`${root}/pods/${c.pod}`).join('$POD').split(root).join('$RUN');
    // Per-pod names in the harness's paths (PVC folders, per-container copies) do not make changes different.
    const generic = (s: string): string =>
      rel(s)
        .split(c.pod)
        .join('<pod>')
        .split(`.${c.container}/`)
        .join('.<container>/')
        .split(`.${c.container})`)
        .join('.<container>)');
    const g = { what: c.what, where: rel(c.where), from: rel(c.from), to: generic(c.to) };
    const key = JSON.stringify(g);
    const who = c.container && !c.pod.includes(' ') ? `${c.pod}/${c.container}` : c.pod;
    const existing = groups.get(key);
    if (existing) existing.pods.push(who);
    else groups.set(key, { ...g, pods: [who] });
  }
  return [...groups.values()];
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderReport(r: ReportInput): string {
  const out: string[] = [];
  out.push('# Mimir stack end-to-end report', '');
  if (r.header.length) out.push(...r.header.map((h) => `**${h}**`), '');
  out.push(
    `- date: ${r.date}`,
    `- input: \`${r.input}\``,
    `- run folder: \`${r.runFolder}\`${r.kept ? ' (kept)' : ' (removed after a passing run; E2E_KEEP=1 keeps it)'}`,
  );
  for (const p of r.peers) out.push(`- ${p}`);
  out.push('', '## Timings', '', '| what | value |', '| --- | --- |');
  for (const t of r.timings) out.push(`| ${cell(t.label)} | ${cell(t.value)} |`);
  out.push('', '## Samples', '', '| what | value |', '| --- | --- |');
  for (const s of r.samples) out.push(`| ${cell(s.label)} | ${cell(s.value)} |`);
  out.push('', '## Steps', '', '| step | result | time | detail |', '| --- | --- | --- | --- |');
  for (const s of r.steps)
    out.push(
      `| ${cell(s.name)} | ${s.ok ? 'passed' : '**FAILED**'} | ${(s.ms / 1000).toFixed(1)}s | ${cell(s.detail)} |`,
    );
  out.push('', '## Pods', '', '| pod | address | ready after start | restarts |', '| --- | --- | --- | --- |');
  for (const p of r.pods)
    out.push(
      `| ${p.pod} | ${p.ip} | ${p.ready} | ${p.restarts}${p.exits.length ? ` (${cell(p.exits.join('; '))})` : ''} |`,
    );
  out.push('', '## Not run (no peer on this machine)', '');
  for (const n of r.notRun) out.push(`- ${n}`);
  out.push('', '## Services → pods (cluster DNS)', '');
  for (const e of r.endpoints) out.push(`- ${e}`);
  out.push('', '## Every change the harness made', '');
  out.push('Listen addresses: none changed (each pod has its own network namespace and address).', '');
  out.push('| what | where | rendered | run as | pods |', '| --- | --- | --- | --- | --- |');
  for (const g of groupChanges(r.changes, r.runFolder))
    out.push(`| ${g.what} | ${cell(g.where)} | \`${cell(g.from)}\` | \`${cell(g.to)}\` | ${cell(g.pods.join(', '))} |`);
  out.push('', '## Test environment compared with out/local', '');
  if (r.renderDiff.length === 0) out.push('No differences.');
  for (const d of r.renderDiff) out.push(`- ${d}`);
  if (r.notes.length) {
    out.push('', '## Notes', '');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  out.push('', '## Failed components', '');
  if (r.failures.length === 0) out.push('None.');
  for (const f of r.failures) {
    out.push(`### ${f.id}`, '', `${f.reason}; full log: \`${f.log}\``, '', '```', f.tail, '```', '');
  }
  if (r.cleanup.length) {
    out.push('', '## Clean-up problems', '');
    for (const c of r.cleanup) out.push(`- ${c}`);
  }
  return `${out.join('\n')}\n`;
}
