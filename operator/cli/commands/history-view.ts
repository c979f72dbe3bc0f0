/**
 * The release record of `tern status` (the same one `tern registry record` writes into the registry):
 * the newest releases with their outcome, and per step the weight, duration and each check's last
 * value against its threshold. Pure: history -> lines.
 */
import type { CheckRecord, HistoryEntry } from '../../api/model-release-schema.js';

/** How many releases `tern status` shows. */
export const SHOWN_RELEASES = 3;

const number = (value: number | undefined): string => (value === undefined ? '-' : String(Number(value.toFixed(4))));
const check = (c: CheckRecord): string => `${c.name}${c.track === 'canary' ? '' : `(${c.track})`} ${c.outcome} ${number(c.value)}${c.threshold ? ` (${c.threshold})` : ''}`;

function seconds(total: number): string {
  if (total < 120) return `${Math.round(total)}s`;
  if (total < 7200) return `${Math.round(total / 60)}m`;
  return `${Math.round(total / 3600)}h`;
}

/** Lines for the newest `limit` history entries (newest first), indented like the rest of the view. */
export function historyLines(history: HistoryEntry[] | undefined, limit = SHOWN_RELEASES): string[] {
  const entries = (history ?? []).slice(0, limit);
  if (entries.length === 0) return ['  (no release has ended yet)'];
  const lines: string[] = [];
  for (const h of entries) {
    const took = seconds(Math.max(0, (Date.parse(h.finishedAt) - Date.parse(h.startedAt)) / 1000));
    const failed = h.failedCheck ? `; failed: ${check(h.failedCheck)}` : '';
    const change = h.change?.startsWith('serving:') ? `  [${h.change}]` : '';
    lines.push(`  ${h.version}${change}  ${h.outcome}${h.reason ? ` (${h.reason})` : ''}  ended ${h.finishedAt}, took ${took}${failed}`);
    for (const s of h.steps ?? []) {
      const label = s.shadow ? `shadow ${s.weight}% mirrored` : `step ${s.step ?? '?'} ${s.weight}%`;
      lines.push(`    ${label}  ${seconds(s.seconds)}  ${s.checks.length ? s.checks.map(check).join(', ') : 'no check measured'}`);
    }
  }
  return lines;
}
