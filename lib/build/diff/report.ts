import { CLASS_LABEL, CLASS_ORDER, blocked, type ChangeClass, type Finding } from './classify.js';

const MARK: Readonly<Record<ChangeClass, string>> = {
  'in-place': '·',
  rolling: '↻',
  recreate: '⟲',
  'data-at-risk': '!',
  refused: '✖',
};

/** One line per environment: how many objects change, by class, and what blocks. */
export function summaryLine(env: string, findings: Finding[], allow: readonly string[]): string {
  if (!findings.length) return `${env}: no object changes`;
  const counts = CLASS_ORDER.map((c) => [c, findings.filter((f) => f.class === c).length] as const)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${n} ${CLASS_LABEL[c]}`);
  const stop = blocked(findings, allow);
  const allowed = findings.filter((f) => allow.some((a) => a.toLowerCase() === f.ref.toLowerCase()));
  const tail = stop.length
    ? ` — blocked: ${stop.map((f) => f.ref).join(', ')} (--allow <ref> to accept)`
    : allowed.length
      ? ` — allowed: ${allowed.map((f) => f.ref).join(', ')}`
      : '';
  return `${env}: ${findings.length} object${findings.length === 1 ? '' : 's'} change — ${counts.join(', ')}${tail}`;
}

/** Every finding with its reasons, the pods that restart, the procedure and the Argo CD option. */
export function formatFindings(env: string, findings: Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`  ${MARK[f.class]} ${CLASS_LABEL[f.class].padEnd(15)} ${f.ref} (${f.change})`);
    for (const r of f.reasons) if (r.class === f.class || f.reasons.length <= 3) lines.push(`      ${r.message}`);
    if (f.pods.length) lines.push(`      pods: ${f.pods.join(', ')}`);
    if (f.procedure.length) {
      lines.push('      procedure:');
      for (const p of f.procedure) lines.push(`        ${p.replace(/<env>/g, env)}`);
    }
    if (f.argocd) lines.push(`      Argo CD: argocd.argoproj.io/sync-options: ${f.argocd}`);
  }
  return lines.join('\n');
}
