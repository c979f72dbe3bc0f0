/**
 * What every Tern dashboard has around its panels: the `tern` tag and the link menu to the others, the
 * built-in annotations, the last hour refreshed every 30 s, a shared crosshair, and its variables.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { Dashboard, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { AnnotationQueryBuilder, DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The dashboard JSON schema version the files declare, as before the SDK (which would write its own, 42):
 * the panels use nothing newer, and Grafana migrates a lower version up when it loads the dashboard.
 */
export const SCHEMA_VERSION = 39;

export interface FrameSpec {
  /** Stable: Grafana (and links to the dashboard) find it by this. */
  uid: string;
  title: string;
  description: string;
  variables: cog.Builder<VariableModel>[];
}

/** A dashboard with the frame, ready for `.withRow(...)` and `.withPanel(...)`. */
export function ternDashboard(spec: FrameSpec): DashboardBuilder {
  return new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['tern'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .version(1)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .fiscalYearStartMonth(0)
    .liveNow(false)
    .weekStart('')
    .link(
      new DashboardLinkBuilder('Tern dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags(['tern'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .icon('external link')
        .targetBlank(false)
        .tooltip('')
        .url(''),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .type('dashboard'),
    )
    .variables(spec.variables);
}

/** The dashboard object the chart ships. */
export function buildDashboard(builder: DashboardBuilder): Dashboard {
  return { ...builder.build(), schemaVersion: SCHEMA_VERSION };
}
