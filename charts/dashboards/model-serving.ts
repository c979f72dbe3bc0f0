/**
 * "Model serving" (model-serving.json): the tern-server pods of each release, track (stable/canary) and
 * version — models served, traffic, errors, latency, batching, predictions and drift.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueGraphMode, LineInterpolation, VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import { YAxisConfigBuilder } from '@grafana/grafana-foundation-sdk/heatmap';
import { datasourceVariable } from './shared/datasource.js';
import { buildDashboard, ternDashboard } from './shared/frame.js';
import { DASHED, barGauge, heatmap, row, stat, table, tableLegend, timeseries } from './shared/panels.js';
import { increase, orZero, quantile, rate, sumBy } from './shared/promql.js';
import { heatmapQuery, instantQuery, rangeQuery } from './shared/queries.js';
import { redBelow } from './shared/thresholds.js';
import { merge, organize } from './shared/transformations.js';
import { labelVariable, selector } from './shared/variables.js';

/** A tern-server series of the selected namespaces, releases and tracks. */
const pod = (metric: string, extra?: string): string => selector(metric, ['namespace', 'release', 'track'], extra);
/** The inference routes (not probes or metrics). */
const INFERENCE = 'route=~"/v1/predict|/v2/models/.+/infer"';
/** What the panels break series down by, and the legend that names them. */
const BY = 'release, track, version';
const SERIES = '{{release}} {{track}} {{version}}';
const requests = (extra?: string): string => pod('tern_server_http_requests_total', extra === undefined ? INFERENCE : `${INFERENCE}, ${extra}`);
/** Every selected pod group, as 0: a ratio or counter that has not moved yet still shows. */
const everyGroup = sumBy(BY, pod('tern_server_model_ready'));
/** The share of inference requests that `counter` counts (0 while it has not counted any). */
const perRequest = (counter: string): string => `(${orZero(sumBy(BY, rate(counter)), everyGroup)}) / ${sumBy(BY, rate(requests()))}`;

export function modelServing(): Dashboard {
  const dashboard = ternDashboard({
    uid: 'tern-model-serving',
    title: 'Model serving',
    description: 'tern-server pods per release, track (stable/canary) and version: traffic, errors, latency, predictions, drift, batching.',
    variables: [
      datasourceVariable(),
      labelVariable('namespace', 'Namespace', 'tern_server_model_info', []),
      labelVariable('release', 'Release', 'tern_server_model_info', ['namespace']),
      labelVariable('track', 'Track', 'tern_server_model_info', ['namespace', 'release']),
    ],
  });

  dashboard
    .withRow(row(1, 'Models'))
    .withPanel(
      table({
        id: 2, title: 'Models served', width: 16, height: 6,
        description: 'Every serving pod group: model, version, execution provider in use, weights sha256, readiness, model load time (download to ready, slowest pod) and the rejection threshold in force.',
        queries: [
          instantQuery(`max by (${BY}, model, provider, sha256) (${pod('tern_server_model_info')})`),
          instantQuery(`min by (${BY}) (${pod('tern_server_model_ready')})`),
          instantQuery(`max by (${BY}) (${pod('tern_server_model_load_seconds')})`),
          instantQuery(`max by (${BY}) (${pod('tern_server_rejection_threshold')})`),
        ],
      })
        .withTransformation(merge())
        .withTransformation(organize(['Time', 'Value #A'], { 'Value #B': 'ready', 'Value #C': 'load time (s)', 'Value #D': 'rejection threshold' })),
    )
    .withPanel(
      stat({
        id: 3, title: 'Availability (5 min)', width: 8, height: 6,
        description: 'Share of non-5xx responses over the last 5 minutes (tern_server_availability_ratio), lowest pod per track. Alert below 95 %.',
        queries: [rangeQuery(`min by (${BY}) (${pod('tern_server_availability_ratio')})`, SERIES)],
      })
        .unit('percentunit').min(0).max(1)
        .thresholds(redBelow(0.95))
        .graphMode(BigValueGraphMode.Area)
        .orientation(VizOrientation.Auto),
    );

  dashboard
    .withRow(row(4, 'Traffic'))
    .withPanel(
      timeseries({
        id: 5, title: 'Request rate by status class', width: 12, height: 8,
        description: 'Inference requests per second by track, version and status class (2xx, 4xx, 5xx).',
        queries: [
          rangeQuery(
            sumBy(`${BY}, code_class`, `label_replace(${rate(requests())}, "code_class", "\${1}xx", "code", "([0-9])[0-9][0-9]")`),
            `${SERIES} {{code_class}}`,
          ),
        ],
      }).unit('reqps'),
    )
    .withPanel(
      timeseries({
        id: 6, title: 'Error rates', width: 12, height: 8,
        description: 'Share of inference requests answered 5xx, rejected as "not a target", and failed inference runs per request.',
        queries: [
          rangeQuery(perRequest(requests('code=~"5.."')), `${SERIES} 5xx`),
          rangeQuery(perRequest(pod('tern_server_rejections_total', 'reason="not_a_target"')), `${SERIES} not a target`),
          rangeQuery(perRequest(pod('tern_server_inference_errors_total')), `${SERIES} inference errors`),
        ],
      }).unit('percentunit').min(0),
    )
    .withPanel(
      timeseries({
        id: 7, title: 'Latency p50 / p95 / p99', width: 12, height: 8,
        description: 'Inference latency quantiles aggregated across pods, by track and version. Alert: p95 above 2 s.',
        queries: [0.5, 0.95, 0.99].map((q) =>
          rangeQuery(quantile(q, BY, pod('tern_server_http_request_duration_seconds_bucket', INFERENCE)), `${SERIES} p${Math.round(q * 100)}`),
        ),
      }).unit('s'),
    )
    .withPanel(
      timeseries({
        id: 8, title: 'Rejections by reason', width: 12, height: 8,
        description: 'Rejected inputs per second, by reason (not_a_target, invalid_input, ...).',
        queries: [rangeQuery(orZero(sumBy(`${BY}, reason`, rate(pod('tern_server_rejections_total'))), everyGroup), `${SERIES} {{reason}}`)],
      }).unit('ops'),
    )
    .withPanel(
      timeseries({
        id: 9, title: 'Inference errors by model', width: 12, height: 8,
        description: 'Failed inference runs per second, by model.',
        queries: [
          rangeQuery(
            orZero(sumBy(`${BY}, model`, rate(pod('tern_server_inference_errors_total'))), sumBy(`${BY}, model`, pod('tern_server_model_info'))),
            `${SERIES} {{model}}`,
          ),
        ],
      }).unit('ops'),
    )
    .withPanel(
      timeseries({
        id: 10, title: 'Batch size', width: 12, height: 8,
        description: 'Inputs per inference run (dynamic batching): mean and p95.',
        queries: [
          rangeQuery(`${sumBy(BY, rate(pod('tern_server_batch_size_sum')))} / ${sumBy(BY, rate(pod('tern_server_batch_size_count')))}`, `${SERIES} mean`),
          rangeQuery(quantile(0.95, BY, pod('tern_server_batch_size_bucket')), `${SERIES} p95`),
        ],
      }),
    );

  dashboard
    .withRow(row(11, 'Predictions'))
    .withPanel(
      heatmap({
        id: 12, title: 'Confidence histogram', width: 12, height: 8,
        description: 'Distribution of prediction confidence over time (all selected pods).',
        queries: [heatmapQuery(sumBy('le', increase(pod('tern_server_prediction_confidence_bucket'))))],
      }, 'Oranges', 'dark-orange').yAxis(new YAxisConfigBuilder().unit('percentunit')),
    )
    .withPanel(
      heatmap({
        id: 13, title: 'Target score histogram', width: 12, height: 8,
        description: 'Distribution of the "is this a target" score of every input.',
        queries: [heatmapQuery(sumBy('le', increase(pod('tern_server_target_score_bucket'))))],
      }, 'Blues', 'dark-blue'),
    )
    .withPanel(
      barGauge({
        id: 14, title: 'Predicted class totals', width: 12, height: 8,
        description: 'Predictions per class over the selected time range.',
        queries: [instantQuery(sumBy('class', increase(pod('tern_server_predictions_total'), '$__range')), '{{class}}')],
      }),
    )
    .withPanel(
      timeseries({
        id: 15, title: 'Predictions by class', width: 12, height: 8,
        description: 'Predictions per second by class, track and version.',
        queries: [rangeQuery(sumBy(`${BY}, class`, rate(pod('tern_server_predictions_total'))), `${SERIES} {{class}}`)],
      }).unit('ops'),
    )
    .withPanel(
      timeseries({
        id: 21, title: 'Average confidence', width: 24, height: 8,
        description: 'Mean confidence of the answered predictions (rejected inputs excluded) per track and version. TernModelConfidenceLow fires below monitoring.prometheusRule.thresholds.confidenceMeanMin (default 0.75) over 5 minutes.',
        queries: [
          rangeQuery(`${sumBy(BY, rate(pod('tern_server_prediction_confidence_sum')))} / ${sumBy(BY, rate(pod('tern_server_prediction_confidence_count')))}`, SERIES),
        ],
      })
        .unit('percentunit').min(0).max(1)
        .legend(tableLegend(['mean', 'lastNotNull'])),
    );

  dashboard
    .withRow(row(16, 'Drift'))
    .withPanel(
      timeseries({
        id: 17, title: 'Score mean against baseline', width: 12, height: 8,
        description: 'Mean target score of the drift window (solid) against the baseline from the metrics snapshot (dashed). The alarm fires when the mean drops too far below.',
        queries: [
          rangeQuery(`avg by (${BY}) (${pod('tern_server_target_score_mean')})`, `${SERIES} mean`),
          rangeQuery(`avg by (${BY}) (${pod('tern_server_drift_baseline_score')})`, `${SERIES} baseline`),
        ],
      })
        .min(0).max(1)
        .overrideByRegexp('.* baseline', DASHED),
    )
    .withPanel(
      timeseries({
        id: 18, title: 'Drift alarms', width: 12, height: 8,
        description: '1 while a drift alarm is active; alarms raised in each interval.',
        queries: [
          rangeQuery(`max by (${BY}) (${pod('tern_server_drift_alarm_active')})`, `${SERIES} active`),
          rangeQuery(sumBy(BY, increase(pod('tern_server_drift_alarms_total'))), `${SERIES} raised`),
        ],
      })
        .min(0)
        .lineInterpolation(LineInterpolation.StepAfter),
    )
    .withPanel(
      timeseries({
        id: 19, title: 'Drift window size', width: 12, height: 7,
        description: 'Scores in the drift window: the alarm is armed once it holds enough (50).',
        queries: [rangeQuery(`max by (${BY}) (${pod('tern_server_drift_window_size')})`, SERIES)],
      }),
    )
    .withPanel(
      timeseries({
        id: 20, title: 'Availability over time', width: 12, height: 7,
        description: 'Non-5xx share over the last 5 minutes, lowest pod per track and version.',
        queries: [rangeQuery(`min by (${BY}) (${pod('tern_server_availability_ratio')})`, SERIES)],
      })
        .unit('percentunit').min(0).max(1),
    );

  return buildDashboard(dashboard);
}
