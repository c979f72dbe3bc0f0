/**
 * `tern status` as text: phase, step, weights, checks (value against threshold), conditions, recent
 * events and the last releases' record, so a person sees what is happening and what to do next. Pure: release + events -> text.
 */
import type { ModelRelease } from '../../api/model-release-schema.js';
import { withDefaults } from '../../api/defaults.js';
import { durationMs } from '../../api/duration.js';
import { historyLines, SHOWN_RELEASES } from './history-view.js';
import type { EventRecord } from './release-client.js';

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => '  ' + r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

/** The status of `release` as lines of text. */
export function renderStatus(release: ModelRelease, events: EventRecord[], now = new Date()): string {
  const st = release.status ?? {};
  const spec = withDefaults(release.spec);
  const steps = spec.rollout.steps;
  const lines: string[] = [];
  const name = `${release.metadata.namespace ?? 'default'}/${release.metadata.name}`;
  lines.push(`ModelRelease ${name}`);
  lines.push(`  Phase:     ${st.phase ?? 'Pending'}${st.phaseSince ? ` (for ${ago(st.phaseSince, now)})` : ''}`);
  lines.push(`  Message:   ${st.message ?? ''}`);
  lines.push(`  Stable:    ${st.stable ? `${st.stable.name} ${st.stable.version}` : '-'}`);
  lines.push(`  Candidate: ${st.candidate ? `${st.candidate.name} ${st.candidate.version}${st.candidate.change?.startsWith('serving:') ? `  (serving change: ${st.candidate.change.slice('serving: '.length)})` : ''}` : '-'}`);
  const step =
    st.currentStep !== undefined
      ? `${st.currentStep + 1}/${steps.length} (setWeight ${steps[st.currentStep]?.setWeight ?? '?'}%, pause ${steps[st.currentStep]?.pause ?? 'until promote'}, since ${ago(st.stepSince, now)})`
      : (st.mirrorPercent ?? 0) > 0
        ? `shadow (${st.mirrorPercent}% mirrored)`
        : '-';
  lines.push(`  Step:      ${step}`);
  const weight = st.phase === 'Canary' || st.phase === 'Paused' || st.phase === 'Promoting' ? (st.canaryWeight ?? 0) : 0;
  if (st.restore?.trafficMovedAt) lines.push(`  Traffic:   previous track 100% (${st.stable?.version ?? ''}, warm restore) until the stable track runs it again  (router ${spec.traffic.router})`);
  else lines.push(`  Traffic:   stable ${100 - weight}%, candidate ${weight}%${(st.mirrorPercent ?? 0) > 0 ? `, mirrored ${st.mirrorPercent}%` : ''}  (router ${spec.traffic.router})`);
  if (st.bake) {
    const left = Math.max(0, Date.parse(st.bake.until) - now.getTime());
    lines.push(`  Bake:      ${st.stable?.version ?? ''} under analysis for ${ago(new Date(now.getTime() - left).toISOString(), now)} more (until ${st.bake.until}); ${st.previousStable?.version ?? '?'} kept warm (${st.bake.warmReplicas} pod) for an instant rollback`);
  }
  if (st.phase === 'Healthy' && !st.bake && st.stable && durationMs(spec.rollout.productionInterval) > 0) {
    lines.push(`  Watch:     production checks every ${spec.rollout.productionInterval} (onProductionAlarm ${spec.rollout.onProductionAlarm})${st.productionAlarm ? `; ALARM on ${st.productionAlarm.check} since ${ago(st.productionAlarm.since, now)}` : ''}`);
  }
  if (st.restore) lines.push(`  Restoring: ${st.stable?.version ?? ''} from ${st.restore.from} (${st.restore.reason}, since ${ago(st.restore.since, now)}; ${st.restore.warm ? 'warm: traffic moved at once' : 'its pods are starting'})`);
  if (st.lastRestore) {
    const r = st.lastRestore;
    const took = (Date.parse(r.trafficMovedAt ?? r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    lines.push(`  Last restore: ${r.from} -> ${r.to} (${r.reason}) ${ago(r.finishedAt, now)} ago; traffic moved in ${took}s, stable track rebuilt in ${(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000}s`);
  }
  if (st.heldSince) lines.push(`  Held:      since ${ago(st.heldSince, now)} (progress deadline ${spec.rollout.analysis.progressDeadline}, then ${spec.rollout.analysis.onProgressDeadline})`);
  lines.push(`  Generation: observed ${st.observedGeneration ?? '-'} of ${release.metadata.generation ?? '-'}`);

  const checks = st.analysis ?? [];
  lines.push('', 'Checks:');
  if (checks.length === 0) lines.push('  (none measured yet)');
  else {
    lines.push(
      ...table([
        ['CHECK', 'TRACK', 'OUTCOME', 'VALUE', 'THRESHOLD', 'AGE', 'MESSAGE'],
        ...checks.map((c) => [c.name, c.track, c.outcome, c.value === undefined ? '-' : String(Number(c.value.toFixed(4))), c.threshold ?? '-', ago(c.measuredAt, now), c.message ?? '']),
      ]),
    );
  }
  lines.push('', 'Conditions:');
  lines.push(...table([['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], ...(st.conditions ?? []).map((c) => [c.type, c.status, c.reason, ago(c.lastTransitionTime, now), c.message])]));
  lines.push('', 'Events:');
  if (events.length === 0) lines.push('  (none)');
  else {
    lines.push(
      ...table([
        ['AGE', 'TYPE', 'REASON', 'NOTE'],
        ...events.map((e) => [ago(e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp, now), e.type ?? '', e.reason ?? '', `${e.note ?? ''}${(e.series?.count ?? 1) > 1 ? ` (x${e.series?.count})` : ''}`]),
      ]),
    );
  }
  lines.push('', `Releases (newest ${SHOWN_RELEASES}; \`tern registry record\` writes them into the registry):`);
  lines.push(...historyLines(st.history));
  const next = nextAction(release);
  if (next) lines.push('', `Next: ${next}`);
  return lines.join('\n') + '\n';
}

/** What a person can do now, in one sentence. */
export function nextAction(release: ModelRelease): string | undefined {
  const n = release.metadata.name;
  switch (release.status?.phase) {
    case 'Canary':
      return `wait, or \`tern promote ${n}\` (next step), \`tern promote ${n} --full\`, \`tern pause ${n}\`, \`tern abort ${n}\``;
    case 'Paused':
      return `\`tern resume ${n}\`, \`tern promote ${n}\` or \`tern abort ${n}\``;
    case 'Staging':
      return `wait for staging, or \`tern abort ${n}\``;
    case 'RolledBack':
    case 'Failed':
      return `fix the model and change spec.model, or \`tern retry ${n}\``;
    case 'Healthy':
      return release.status?.bake ? `wait for the bake to end, or \`tern undo ${n}\` (back to ${release.status.previousStable?.version ?? 'the previous model'} at once)` : undefined;
    default:
      return undefined;
  }
}
