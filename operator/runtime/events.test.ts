import { EventRecorder, REPORTING_CONTROLLER, type EventSeries, type EventSink, type K8sEvent } from './events.js';
import { FakeClock } from './testing/fake-clock.js';

/** An EventSink that keeps what was written, like the apiserver would. */
class RecordingSink implements EventSink {
  readonly created: K8sEvent[] = [];
  readonly updates: Array<{ name: string; series: EventSeries }> = [];
  readonly stored = new Map<string, K8sEvent>();
  failCreates = 0;
  async create(event: K8sEvent): Promise<void> {
    if (this.failCreates > 0) {
      this.failCreates--;
      throw new Error('apiserver unavailable');
    }
    this.created.push(event);
    this.stored.set(event.metadata.name, structuredClone(event));
  }
  async updateSeries(_ns: string, name: string, series: EventSeries): Promise<boolean> {
    const ev = this.stored.get(name);
    if (!ev) return false;
    ev.series = series;
    this.updates.push({ name, series });
    return true;
  }
}

const release = {
  apiVersion: 'serving.tern.dev/v1alpha1',
  kind: 'ModelRelease',
  metadata: { name: 'fraud', namespace: 'ml', uid: 'uid-1' },
};

describe('EventRecorder', () => {
  it('writes an events.k8s.io/v1 Event naming the release, controller and instance', async () => {
    const sink = new RecordingSink();
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 1, 0, 0));
    const rec = new EventRecorder({ sink, reportingInstance: 'op-1', clock });
    rec.normal(release, 'CanaryStepStarted', 'Step 2 of 5: 5% of traffic to 1.1.0.');
    await rec.flush();
    expect(sink.created).toHaveLength(1);
    const ev = sink.created[0]!;
    expect(ev).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { namespace: 'ml' },
      eventTime: '2026-11-22T01:00:00.000000Z',
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: 'op-1',
      action: 'Reconcile',
      reason: 'CanaryStepStarted',
      type: 'Normal',
      regarding: { apiVersion: 'serving.tern.dev/v1alpha1', kind: 'ModelRelease', name: 'fraud', namespace: 'ml', uid: 'uid-1' },
    });
    expect(ev.metadata.name).toMatch(/^fraud\.[0-9a-f]{16}$/);
  });

  it('aggregates repeats into one series, written at most every 30 s', async () => {
    const sink = new RecordingSink();
    const clock = new FakeClock();
    const rec = new EventRecorder({ sink, reportingInstance: 'op-1', clock });
    for (let i = 0; i < 20; i++) {
      rec.warning(release, 'AnalysisInconclusive', 'drift on canary: only 12 samples, need 50.');
      await clock.advance(5_000);
    }
    // 20 repeats over 100 s: one create, and series updates no closer than 30 s apart.
    expect(sink.created).toHaveLength(1);
    expect(sink.updates.length).toBeGreaterThanOrEqual(2);
    expect(sink.updates.length).toBeLessThanOrEqual(4);
    await rec.flush();
    const stored = sink.stored.get(sink.created[0]!.metadata.name)!;
    expect(stored.series?.count).toBe(20);
  });

  it('starts a new event when the note, reason or object differs, or after the series window', async () => {
    const sink = new RecordingSink();
    const clock = new FakeClock();
    const rec = new EventRecorder({ sink, reportingInstance: 'op-1', clock });
    rec.normal(release, 'CanaryStepStarted', 'Step 1: 1%.');
    rec.normal(release, 'CanaryStepStarted', 'Step 2: 5%.');
    rec.warning(release, 'RolledBack', 'Step 2: 5%.');
    rec.normal({ ...release, metadata: { ...release.metadata, name: 'other', uid: 'uid-2' } }, 'CanaryStepStarted', 'Step 1: 1%.');
    await clock.advance(7 * 60_000);
    rec.normal(release, 'CanaryStepStarted', 'Step 1: 1%.');
    await rec.flush();
    expect(sink.created).toHaveLength(5);
    expect(sink.updates).toHaveLength(0);
  });

  it('re-creates the event with its series when the first write failed', async () => {
    const sink = new RecordingSink();
    sink.failCreates = 1;
    const clock = new FakeClock();
    const rec = new EventRecorder({ sink, reportingInstance: 'op-1', clock });
    rec.warning(release, 'StagingGateFailed', 'tpr 0.80 < 0.85');
    await clock.advance(1000);
    expect(sink.created).toHaveLength(0);
    rec.warning(release, 'StagingGateFailed', 'tpr 0.80 < 0.85');
    await rec.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.created[0]!.series?.count).toBe(2);
  });

  it('rejects a reason that is not CamelCase and truncates long notes to 1 kB', async () => {
    const sink = new RecordingSink();
    const rec = new EventRecorder({ sink, reportingInstance: 'op-1', clock: new FakeClock() });
    expect(() => rec.normal(release, 'canary started', 'x')).toThrow(/CamelCase/);
    rec.normal(release, 'Long', 'é'.repeat(2000));
    await rec.flush();
    expect(Buffer.byteLength(sink.created[0]!.note)).toBeLessThanOrEqual(1024);
    expect(sink.created[0]!.note.endsWith('...')).toBe(true);
  });
});
