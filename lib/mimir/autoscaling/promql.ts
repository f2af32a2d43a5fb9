/**
 * The metric names a PromQL expression selects, read with Prometheus' own grammar (the Lezer parser
 * behind Grafana's and Prometheus' query editors), so an override that rewrites a query is read as
 * Prometheus would read it.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface SelectedMetric {
  /** The metric name (`foo` or `{__name__="foo"}`). */
  name: string;
  /** Equality matchers of the selector, e.g. `container="query-scheduler"`. */
  labels: Record<string, string>;
}

export interface ParsedQuery {
  metrics: SelectedMetric[];
  /** Where the parser could not read the expression (offset into the text), if anywhere. */
  errorAt?: number;
}

function unquote(literal: string): string {
  const q = literal[0];
  const body = literal.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(.)/g, '$1');
}

/** Every vector selector of `query` with its name and equality matchers; `errorAt` when it does not parse. */
export function selectedMetrics(query: string): ParsedQuery {
  const tree = parser.parse(query);
  const metrics: SelectedMetric[] = [];
  let errorAt: number | undefined;
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errorAt ??= cursor.from;
    if (cursor.name !== 'VectorSelector') continue;
    const selector = cursor.node;
    let name = '';
    const labels: Record<string, string> = {};
    const id = selector.getChild('Identifier');
    if (id) name = query.slice(id.from, id.to);
    const matchers = selector.getChild('LabelMatchers');
    for (let m = matchers?.firstChild; m; m = m.nextSibling) {
      const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (!label || !op || !value) continue;
      if (query.slice(op.from, op.to) !== '=') continue;
      const key =
        label.name === 'QuotedLabelName'
          ? unquote(query.slice(label.from, label.to))
          : query.slice(label.from, label.to);
      labels[key] = unquote(query.slice(value.from, value.to));
    }
    if (!name && labels.__name__) name = labels.__name__;
    if (name) metrics.push({ name, labels });
  } while (cursor.next());
  return { metrics, ...(errorAt !== undefined ? { errorAt } : {}) };
}
