import { ControllerMetrics } from './metrics.js';

describe('ControllerMetrics', () => {
  it('exposes the controller metrics of docs/conventions.md and nothing about what it reconciles', async () => {
    const m = new ControllerMetrics({ processMetrics: false });
    m.observeReconcile(0.02, false);
    m.observeReconcile(0.5, true);
    m.setLeader('op-1', true);
    m.countWrite('apply', 'deployments');
    const observer = m.workQueueObserver();
    observer.onDepthChanged?.(3);
    const text = await m.metrics();
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ').slice(2, 4).join(' '));
    expect(types.sort()).toEqual(
      ['tern_api_writes_total counter', 'tern_leader gauge', 'tern_reconcile_duration_seconds histogram', 'tern_reconcile_errors_total counter', 'tern_workqueue_depth gauge'].sort(),
    );
    const lines = text.split('\n');
    expect(lines).toContain('tern_reconcile_errors_total 1');
    expect(lines).toContain('tern_reconcile_duration_seconds_count{result="error"} 1');
    expect(lines).toContain('tern_api_writes_total{verb="apply",resource="deployments"} 1');
    expect(lines).toContain('tern_workqueue_depth 3');
    expect(lines).toContain('tern_leader{identity="op-1"} 1');
  });
});
