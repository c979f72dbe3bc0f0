/**
 * The demo's closing summary, pure: what happened in each act with timings (from the observed
 * timeline), the traffic served, the release's history, and where to look next.
 */
import type { ModelRelease } from '../../operator/api/model-release-schema.js';
import type { GatewayTotals } from './gateway.js';
import type { TimelineEntry } from './observer.js';

/** One act of the story. */
export interface Act {
  title: string;
  startedAt: number;
  endedAt?: number;
}

/** What the summary is made from. */
export interface SummaryInput {
  startedAt: number;
  endedAt: number;
  acts: Act[];
  timeline: TimelineEntry[];
  release?: ModelRelease;
  totals?: GatewayTotals;
  namespace: string;
  kubeconfig: string;
  kubectl: string;
  prometheusUrl?: string;
  logsDir: string;
  manifestFile: string;
  /** The demo's copy of the registry (where `tern registry record` writes the outcome). */
  registryFile: string;
  /** True when the cluster, operator and traffic keep running after the summary (until Ctrl-C). */
  kept: boolean;
}

const secs = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))}s`;

/** "Staging 8s → Canary 25% 21s → ..." for the timeline entries within [from, to). */
export function phaseTrail(timeline: readonly TimelineEntry[], from: number, to: number): string {
  const parts: Array<{ label: string; ms: number }> = [];
  for (let i = 0; i < timeline.length; i++) {
    const e = timeline[i] as TimelineEntry;
    const next = timeline[i + 1]?.at ?? to;
    const start = Math.max(e.at, from);
    const end = Math.min(next, to);
    if (end <= start && !(e.at >= from && e.at < to)) continue;
    const label = e.phase === 'Canary' || e.phase === 'Paused' ? `${e.phase} ${e.weight}%` : e.phase;
    const last = parts[parts.length - 1];
    if (last && last.label === label) last.ms += Math.max(0, end - start);
    else parts.push({ label, ms: Math.max(0, end - start) });
  }
  return parts.map((p, i) => (i === parts.length - 1 ? p.label : `${p.label} ${secs(p.ms)}`)).join(' → ');
}

/** The summary as lines. */
export function renderSummary(s: SummaryInput): string[] {
  const lines: string[] = ['', `Tern demo: done in ${secs(s.endedAt - s.startedAt)}`, ''];
  for (const act of s.acts) {
    const end = act.endedAt ?? s.endedAt;
    const trail = phaseTrail(s.timeline, act.startedAt, end);
    lines.push(`  ${act.title.padEnd(52)} ${secs(end - act.startedAt).padStart(5)}${trail ? `   ${trail}` : ''}`);
  }
  const st = s.release?.status;
  if (st) {
    lines.push('', `  Now: phase ${st.phase ?? '-'}, stable ${st.stable?.version ?? '-'}${st.candidate ? `, candidate ${st.candidate.version}` : ''}.`);
    const degraded = st.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
    if (degraded) lines.push(`  Degraded: ${degraded.message}`);
    if (st.history?.length) {
      lines.push('  History (newest first):');
      for (const h of st.history) lines.push(`    ${h.version.padEnd(8)} ${h.outcome.padEnd(11)} ${secs(Date.parse(h.finishedAt) - Date.parse(h.startedAt)).padStart(5)}${h.reason ? `  ${h.reason}` : ''}`);
    }
  }
  if (s.totals) {
    const versions = Object.entries(s.totals.byVersion)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([v, n]) => `${v}: ${n}`)
      .join(', ');
    const errors = Object.entries(s.totals.byStatus).filter(([code]) => !code.startsWith('2')).map(([code, n]) => `${code}: ${n}`);
    lines.push('', `  Traffic through the demo gateway: ${s.totals.requests} requests (${versions})${errors.length ? `; non-2xx ${errors.join(', ')}` : '; all 2xx'}.`);
  }
  lines.push('', 'Where to look next:');
  if (s.kept) {
    lines.push('  The cluster lives in its own network namespace; in another terminal, `make cluster-shell` opens a shell there');
    lines.push(`  (KUBECONFIG=${s.kubeconfig}, kubectl and tern on PATH), then:`);
    lines.push(`  kubectl get mr -n ${s.namespace}          # or any kubectl; -o wide adds model and message`);
    lines.push(`  tern status species -n ${s.namespace} --watch`);
    lines.push(`  tern registry record species -n ${s.namespace} --registry ${s.registryFile}   # the outcome into the registry copy`);
    if (s.prometheusUrl) lines.push(`  Prometheus: ${s.prometheusUrl}/graph?g0.expr=tern_server_target_score_mean  (query tern_server_* by release, track, version)`);
  } else {
    lines.push('  Everything the demo started has been stopped. To explore a live cluster: `make cluster-up`, then');
    lines.push(`  \`make demo\` again (it reuses that cluster and leaves it running), then \`make kubectl ARGS="get mr -n ${s.namespace}"\`.`);
    if (s.prometheusUrl) lines.push(`  Prometheus was at ${s.prometheusUrl}.`);
  }
  lines.push('  Dashboards: import charts/tern/files/dashboards/*.json (Grafana: Dashboards → New → Import) with a Prometheus data source at the URL above.');
  lines.push(`  The manifest applied last: ${s.manifestFile}; logs (operator, gateway traffic, pods): ${s.logsDir}`);
  if (s.kept) lines.push('', 'Everything keeps running so you can look around. Ctrl-C stops all of it.');
  return lines;
}
