/**
 * The demo's live view, pure: the state the demo has observed -> the lines of one frame (TTY), or the
 * lines worth printing since the last look (plain output when stdout is not a terminal).
 */
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import { withDefaults } from '../../operator/api/defaults.js';
import type { EventRecord } from '../../operator/cli/commands/release-client.js';
import type { GatewayTotals, SplitStats } from './gateway.js';

/** Everything a frame shows. */
export interface ViewState {
  startedAt: number;
  now: number;
  /** The act in progress, e.g. "2/3 release species-1.1.0". */
  act: string;
  release?: ModelRelease;
  events: EventRecord[];
  split?: SplitStats;
  totals?: GatewayTotals;
  /** The demo's own progress lines, oldest first. */
  log: Array<{ at: number; text: string }>;
}

/** `[#####.....]`-style bar of `fraction` (0..1) in `width` cells. */
export function bar(fraction: number, width: number, full = '█', empty = '░'): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return full.repeat(n) + empty.repeat(width - n);
}

/** Seconds since `startedAt` as `  42s` / ` 3m05s`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s`.padStart(5) : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`.padStart(6);
}

const num = (v: number | undefined): string => (v === undefined ? '-' : String(Number(v.toFixed(3))));

/** The step line: "step 2/3 · setWeight 50% · pause 20s (12s in)". */
function stepText(release: ModelRelease, now: number): string {
  const st = release.status ?? {};
  const steps = withDefaults(release.spec).rollout.steps;
  if (st.currentStep === undefined || !['Canary', 'Paused', 'Promoting'].includes(st.phase ?? '')) return '';
  const step = steps[st.currentStep];
  const since = st.stepSince ? ` (${Math.max(0, Math.round((now - Date.parse(st.stepSince)) / 1000))}s in)` : '';
  return `step ${st.currentStep + 1}/${steps.length} · setWeight ${step?.setWeight ?? '?'}% · pause ${step?.pause ?? 'until promote'}${since}`;
}

/** The candidate's share now (0 outside a canary). */
export function candidateWeight(release: ModelRelease): number {
  const st = release.status ?? {};
  return st.phase === 'Canary' || st.phase === 'Paused' || st.phase === 'Promoting' ? (st.canaryWeight ?? 0) : 0;
}

/** One check as text: "drift      0.012  (< 0.1)   Successful". */
export function checkText(c: NonNullable<NonNullable<ModelRelease['status']>['analysis']>[number]): string {
  const mark = c.outcome === 'Successful' ? 'ok  ' : c.outcome === 'Failed' ? 'FAIL' : c.outcome === 'Inconclusive' ? 'wait' : 'err ';
  return `${mark} ${c.name.padEnd(15)} ${num(c.value).padStart(8)}  vs ${(c.threshold ?? '-').padEnd(8)} ${c.track}`;
}

function eventText(e: EventRecord): string {
  const count = (e.series?.count ?? 1) > 1 ? ` (x${e.series?.count})` : '';
  return `${(e.type ?? '').padEnd(7)} ${(e.reason ?? '').padEnd(18)} ${e.note ?? ''}${count}`;
}

/** The frame for a terminal `width` columns wide. */
export function renderFrame(s: ViewState, width = 100): string[] {
  const w = Math.max(60, width);
  const cut = (line: string) => (line.length > w ? `${line.slice(0, w - 1)}…` : line);
  const lines: string[] = [];
  lines.push(`Tern demo · ${clock(s.now - s.startedAt).trim()} · ${s.act}`);
  lines.push('─'.repeat(Math.min(w, 100)));
  const r = s.release;
  if (r) {
    const st = r.status ?? {};
    const weight = candidateWeight(r);
    lines.push(`ModelRelease ${r.metadata.namespace}/${r.metadata.name}   phase ${st.phase ?? 'Pending'}   ${stepText(r, s.now)}`);
    lines.push(`  stable    ${(st.stable?.version ?? '-').padEnd(8)} ${bar((100 - weight) / 100, 30)} ${String(100 - weight).padStart(3)}%`);
    lines.push(`  candidate ${(st.candidate?.version ?? '-').padEnd(8)} ${bar(weight / 100, 30)} ${String(weight).padStart(3)}%   (router ${withDefaults(r.spec).traffic.router})`);
    if (st.message) lines.push(`  ${st.message}`);
  } else lines.push('ModelRelease: not applied yet');
  if (s.split) {
    const total = Object.values(s.split.byVersion).reduce((a, b) => a + b, 0);
    const parts = Object.entries(s.split.byVersion)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([v, n]) => `${v} ${total ? Math.round((100 * n) / total) : 0}%`);
    lines.push(`  traffic (gateway, last 10 s): ${s.split.rps.toFixed(1)} req/s · ${parts.join(' · ') || 'no answers yet'}${s.split.errors ? ` · ${s.split.errors} errors` : ''}`);
  }
  const checks = r?.status?.analysis ?? [];
  lines.push('', 'Checks (last measurement, value vs threshold):');
  if (checks.length === 0) lines.push('  (none yet: measured during canary steps)');
  else for (const c of checks) lines.push(`  ${checkText(c)}`);
  lines.push('', 'Recent events:');
  if (s.events.length === 0) lines.push('  (none yet)');
  else for (const e of s.events.slice(-5)) lines.push(`  ${eventText(e)}`);
  lines.push('', 'Demo:');
  for (const l of s.log.slice(-4)) lines.push(`  ${clock(l.at - s.startedAt)}  ${l.text}`);
  lines.push('', 'Ctrl-C stops everything the demo started.');
  return lines.map(cut);
}

/** What plain output has printed so far. */
export interface PlainMemo {
  logCount: number;
  status: string;
  checks: Map<string, string>;
  events: Set<string>;
}

/** A fresh memo. */
export function plainMemo(): PlainMemo {
  return { logCount: 0, status: '', checks: new Map(), events: new Set() };
}

/** The lines to print since `memo` (which is updated): progress, phase/step/weight changes, check outcomes, new events. */
export function plainLines(s: ViewState, memo: PlainMemo): string[] {
  const t = (at: number) => `[${clock(at - s.startedAt)}]`;
  const out: string[] = [];
  for (const l of s.log.slice(memo.logCount)) out.push(`${t(l.at)} ${l.text}`);
  memo.logCount = s.log.length;
  const r = s.release;
  if (r) {
    const st = r.status ?? {};
    const weight = candidateWeight(r);
    const status = `phase ${st.phase ?? 'Pending'} stable ${st.stable?.version ?? '-'} candidate ${st.candidate?.version ?? '-'} weight ${weight}%${st.currentStep !== undefined && weight > 0 ? ` step ${st.currentStep + 1}` : ''}`;
    if (status !== memo.status) {
      out.push(`${t(s.now)} ${r.metadata.name}: ${status} [${bar(weight / 100, 20, '#', '.')}]${st.message ? ` - ${st.message}` : ''}`);
      memo.status = status;
    }
    for (const c of st.analysis ?? []) {
      const key = `${c.name}/${c.track}`;
      if (memo.checks.get(key) !== c.outcome) {
        out.push(`${t(s.now)}   check ${checkText(c)}`);
        memo.checks.set(key, c.outcome);
      }
    }
  }
  for (const e of s.events) {
    const key = `${e.reason}|${e.note}`;
    if (memo.events.has(key)) continue;
    memo.events.add(key);
    out.push(`${t(s.now)}   event ${eventText(e)}`);
  }
  return out;
}
