/**
 * The one data source of every Tern dashboard: Prometheus, picked by the dashboard's `datasource` variable.
 * Every panel, query and query variable points here, so `${datasource}` is written once.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';
import { DatasourceVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/** The `datasource` variable as a data source reference. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** The `datasource` variable: any Prometheus data source of the Grafana instance. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').regex('');
}
