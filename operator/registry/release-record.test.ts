// `tern registry record`'s edit: stages and release results written into the entries a release history
// names, nothing else of the file touched, idempotent, and still a registry render reads the same way.
import { readFileSync } from 'node:fs';
import type { HistoryEntry, ModelReleaseStatus } from '../api/model-release-schema.js';
import { jsonSpans } from './json-edit.js';
import { validateRegistry } from './registry.js';
import { RecordError, recordRelease, type RecordedRelease } from './release-record.js';
import { REGISTRY_ENTRY_ANNOTATION } from './render.js';
import { RUNBOOK_DIR } from './testdata.js';

const RUNBOOK = readFileSync(`${RUNBOOK_DIR}/registry.json`, 'utf8');
const T0 = '2026-11-03T10:00:00.000Z';
const T1 = '2026-11-03T10:05:00.000Z';

const promotedV2: HistoryEntry = {
  version: '2.0.0', outcome: 'Promoted', startedAt: T0, finishedAt: T1,
  steps: [
    { step: 1, weight: 25, startedAt: T0, seconds: 60, checks: [{ name: 'availability', track: 'canary', outcome: 'Successful', value: 0.998, threshold: '>= 0.95' }] },
    { step: 2, weight: 100, startedAt: '2026-11-03T10:01:00.000Z', seconds: 240, checks: [] },
  ],
};
const promotedV1: HistoryEntry = { version: '1.0.0', outcome: 'Promoted', startedAt: '2026-11-01T09:00:00.000Z', finishedAt: '2026-11-01T09:00:00.000Z' };

function release(status: ModelReleaseStatus, annotations?: Record<string, string>): RecordedRelease {
  return { metadata: { name: 'whales', namespace: 'ml', ...(annotations ? { annotations } : {}) }, status };
}
const healthyOnV2 = release({ phase: 'Healthy', stable: { name: 'whales', version: '2.0.0' }, history: [promotedV2, promotedV1] });

/** The entries of a registry text without the members record writes. */
function withoutRecord(text: string): unknown {
  const doc = JSON.parse(text) as { models: Record<string, unknown>[] };
  for (const m of doc.models) {
    delete m.stage;
    delete m.release_results;
  }
  return doc;
}

describe('recordRelease', () => {
  it('writes production and retired with each entry\'s newest results, adding only those members at the end of the entries', () => {
    const { text, written, notes } = recordRelease(RUNBOOK, healthyOnV2);
    const doc = JSON.parse(text) as { models: Record<string, unknown>[] };
    expect(doc.models.map((m) => m.stage)).toEqual(['retired', 'production']);
    expect(doc.models[1]?.release_results).toEqual({
      release: 'ml/whales',
      version: '2.0.0',
      outcome: 'Promoted',
      started_at: T0,
      finished_at: T1,
      steps: [
        { step: 1, weight: 25, started_at: T0, seconds: 60, checks: [{ name: 'availability', track: 'canary', outcome: 'Successful', value: 0.998, threshold: '>= 0.95' }] },
        { step: 2, weight: 100, started_at: '2026-11-03T10:01:00.000Z', seconds: 240, checks: [] },
      ],
    });
    expect(doc.models[0]?.release_results).toEqual({ release: 'ml/whales', version: '1.0.0', outcome: 'Promoted', started_at: promotedV1.startedAt, finished_at: promotedV1.finishedAt });
    expect(doc.models.map((m) => Object.keys(m).slice(-3))).toEqual([
      ['metrics_snapshot', 'stage', 'release_results'],
      ['metrics_snapshot', 'stage', 'release_results'],
    ]);
    expect(withoutRecord(text)).toEqual(JSON.parse(RUNBOOK));
    // Only lines were added (and a comma after the member they follow): leave those out and the old text is back.
    const oldLines = RUNBOOK.split('\n');
    const back = text.split('\n').flatMap((line) => (oldLines.includes(line) ? [line] : oldLines.includes(line.replace(/,$/, '')) ? [line.replace(/,$/, '')] : []));
    expect(back.join('\n')).toBe(RUNBOOK);
    expect(text).toContain('      "metrics_snapshot": "reports/metrics_v2.json",\n      "stage": "production",\n      "release_results": {\n        "release": "ml/whales",\n');
    expect(written).toEqual(['effb4_15k: stage retired (Promoted 1.0.0 at 2026-11-01T09:00:00.000Z)', `effb4_v2: stage production (Promoted 2.0.0 at ${T1})`]);
    expect(notes).toEqual([]);
  });

  it('is idempotent, and the result is a valid registry', () => {
    const once = recordRelease(RUNBOOK, healthyOnV2).text;
    expect(recordRelease(once, healthyOnV2).text).toBe(once);
    expect(validateRegistry(JSON.parse(once))).toEqual([]);
  });

  it('replaces a stage and results in place when a later release changes them', () => {
    const once = recordRelease(RUNBOOK, healthyOnV2).text;
    const rolledBack: HistoryEntry = {
      version: '1.0.0', outcome: 'RolledBack', startedAt: '2026-11-04T10:00:00.000Z', finishedAt: '2026-11-04T10:00:30.000Z', reason: 'AnalysisFailed',
      failedCheck: { name: 'drift', track: 'canary', outcome: 'Failed', value: 0.41, threshold: '<= 0.1' },
      steps: [{ step: 1, weight: 25, startedAt: '2026-11-04T10:00:10.000Z', seconds: 20, checks: [{ name: 'drift', track: 'canary', outcome: 'Failed', value: 0.41, threshold: '<= 0.1' }] }],
    };
    const twice = recordRelease(once, release({ phase: 'RolledBack', stable: { name: 'whales', version: '2.0.0' }, history: [rolledBack, promotedV2, promotedV1] })).text;
    const doc = JSON.parse(twice) as { models: Record<string, unknown>[] };
    expect(doc.models.map((m) => m.stage)).toEqual(['rolled_back', 'production']);
    expect(doc.models[0]?.release_results).toMatchObject({ outcome: 'RolledBack', reason: 'AnalysisFailed', failed_check: { name: 'drift', value: 0.41, threshold: '<= 0.1' } });
    expect(Object.keys(doc.models[0] ?? {}).slice(-2)).toEqual(['stage', 'release_results']);
    expect(twice.split('\n').length).toBeGreaterThan(once.split('\n').length); // steps added inside; nothing moved
    expect(withoutRecord(twice)).toEqual(JSON.parse(RUNBOOK));
  });

  it('writes one-line entries on one line and keeps a file\'s own indentation', () => {
    const compact = '{"schema_version":1,"active":"a-1.0.0","models":[{"name":"a-1.0.0","version":"1.0.0"}]}';
    const one = release({ stable: { name: 'a', version: '1.0.0' }, history: [promotedV1] });
    expect(recordRelease(compact, one).text).toBe(
      '{"schema_version":1,"active":"a-1.0.0","models":[{"name":"a-1.0.0","version":"1.0.0", "stage": "production", "release_results": {"release":"ml/whales","version":"1.0.0","outcome":"Promoted","started_at":"2026-11-01T09:00:00.000Z","finished_at":"2026-11-01T09:00:00.000Z"}}]}',
    );
    const fourSpaces = '{\n    "models": [\n        {\n            "name": "a \\"}\\" b",\n            "version": "1.0.0"\n        }\n    ]\n}\n';
    expect(recordRelease(fourSpaces, one).text).toBe(
      '{\n    "models": [\n        {\n            "name": "a \\"}\\" b",\n            "version": "1.0.0",\n            "stage": "production",\n            "release_results": {\n' +
        '                "release": "ml/whales",\n                "version": "1.0.0",\n                "outcome": "Promoted",\n' +
        '                "started_at": "2026-11-01T09:00:00.000Z",\n                "finished_at": "2026-11-01T09:00:00.000Z"\n            }\n        }\n    ]\n}\n',
    );
  });

  it('keeps CRLF line ends', () => {
    const crlf = RUNBOOK.replace(/\n/g, '\r\n');
    const { text } = recordRelease(crlf, healthyOnV2);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text.replace(/\r\n/g, '\n')).toBe(recordRelease(RUNBOOK, healthyOnV2).text);
  });

  it('leaves the stage of a superseded release alone but records its results', () => {
    const superseded: HistoryEntry = { version: '2.0.0', outcome: 'Superseded', startedAt: T0, finishedAt: T1, reason: 'spec.model changed to 3.0.0' };
    const { text, written } = recordRelease(RUNBOOK, release({ stable: { name: 'whales', version: '1.0.0' }, history: [superseded] }));
    const doc = JSON.parse(text) as { models: Record<string, unknown>[] };
    expect(doc.models[1]?.stage).toBeUndefined();
    expect(doc.models[1]?.release_results).toMatchObject({ outcome: 'Superseded', reason: 'spec.model changed to 3.0.0' });
    expect(written).toEqual([`effb4_v2: stage unchanged (Superseded 2.0.0 at ${T1})`]);
  });

  it('notes versions no entry has and a release still in flight, and changes nothing for them', () => {
    const { text, notes } = recordRelease(RUNBOOK, release({ phase: 'Canary', candidate: { name: 'whales', version: '3.0.0' }, history: [{ ...promotedV1, version: '0.9.0' }] }));
    expect(text).toBe(RUNBOOK);
    expect(notes).toEqual(['no entry has version 0.9.0: not recorded', '3.0.0 is still in flight (Canary): recorded once it ends']);
  });

  it('refuses versions held by several entries unless the release names its entry', () => {
    const twins = JSON.stringify({ schema_version: 1, active: 'a', models: [{ name: 'a', version: '1.0.0' }, { name: 'b', version: '1.0.0' }] }, null, 2);
    const status: ModelReleaseStatus = { stable: { name: 'x', version: '1.0.0' }, history: [promotedV1] };
    expect(() => recordRelease(twins, release(status))).toThrow(new RecordError('version 1.0.0 is held by entries a, b: cannot tell which one was released (give entries distinct versions)'));
    const named = JSON.parse(recordRelease(twins, release(status, { [REGISTRY_ENTRY_ANNOTATION]: 'b' })).text) as { models: Record<string, unknown>[] };
    expect(named.models.map((m) => m.stage)).toEqual([undefined, 'production']);
  });

  it('refuses text that is not a registry', () => {
    expect(() => recordRelease('{"models": [', healthyOnV2)).toThrow(RecordError);
    expect(() => recordRelease('{"active": "a"}', healthyOnV2)).toThrow('has no models list');
  });
});

describe('jsonSpans', () => {
  it('finds members past strings holding braces, quotes and escapes', () => {
    const text = '{ "a": "x}\\"]", "b": [1, {"c": null}], "d": -1.5e3 }';
    const root = jsonSpans(text);
    expect(root.kind === 'object' && root.members.map((m) => [m.key, text.slice(m.value.start, m.value.end)])).toEqual([
      ['a', '"x}\\"]"'],
      ['b', '[1, {"c": null}]'],
      ['d', '-1.5e3'],
    ]);
  });
});
