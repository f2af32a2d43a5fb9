/**
 * The metric names a PromQL expression selects, read with Prometheus' own grammar (the Lezer parser
 * behind Grafana's and Prometheus' query editors), so an override that rewrites a query is read as
 * Prometheus would read it.
 */
import { createRequire } from 'node:module';

type PromqlModule = typeof import('@prometheus-io/lezer-promql');

let promqlParser: PromqlModule['parser'] | undefined;

/**
 * The parser and the Lezer runtime under it (about 200 KB of code, 6 MiB of a build's memory) are
 * loaded on the first query read: only a tree with a KEDA Prometheus trigger has one, and most
 * environments render none. Loaded through the package's CommonJS build, since a synchronous check
 * cannot wait for `import()`.
 */
function parser(): PromqlModule['parser'] {
  return (promqlParser ??= (createRequire(import.meta.url)('@prometheus-io/lezer-promql') as PromqlModule).parser);
}

export interface SelectedMetric {
  /** The metric name (`foo` or `{__name__="foo"}`). */
  name: string;
  /** Equality matchers of the selector, e.g. `container="query-scheduler"`. */
  labels: Record<string, string>;
}

/** One label matcher of a selector, e.g. `job=~"mimir/.*"`. */
export interface LabelMatcher {
  label: string;
  op: string;
  value: string;
}

/** A vector selector as written: its text, its metric name (empty when it has none) and every matcher. */
export interface Selector {
  text: string;
  name: string;
  matchers: LabelMatcher[];
}

export interface ParsedQuery {
  /** The selectors that name a metric, with their equality matchers. */
  metrics: SelectedMetric[];
  /** Every selector, named or not. */
  selectors: Selector[];
  /** Where the parser could not read the expression (offset into the text), if anywhere. */
  errorAt?: number;
}

function unquote(literal: string): string {
  const q = literal[0];
  const body = literal.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(.)/g, '$1');
}

/** Every vector selector of `query` with its name and matchers; `errorAt` when it does not parse. */
export function selectedMetrics(query: string): ParsedQuery {
  const tree = parser().parse(query);
  const metrics: SelectedMetric[] = [];
  const selectors: Selector[] = [];
  let errorAt: number | undefined;
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errorAt ??= cursor.from;
    if (cursor.name !== 'VectorSelector') continue;
    const selector = cursor.node;
    let name = '';
    const labels: Record<string, string> = {};
    const all: LabelMatcher[] = [];
    const id = selector.getChild('Identifier');
    if (id) name = query.slice(id.from, id.to);
    const matchers = selector.getChild('LabelMatchers');
    for (let m = matchers?.firstChild; m; m = m.nextSibling) {
      const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (!label || !op || !value) continue;
      const key =
        label.name === 'QuotedLabelName'
          ? unquote(query.slice(label.from, label.to))
          : query.slice(label.from, label.to);
      const matcher = {
        label: key,
        op: query.slice(op.from, op.to),
        value: unquote(query.slice(value.from, value.to)),
      };
      all.push(matcher);
      if (matcher.op === '=') labels[key] = matcher.value;
    }
    if (!name && labels.__name__) name = labels.__name__;
    selectors.push({ text: query.slice(selector.from, selector.to), name, matchers: all });
    if (name) metrics.push({ name, labels });
  } while (cursor.next());
  return { metrics, selectors, ...(errorAt !== undefined ? { errorAt } : {}) };
}
