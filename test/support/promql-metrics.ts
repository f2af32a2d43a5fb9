import { parser } from '@prometheus-io/lezer-promql';

/** What a PromQL expression is made of, as Prometheus' own Lezer grammar reads it. */
export interface PromqlFacts {
  /** Parse errors, each with the text around it (empty when the expression parses). */
  errors: string[];
  /** Every metric name a vector or matrix selector names, with the label matchers written beside it. */
  selectors: { metric: string; matchers: Record<string, string> }[];
}

export function promqlFacts(expr: string): PromqlFacts {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: PromqlFacts['selectors'] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.to + 20)}…`);
        return;
      }
      if (node.name !== 'VectorSelector') return;
      const ident = node.node.getChild('Identifier');
      if (!ident) return;
      const matchers: Record<string, string> = {};
      const list = node.node.getChild('LabelMatchers');
      for (const m of list?.getChildren('UnquotedLabelMatcher') ?? []) {
        const name = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (!name || !op || !value) continue;
        matchers[`${expr.slice(name.from, name.to)}${expr.slice(op.from, op.to)}`] = JSON.parse(
          expr.slice(value.from, value.to).replace(/^'|'$/g, '"'),
        ) as string;
      }
      selectors.push({ metric: expr.slice(ident.from, ident.to), matchers });
    },
  });
  return { errors, selectors };
}
