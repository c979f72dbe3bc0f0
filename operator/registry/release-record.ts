/**
 * `tern registry record`'s edit, pure: registry JSON text + a ModelRelease's status -> the new text.
 * Each registry entry whose version the release history names gets `stage` (production, rolled_back or
 * retired) and `release_results` (outcome, times, steps with each check's value) from its newest history
 * entry. Only those two members change; every other byte of the file stays (json-edit.ts), and running
 * it again with the same status changes nothing.
 */
import type { CheckRecord, HistoryEntry, ModelReleaseStatus, StepRecord } from '../api/model-release-schema.js';
import { jsonSpans, setMember, type JsonSpan } from './json-edit.js';
import type { STAGES } from './registry-schema.js';
import { REGISTRY_ENTRY_ANNOTATION } from './render.js';

export type Stage = (typeof STAGES)[number];

/** What the edit needs of a ModelRelease. */
export interface RecordedRelease {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  status?: ModelReleaseStatus;
}

export interface RecordResult {
  /** The new registry text (the same text when nothing changed). */
  text: string;
  /** One line per entry written: `effb4_v2: stage production (Promoted 1.1.0 at ...)`. */
  written: string[];
  /** Versions of the history that no registry entry has, and a release still in flight. */
  notes: string[];
}

/** A registry that the edit cannot apply to, said in a sentence. */
export class RecordError extends Error {}

type Entry = { name: string; version: string; index: number };

/** The stage a release outcome gives its entry; undefined leaves the stage alone (Superseded). */
export function stageOf(history: HistoryEntry, stableVersion: string | undefined): Stage | undefined {
  if (history.outcome === 'Promoted') return history.version === stableVersion ? 'production' : 'retired';
  if (history.outcome === 'RolledBack' || history.outcome === 'Failed') return 'rolled_back';
  return undefined;
}

/** A history entry as `release_results` (snake_case, like the rest of the registry; fixed key order). */
export function releaseResults(release: string, history: HistoryEntry): Record<string, unknown> {
  const check = (c: CheckRecord) => ({
    name: c.name,
    track: c.track,
    outcome: c.outcome,
    ...(c.value === undefined ? {} : { value: c.value }),
    ...(c.threshold === undefined ? {} : { threshold: c.threshold }),
  });
  const step = (s: StepRecord) => ({
    ...(s.shadow ? { shadow: true } : { step: s.step }),
    weight: s.weight,
    started_at: s.startedAt,
    seconds: s.seconds,
    checks: s.checks.map(check),
  });
  return {
    release,
    version: history.version,
    outcome: history.outcome,
    started_at: history.startedAt,
    finished_at: history.finishedAt,
    ...(history.reason === undefined ? {} : { reason: history.reason }),
    ...(history.failedCheck === undefined ? {} : { failed_check: check(history.failedCheck) }),
    ...(history.steps === undefined ? {} : { steps: history.steps.map(step) }),
  };
}

/** The registry text with the release's outcomes written into the entries they concern. */
export function recordRelease(registryText: string, release: RecordedRelease): RecordResult {
  let document: unknown;
  try {
    document = JSON.parse(registryText);
    jsonSpans(registryText);
  } catch (error) {
    throw new RecordError(`is not valid JSON: ${(error as Error).message}`);
  }
  const entries = entriesOf(document);
  const status = release.status ?? {};
  const releaseName = `${release.metadata.namespace ?? 'default'}/${release.metadata.name}`;
  const annotated = release.metadata.annotations?.[REGISTRY_ENTRY_ANNOTATION];
  const notes: string[] = [];
  const written: string[] = [];

  // The newest history entry of each registry entry decides its stage and results.
  const decided = new Map<number, HistoryEntry>();
  const unknown = new Set<string>();
  for (const history of status.history ?? []) {
    const entry = entryFor(entries, history.version, annotated);
    if (entry === undefined) unknown.add(history.version);
    else if (!decided.has(entry.index)) decided.set(entry.index, history);
  }
  if (unknown.size > 0) notes.push(`no entry has version ${[...unknown].join(', ')}: not recorded`);
  if (status.candidate && (status.phase === 'Staging' || status.phase === 'Canary' || status.phase === 'Paused' || status.phase === 'Promoting')) {
    notes.push(`${status.candidate.version} is still in flight (${status.phase}): recorded once it ends`);
  }

  let text = registryText;
  for (const [index, history] of [...decided.entries()].sort((a, b) => a[0] - b[0])) {
    const entry = entries[index] as Entry;
    const stage = stageOf(history, status.stable?.version);
    if (stage !== undefined) text = setMember(text, entryObject(jsonSpans(text), index), 'stage', stage);
    text = setMember(text, entryObject(jsonSpans(text), index), 'release_results', releaseResults(releaseName, history));
    written.push(`${entry.name}: ${stage === undefined ? 'stage unchanged' : `stage ${stage}`} (${history.outcome} ${history.version} at ${history.finishedAt})`);
  }
  return { text, written, notes };
}

function entriesOf(document: unknown): Entry[] {
  const models = (document as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw new RecordError('has no models list');
  return models.map((m: unknown, index) => {
    const { name, version } = (typeof m === 'object' && m !== null ? m : {}) as { name?: unknown; version?: unknown };
    if (typeof name !== 'string' || typeof version !== 'string') throw new RecordError(`/models/${index} has no name and version`);
    return { name, version, index };
  });
}

/** The entry a released version stands for: the only one with that version, or the annotated one among several. */
function entryFor(entries: Entry[], version: string, annotated: string | undefined): Entry | undefined {
  const matching = entries.filter((e) => e.version === version);
  if (matching.length <= 1) return matching[0];
  const named = matching.find((e) => e.name === annotated);
  if (named) return named;
  throw new RecordError(`version ${version} is held by entries ${matching.map((e) => e.name).join(', ')}: cannot tell which one was released (give entries distinct versions)`);
}

function entryObject(root: JsonSpan, index: number): Extract<JsonSpan, { kind: 'object' }> {
  // The last "models" member, as JSON.parse reads a key given twice.
  const models = root.kind === 'object' ? root.members.filter((m) => m.key === 'models').pop()?.value : undefined;
  const entry = models?.kind === 'array' ? models.items[index] : undefined;
  if (entry?.kind !== 'object') throw new RecordError(`/models/${index} is not an object`);
  return entry;
}
