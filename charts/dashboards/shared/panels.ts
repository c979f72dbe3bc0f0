/**
 * The panel shapes the Tern dashboards are made of (time series, table, stat, heatmap, bar gauge, row),
 * each with the settings every panel of its kind shares. A dashboard file gives what is its own:
 * title, description, size, queries, unit; grid positions follow from the order (the SDK lays panels out
 * left to right, 24 columns a line).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef, DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { BarGaugeDisplayMode, BigValueColorMode, BigValueJustifyMode, BigValueTextMode, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, SortOrder, TooltipDisplayMode, VizLegendOptionsBuilder, VizOrientation, VizTooltipOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { HeatmapColorMode, HeatmapColorOptionsBuilder, HeatmapTooltipBuilder, PanelBuilder as HeatmapPanel } from '@grafana/grafana-foundation-sdk/heatmap';
import type { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './datasource.js';

/** What each panel states for itself. */
export interface PanelSpec {
  /** Stable per dashboard (links with ?viewPanel= use it): never renumber or reuse one. */
  id: number;
  title: string;
  description: string;
  /** Grid columns (of 24) and rows. */
  width: number;
  height: number;
  /** Queried in this order as refId A, B, C, ... */
  queries: DataqueryBuilder[];
}

/** The methods every SDK panel builder has that the shapes below set. */
interface AnyPanel {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: DataSourceRef): this;
  span(width: number): this;
  height(height: number): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
}

function framed<P extends AnyPanel>(panel: P, spec: PanelSpec): P {
  panel.id(spec.id).title(spec.title).description(spec.description).datasource(PROMETHEUS).span(spec.width).height(spec.height);
  spec.queries.forEach((query, i) => panel.withTarget(query.refId(String.fromCharCode(65 + i))));
  return panel;
}

/** A legend as a table on the right with the given reductions of each series. */
export function tableLegend(calcs: string[] = ['lastNotNull']): VizLegendOptionsBuilder {
  // The SDK's default legend has showLegend false: say it.
  return new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Right).calcs(calcs);
}

/** Lines over time, legend as a table on the right, a tooltip of every series (largest first). */
export function timeseries(spec: PanelSpec): TimeseriesPanel {
  return framed(new TimeseriesPanel(), spec)
    .legend(tableLegend())
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
}

/** Rows of instant queries (see transformations.ts to drop or rename columns). */
export function table(spec: PanelSpec): TablePanel {
  return framed(new TablePanel(), spec);
}

/** The last value of each series as a big coloured number with its name. */
export function stat(spec: PanelSpec): StatPanel {
  return framed(new StatPanel(), spec)
    .reduceOptions(lastValue())
    .colorMode(BigValueColorMode.Background)
    .textMode(BigValueTextMode.ValueAndName)
    .justifyMode(BigValueJustifyMode.Auto);
}

/** Histogram buckets over time (Prometheus computes them: calculate off), in one colour scheme. */
export function heatmap(spec: PanelSpec, scheme: string, fill: string): HeatmapPanel {
  return framed(new HeatmapPanel(), spec)
    .calculate(false)
    .cellGap(1)
    .color(new HeatmapColorOptionsBuilder().mode(HeatmapColorMode.Scheme).scheme(scheme).steps(64).exponent(0.5).fill(fill).reverse(false))
    .tooltip(new HeatmapTooltipBuilder().mode(TooltipDisplayMode.Single).yHistogram(false))
    .showLegend();
}

/** One horizontal bar per series, its last value. */
export function barGauge(spec: PanelSpec): BarGaugePanel {
  return framed(new BarGaugePanel(), spec)
    .orientation(VizOrientation.Horizontal)
    .displayMode(BarGaugeDisplayMode.Gradient)
    .showUnfilled(true)
    .reduceOptions(lastValue());
}

/** A section title across the dashboard (expanded: its panels follow it). */
export function row(id: number, title: string): RowBuilder {
  return new RowBuilder(title).id(id);
}

/** Field override properties: a dashed line (thresholds, baselines beside the measured series). */
export const DASHED: DynamicConfigValue[] = [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }];

function lastValue(): ReduceDataOptionsBuilder {
  return new ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false);
}
