// PromQL read through Prometheus' grammar: selectors, matchers, functions, and syntax errors that throw.
import { metricNames, parsePromql, PromqlSyntaxError, selectorsOf } from './promql.js';

describe('parsePromql', () => {
  it('finds selected metrics and ignores functions, labels, strings, ranges and grouping', () => {
    expect(
      metricNames('sum by (release, le) (rate(a_bucket{route=~"/v1/x", code!~"5.."}[5m])) / on (release) group_left b or label_replace(c, "x", "${1}", "y", "(.*)") unless d offset 10m > bool 0.5'),
    ).toEqual(['a_bucket', 'b', 'c', 'd']);
  });

  it('reads a metric named by {__name__="…"} or a quoted UTF-8 name (a regex that strips {…} saw none)', () => {
    expect(metricNames('sum(rate({__name__="tern_server_http_request_total", code="500"}[1m]))')).toEqual(['tern_server_http_request_total']);
    expect(metricNames('{"tern.server.requests", code="500"}')).toEqual(['tern.server.requests']);
    expect(metricNames('{__name__=~"tern_.*"}')).toEqual([]);
  });

  it('gives each selector its label matchers, values unquoted', () => {
    const [selector, ...rest] = selectorsOf('sum(rate(x{namespace=~"$namespace", release=\'r\\\'1\', "l.2"!="b"}[1m])) / y{"q.l"!~`\\d+`}', 'x');
    expect(rest).toEqual([]);
    expect(selector?.matchers).toEqual([
      { label: 'namespace', op: '=~', value: '$namespace' },
      { label: 'release', op: '=', value: "r'1" },
      { label: 'l.2', op: '!=', value: 'b' },
    ]);
    expect(parsePromql('y{"q.l"!~`\\d+`}').selectors).toEqual([{ metric: 'y', matchers: [{ label: 'q.l', op: '!~', value: '\\d+' }], text: 'y{"q.l"!~`\\d+`}' }]);
  });

  it('lists functions and aggregations once each', () => {
    expect(parsePromql('histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) / sum(rate(y[5m]))').functions).toEqual(['histogram_quantile', 'sum', 'rate']);
  });

  it.each([
    ['an unclosed call', 'sum(rate(tern_server_predictions_total[1m])'],
    ['two selectors side by side', 'tern_server_a tern_server_b'],
    ['a Grafana variable left in a range', 'rate(x[$__rate_interval])'],
    ['an empty expression', '  '],
    ['a dangling operator', 'x /'],
  ])('rejects %s, naming the position', (_what, expr) => {
    expect(() => parsePromql(expr)).toThrow(PromqlSyntaxError);
    expect(() => metricNames(expr)).toThrow(/PromQL syntax error at character \d+/);
  });
});
