import { OperatorMetrics } from './operator-metrics.js';

/** Parses the text exposition into `name{labels} value` lines. */
async function lines(m: OperatorMetrics): Promise<string[]> {
  return (await m.metrics()).split('\n').filter((l) => l.startsWith('tern_'));
}

describe('OperatorMetrics', () => {
  it('exposes every operator metric named in docs/conventions.md', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.observeReconcile(0.02, false);
    m.observeReconcile(0.5, true);
    m.setQueueDepth(3);
    m.setLeader('op-1', true);
    m.countWrite('apply', 'deployments');
    m.setReleasePhase('ns', 'fraud', 'Canary');
    m.setCanaryWeight('ns', 'fraud', 25);
    m.countRollout('ns', 'fraud', 'Promoted');
    m.countRollback('ns', 'fraud', 'drift');
    m.setCheck('ns', 'fraud', 'drift', 'canary', { outcome: 'Failed', value: 0.61, threshold: 0.1 });
    const text = await m.metrics();
    const names = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ').slice(2, 4).join(' ')),
    );
    expect([...names].sort()).toEqual(
      [
        'tern_analysis_check_outcome gauge',
        'tern_analysis_check_threshold gauge',
        'tern_analysis_check_value gauge',
        'tern_api_writes_total counter',
        'tern_leader gauge',
        'tern_production_alarms_total counter',
        'tern_reconcile_duration_seconds histogram',
        'tern_reconcile_errors_total counter',
        'tern_release_canary_weight gauge',
        'tern_release_phase gauge',
        'tern_rollbacks_total counter',
        'tern_rollouts_total counter',
        'tern_workqueue_depth gauge',
      ].sort(),
    );
    const l = await lines(m);
    expect(l).toContain('tern_reconcile_errors_total 1');
    expect(l).toContain('tern_reconcile_duration_seconds_count{result="error"} 1');
    expect(l).toContain('tern_api_writes_total{verb="apply",resource="deployments"} 1');
    expect(l).toContain('tern_workqueue_depth 3');
    expect(l).toContain('tern_leader{identity="op-1"} 1');
    expect(l).toContain('tern_release_canary_weight{namespace="ns",release="fraud"} 25');
    expect(l).toContain('tern_analysis_check_value{namespace="ns",release="fraud",check="drift",track="canary"} 0.61');
  });

  it('keeps the release phase one-hot', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.setReleasePhase('ns', 'a', 'Staging');
    m.setReleasePhase('ns', 'a', 'Canary');
    const phases = (await lines(m)).filter((x) => x.startsWith('tern_release_phase{'));
    expect(phases).toHaveLength(8);
    expect(phases.filter((x) => x.endsWith(' 1'))).toEqual(['tern_release_phase{namespace="ns",release="a",phase="Canary"} 1']);
  });

  it('keeps the check outcome one-hot and forgets a deleted release', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.setCheck('ns', 'a', 'drift', 'canary', { outcome: 'Inconclusive' });
    m.setCheck('ns', 'a', 'drift', 'canary', { outcome: 'Successful', value: 0.8 });
    m.setReleasePhase('ns', 'b', 'Healthy');
    const ones = (await lines(m)).filter((x) => x.startsWith('tern_analysis_check_outcome{') && x.endsWith(' 1'));
    expect(ones).toEqual(['tern_analysis_check_outcome{namespace="ns",release="a",check="drift",track="canary",outcome="Successful"} 1']);
    await m.forgetRelease('ns', 'a');
    const left = await lines(m);
    expect(left.some((x) => x.includes('release="a"'))).toBe(false);
    expect(left.some((x) => x.includes('release="b"'))).toBe(true);
  });
});
