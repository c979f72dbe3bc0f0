// Renders the local Prometheus configuration: pods discovered through the local API server
// (kubernetes_sd_configs, role pod), kept when annotated `prometheus.io/scrape: "true"`, scraped at
// pod IP + `prometheus.io/port`, and relabelled per docs/conventions.md. Pods on kwok's fake nodes are skipped.
import YAML from 'yaml';

/** Inputs of {@link renderPrometheusConfig}. */
export interface PrometheusConfigInput {
  apiServer: string;
  tokenFile: string;
  caFile: string;
  scrapeInterval?: string;
}

const podLabel = (name: string) => `__meta_kubernetes_pod_label_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;

/** The prometheus.yml text. */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const interval = input.scrapeInterval ?? '5s';
  return YAML.stringify({
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: [
      {
        job_name: 'kubernetes-pods',
        // tern-operator's series carry the ModelRelease's own namespace/release labels: keep them (as the
        // chart's ServiceMonitor does) instead of renaming them exported_namespace. Server series are unaffected.
        honor_labels: true,
        // Prometheus 3 refuses targets without a Content-Type unless told what to assume.
        fallback_scrape_protocol: 'PrometheusText0.0.4',
        kubernetes_sd_configs: [
          {
            role: 'pod',
            api_server: input.apiServer,
            authorization: { credentials_file: input.tokenFile },
            tls_config: { ca_file: input.caFile },
          },
        ],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
          // Pods on kwok nodes (kwok.ts) have no process behind their fake address: nothing to scrape.
          { source_labels: ['__meta_kubernetes_pod_node_name'], regex: 'kwok-.*', action: 'drop' },
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], regex: '(.+)', target_label: '__metrics_path__', action: 'replace' },
          {
            source_labels: ['__meta_kubernetes_pod_ip', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
            regex: '(.+);(\\d+)',
            replacement: '$1:$2',
            target_label: '__address__',
            action: 'replace',
          },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
          { source_labels: [podLabel('serving.tern.dev/release')], target_label: 'release' },
          { source_labels: [podLabel('serving.tern.dev/track')], target_label: 'track' },
          { source_labels: [podLabel('serving.tern.dev/version')], target_label: 'version' },
        ],
      },
    ],
  });
}
