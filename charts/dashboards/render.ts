/**
 * The chart's dashboards, by the file name they ship under (charts/tern/files/dashboards/), and their
 * JSON text: what `make dashboards` writes and what the stale check compares with the committed files.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { modelServing } from './model-serving.js';
import { ternOverview } from './tern-overview.js';

/** Where the chart takes the dashboards from, relative to the repository root. */
export const DASHBOARD_FILES_DIR = 'charts/tern/files/dashboards';

export const DASHBOARDS: Record<string, () => Dashboard> = {
  'model-serving.json': modelServing,
  'tern-overview.json': ternOverview,
};

/** The file text of one dashboard: the SDK's object as indented JSON, one trailing newline. */
export function renderDashboardJson(build: () => Dashboard): string {
  return `${JSON.stringify(build(), null, 2)}\n`;
}
