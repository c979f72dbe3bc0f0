/**
 * "Tern overview" (tern-overview.json): ModelReleases as tern-operator sees them — phases, canary weights,
 * analysis against thresholds, rollbacks and rollouts, and the operator's own reconcile loop.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { FieldColorBuilder, FieldColorModeId, MappingType } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueGraphMode, GraphDrawStyle, LineInterpolation, VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import { datasourceVariable } from './shared/datasource.js';
import { buildDashboard, ternDashboard } from './shared/frame.js';
import { DASHED, row, stat, table, timeseries } from './shared/panels.js';
import { increase, quantile, rate, sumBy } from './shared/promql.js';
import { instantQuery, rangeQuery } from './shared/queries.js';
import { organize } from './shared/transformations.js';
import { labelVariable, selector } from './shared/variables.js';

/** An operator series of the selected releases. */
const release = (metric: string): string => selector(metric, ['namespace', 'release']);
/** Every selected release, as 0: keeps a counter's table and graph from being empty before its first event. */
const everyRelease = sumBy('namespace, release', release('tern_release_canary_weight'));

export function ternOverview(): Dashboard {
  const dashboard = ternDashboard({
    uid: 'tern-overview',
    title: 'Tern overview',
    description: 'ModelReleases as tern-operator sees them: phases, canary weights, analysis against thresholds, rollbacks, reconciles.',
    variables: [
      datasourceVariable(),
      labelVariable('namespace', 'Namespace', 'tern_release_phase', []),
      labelVariable('release', 'Release', 'tern_release_phase', ['namespace']),
    ],
  });

  dashboard
    .withRow(row(1, 'Releases'))
    .withPanel(
      stat({
        id: 2, title: 'Releases by phase', width: 8, height: 6,
        description: 'How many ModelReleases are in each phase (tern_release_phase == 1).',
        queries: [instantQuery(`count by (phase) (${release('tern_release_phase')} == 1)`, '{{phase}}')],
      })
        .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.PaletteClassic))
        .graphMode(BigValueGraphMode.None)
        .orientation(VizOrientation.Horizontal),
    )
    .withPanel(
      table({
        id: 3, title: 'Phase of each release', width: 16, height: 6,
        description: 'The current phase of every ModelRelease.',
        queries: [instantQuery(`max by (namespace, release, phase) (${release('tern_release_phase')} == 1)`)],
      }).withTransformation(organize(['Time', 'Value'])),
    )
    .withPanel(
      timeseries({
        id: 4, title: 'Canary weight', width: 24, height: 8,
        description: 'Percent of live traffic the candidate takes (status.canaryWeight); drops to 0 on a rollback.',
        queries: [rangeQuery(`max by (namespace, release) (${release('tern_release_canary_weight')})`, '{{namespace}}/{{release}}')],
      })
        .unit('percent').min(0).max(100)
        .lineInterpolation(LineInterpolation.StepAfter)
        .fillOpacity(10),
    );

  dashboard
    .withRow(row(5, 'Analysis'))
    .withPanel(
      timeseries({
        id: 6, title: 'Analysis values against thresholds', width: 16, height: 9,
        description: "Each check's last measurement (solid) and its threshold (dashed), per release, check and track.",
        queries: [
          rangeQuery(`max by (release, check, track) (${release('tern_analysis_check_value')})`, '{{release}} {{check}} ({{track}})'),
          rangeQuery(`max by (release, check, track) (${release('tern_analysis_check_threshold')})`, '{{release}} {{check}} threshold'),
        ],
      }).overrideByRegexp('.* threshold', DASHED),
    )
    .withPanel(
      table({
        id: 7, title: 'Last analysis outcome', width: 8, height: 9,
        description: "The outcome of each check's last measurement: Successful, Failed, Inconclusive or Error.",
        queries: [instantQuery(`max by (release, check, track, outcome) (${release('tern_analysis_check_outcome')} == 1)`)],
      })
        .overrideByName('outcome', [
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
          {
            id: 'mappings',
            value: [{
              type: MappingType.ValueToText,
              options: {
                Successful: { color: 'green', index: 0 },
                Failed: { color: 'red', index: 1 },
                Inconclusive: { color: 'yellow', index: 2 },
                Error: { color: 'orange', index: 3 },
              },
            }],
          },
        ])
        .withTransformation(organize(['Time', 'Value'])),
    );

  dashboard
    .withRow(row(8, 'Rollbacks and rollouts'))
    .withPanel(
      table({
        id: 9, title: 'Rollbacks by reason', width: 12, height: 8,
        description: 'Rollbacks since the operator started, by release and reason (the failed check, Manual, GitOpsRevert, StagingGate, ...). 0: none yet.',
        queries: [instantQuery(`${sumBy('namespace, release, reason', release('tern_rollbacks_total'))} or ${everyRelease} * 0`)],
      }).withTransformation(organize(['Time'], { Value: 'rollbacks' })),
    )
    .withPanel(
      timeseries({
        id: 10, title: 'Rollbacks over time', width: 12, height: 8,
        description: 'Rollbacks per interval, by release and reason.',
        queries: [
          rangeQuery(
            `${sumBy('release, reason', increase(release('tern_rollbacks_total')))} or sum by (release) (${everyRelease} * 0)`,
            '{{release}} {{reason}}',
          ),
        ],
      })
        .drawStyle(GraphDrawStyle.Bars)
        .fillOpacity(60),
    )
    .withPanel(
      table({
        id: 11, title: 'Rollouts by outcome', width: 12, height: 7,
        description: 'Finished releases since the operator started: Promoted, RolledBack, Failed, Superseded.',
        queries: [instantQuery(`${sumBy('namespace, release, outcome', release('tern_rollouts_total'))} or ${everyRelease} * 0`)],
      }).withTransformation(organize(['Time'], { Value: 'rollouts' })),
    )
    .withPanel(
      timeseries({
        id: 12, title: 'Operator leader', width: 12, height: 7,
        description: 'tern_leader per operator replica: exactly one should be 1.',
        queries: [rangeQuery('max by (identity) (tern_leader)', '{{identity}}')],
      })
        .min(0).max(1)
        .lineInterpolation(LineInterpolation.StepAfter),
    );

  dashboard
    .withRow(row(13, 'Operator'))
    .withPanel(
      timeseries({
        id: 14, title: 'Reconcile latency', width: 12, height: 8,
        description: 'Reconcile duration quantiles across all releases.',
        queries: [0.5, 0.95, 0.99].map((q) => rangeQuery(quantile(q, '', 'tern_reconcile_duration_seconds_bucket'), `p${Math.round(q * 100)}`)),
      }).unit('s'),
    )
    .withPanel(
      timeseries({
        id: 15, title: 'Reconciles by result', width: 12, height: 8,
        description: 'Reconciles per second, success or error, and reconcile errors.',
        queries: [
          rangeQuery(sumBy('result', rate('tern_reconcile_duration_seconds_count')), '{{result}}'),
          rangeQuery(`sum(${rate('tern_reconcile_errors_total')})`, 'errors'),
        ],
      }).unit('ops'),
    )
    .withPanel(
      timeseries({
        id: 16, title: 'Work queue depth', width: 12, height: 7,
        description: 'Keys waiting for a reconcile.',
        queries: [rangeQuery('max(tern_workqueue_depth)', 'depth')],
      }),
    )
    .withPanel(
      timeseries({
        id: 17, title: 'API writes', width: 12, height: 7,
        description: 'Writes to the Kubernetes API per second, by verb and resource.',
        queries: [rangeQuery(sumBy('verb, resource', rate('tern_api_writes_total')), '{{verb}} {{resource}}')],
      }).unit('ops'),
    );

  return buildDashboard(dashboard);
}
