// The dashboard diff behind `make dashboards-diff`: a changed query, unit or panel shows up and makes the
// two sides differ; what only moves around the panels (SDK defaults) is listed but keeps them the same.
import { DASHBOARDS } from './render.js';
import { diffDashboards, type Json } from './diff.js';

const shipped = (): Map<string, Json> => new Map(Object.entries(DASHBOARDS).map(([file, build]) => [file, JSON.parse(JSON.stringify(build())) as Json]));
type Panel = { title: string; type: string; targets?: { expr: string }[]; fieldConfig?: { defaults: Record<string, unknown> }; transparent?: boolean };
const panelsOf = (dashboards: Map<string, Json>, file: string) => (dashboards.get(file) as unknown as { panels: Panel[] }).panels;

describe('diffDashboards', () => {
  it('finds nothing between a set and itself', () => {
    const result = diffDashboards(shipped(), shipped());
    expect(result.same).toBe(true);
    expect(result.lines).toContain('  before: 13 panels, 4 rows, 17 queries');
    expect(result.lines.filter((l) => /leaves \w+: [1-9]/.test(l))).toEqual([]);
  });

  it('reports a changed PromQL query and a changed unit as a panel difference', () => {
    const after = shipped();
    const panels = panelsOf(after, 'model-serving.json');
    const latency = panels.find((p) => p.title === 'Latency p50 / p95 / p99')!;
    latency.targets![1]!.expr = latency.targets![1]!.expr.replace('0.95', '0.9');
    panels.find((p) => p.title === 'Batch size')!.fieldConfig!.defaults.unit = 'short';
    const result = diffDashboards(shipped(), after);
    expect(result.same).toBe(false);
    expect(result.lines.filter((l) => l.startsWith('  panel '))).toEqual(['  panel "Latency p50 / p95 / p99" differs:', '  panel "Batch size" differs:']);
  });

  it('reports a removed panel and a missing file', () => {
    const after = shipped();
    const panels = panelsOf(after, 'tern-overview.json');
    panels.splice(panels.findIndex((p) => p.title === 'API writes'), 1);
    after.delete('model-serving.json');
    const result = diffDashboards(shipped(), after);
    expect(result.same).toBe(false);
    expect(result.lines).toEqual(expect.arrayContaining(['model-serving.json: only before', '  after:  12 panels, 4 rows, 16 queries', '  panel "API writes" differs:']));
  });

  it('lists other leaves that changed without calling the panels different', () => {
    const after = shipped();
    for (const panel of panelsOf(after, 'tern-overview.json')) if (panel.type !== 'row') panel.transparent = true;
    const result = diffDashboards(shipped(), after);
    expect(result.same).toBe(true);
    expect(result.lines).toContain('  other JSON leaves changed: 13');
    expect(result.lines).toContain('    .panels[].transparent (13x): false -> true');
  });
});
