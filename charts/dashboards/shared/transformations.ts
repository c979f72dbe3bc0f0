/** Table transformations the dashboards share: join instant queries, hide and rename columns. */
import type { DataTransformerConfig } from '@grafana/grafana-foundation-sdk/dashboard';

/** Joins the rows of several instant queries on their common labels. */
export function merge(): DataTransformerConfig {
  return { id: 'merge', options: {} };
}

/** Hides the columns `hide` and renames others (`{ "Value #B": "ready" }`). */
export function organize(hide: string[], rename?: Record<string, string>): DataTransformerConfig {
  const excludeByName = Object.fromEntries(hide.map((name) => [name, true]));
  return { id: 'organize', options: rename === undefined ? { excludeByName } : { excludeByName, renameByName: rename } };
}
