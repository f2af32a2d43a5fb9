/**
 * One shape for every error the build can report, whatever layer found it: the environment's config
 * schema, an override, a Kubernetes object, a cross-reference or Mimir's configuration reference.
 */
export interface Problem {
  /** Where the input came from, e.g. `environments/local/main.ts`. */
  source?: string;
  /** Tree path or config path, e.g. `mimir.ingester.statefulSet` or `config.mimir.replicas`. */
  path: string;
  /** Object id when the problem is inside a Kubernetes object, e.g. `apps/v1 StatefulSet mimir/ingester`. */
  object?: string;
  /** JSON pointer or dotted path inside the object or file. */
  pointer?: string;
  message: string;
  expected?: string;
  found?: string;
  /** A concrete fix or a "did you mean" suggestion. */
  hint?: string;
  /** Further places with the very same problem (same cause): see `groupByCause`. */
  also?: ProblemPlace[];
}

/** Where a problem is, without what it is. */
export interface ProblemPlace {
  path: string;
  object?: string;
  pointer?: string;
}

function placeText(p: ProblemPlace): string {
  return `${p.path}${p.object ? ` (${p.object})` : ''}${p.pointer ? ` ${p.pointer}` : ''}`;
}

export class BuildError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(formatProblems(problems));
    this.name = 'BuildError';
    this.problems = problems;
  }
}

export function formatProblem(p: Problem): string {
  if (p.also?.length) {
    const places = [p, ...p.also];
    const lines = [
      `${p.source ?? ''}${p.source ? ' › ' : ''}${places.length} places`,
      `  ✖ ${p.message}`,
      `    at:`,
      ...places.map((q) => `      ${placeText(q)}`),
    ];
    if (p.expected !== undefined) lines.push(`    expected: ${p.expected}`);
    if (p.found !== undefined) lines.push(`    found:    ${p.found}`);
    if (p.hint) lines.push(`    hint: ${p.hint}`);
    return lines.join('\n');
  }
  const head = [p.source, p.path].filter(Boolean).join(' › ') + (p.object ? ` (${p.object})` : '');
  const lines = [head, `  ✖ ${p.pointer ? `${p.pointer}: ` : ''}${p.message}`];
  if (p.expected !== undefined) lines.push(`    expected: ${p.expected}`);
  if (p.found !== undefined) lines.push(`    found:    ${p.found}`);
  if (p.hint) lines.push(`    hint: ${p.hint}`);
  return lines.join('\n');
}

export function formatProblems(problems: Problem[]): string {
  const objects = new Set(
    problems.flatMap((p) => [p, ...(p.also ?? [])].map((q) => `${p.source ?? ''}|${q.path}|${q.object ?? ''}`)),
  ).size;
  const body = problems.map(formatProblem).join('\n');
  const noun = problems.length === 1 ? 'error' : 'errors';
  return `${body}\nerror: ${problems.length} ${noun} in ${objects} place${objects === 1 ? '' : 's'} — out/ left untouched`;
}
