/**
 * PromQL read by Prometheus' own grammar (@prometheus-io/lezer-promql, the parser of Prometheus' web UI) for the
 * chart's tests: which series an expression selects (metric name and label matchers) and which functions and
 * aggregations it calls. A syntax error throws, naming the position, so a malformed query cannot pass a check.
 * promtool stays the authority on whether Prometheus accepts a query (types, arity: tools.ts checkPromqlParses);
 * this grammar gives the structure.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

export type MatchOperator = '=' | '!=' | '=~' | '!~';

/** One label matcher of a selector, its value unquoted. */
export interface LabelMatcher {
  label: string;
  op: MatchOperator;
  value: string;
}

/** One vector selector (inside a range selector too): the metric name, from `name{...}` or `{__name__="name"}`. */
export interface Selector {
  /** Undefined when the selector names no single metric (e.g. `{__name__=~"tern_.*"}` or `{job="x"}`). */
  metric: string | undefined;
  matchers: LabelMatcher[];
  /** The selector's source text. */
  text: string;
}

/** What the tests read from one expression. */
export interface ParsedQuery {
  selectors: Selector[];
  /** Function and aggregation names in order of appearance (`rate`, `sum`, `histogram_quantile`), repeated ones once. */
  functions: string[];
}

/** A PromQL syntax error: the expression, and where the grammar first failed. */
export class PromqlSyntaxError extends Error {
  constructor(
    readonly expr: string,
    readonly position: number,
  ) {
    super(`PromQL syntax error at character ${position + 1} (near "${expr.slice(position, position + 20)}"): ${expr}`);
    this.name = 'PromqlSyntaxError';
  }
}

/** Parses one expression; throws PromqlSyntaxError when it is not PromQL (an empty expression included). */
export function parsePromql(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  const functions = new Set<string>();
  let error: number | undefined;
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) error ??= ref.from;
      else if (ref.name === 'VectorSelector') selectors.push(selectorOf(ref.node, expr));
      else if (ref.name === 'FunctionIdentifier' || ref.name === 'AggregateOp') functions.add(expr.slice(ref.from, ref.to));
    },
  });
  if (expr.trim() === '') throw new PromqlSyntaxError(expr, 0);
  if (error !== undefined) throw new PromqlSyntaxError(expr, error);
  return { selectors, functions: [...functions] };
}

/** The metric names an expression selects, each once, in order of appearance. */
export function metricNames(expr: string): string[] {
  const names = parsePromql(expr).selectors.map((s) => s.metric);
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

/** The selectors of an expression that read the given metric. */
export function selectorsOf(expr: string, metric: string): Selector[] {
  return parsePromql(expr).selectors.filter((s) => s.metric === metric);
}

function selectorOf(node: SyntaxNode, expr: string): Selector {
  const text = (n: SyntaxNode | null): string => (n === null ? '' : expr.slice(n.from, n.to));
  const matchers: LabelMatcher[] = [];
  let metric = text(node.getChild('Identifier')) || undefined;
  for (let m = node.getChild('LabelMatchers')?.firstChild ?? null; m !== null; m = m.nextSibling) {
    const quotedName = unquote(text(m.getChild('QuotedLabelName')?.getChild('StringLiteral') ?? null));
    if (m.name === 'QuotedLabelName') metric = unquote(text(m.getChild('StringLiteral'))); // {"utf8.name", …}
    if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
    const label = m.name === 'UnquotedLabelMatcher' ? text(m.getChild('LabelName')) : quotedName;
    // The value is the matcher's own StringLiteral (a quoted label name's literal sits inside QuotedLabelName).
    matchers.push({ label, op: text(m.getChild('MatchOp')) as MatchOperator, value: unquote(text(m.getChild('StringLiteral'))) });
  }
  const byName = matchers.find((m) => m.label === '__name__');
  if (metric === undefined && byName?.op === '=') metric = byName.value;
  return { metric, matchers, text: text(node) };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

/** A PromQL string literal's value: "…" and '…' with Go escapes, `…` raw. */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (whole, esc: string) => {
    if (/^[xuU]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]{3}$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    return ESCAPES[esc] ?? whole;
  });
}
