// renderPrometheusConfig: pod discovery through the local apiserver and the relabelling of docs/conventions.md.
import YAML from 'yaml';
import { renderPrometheusConfig } from './prometheus-config.js';

test('scrapes annotated pods at podIP:port every 5 s with namespace/pod/release/track/version labels', () => {
  const cfg = YAML.parse(renderPrometheusConfig({ apiServer: 'https://127.0.0.1:6443', tokenFile: '/t', caFile: '/ca' })) as {
    global: { scrape_interval: string };
    scrape_configs: Array<{ kubernetes_sd_configs: Array<Record<string, unknown>>; relabel_configs: Array<Record<string, unknown>> }>;
  };
  expect(cfg.global.scrape_interval).toBe('5s');
  const job = cfg.scrape_configs[0]!;
  expect(job.kubernetes_sd_configs[0]).toMatchObject({ role: 'pod', api_server: 'https://127.0.0.1:6443', tls_config: { ca_file: '/ca' } });
  const targets = job.relabel_configs.map((r) => r.target_label).filter(Boolean);
  expect(targets).toEqual(expect.arrayContaining(['__address__', 'namespace', 'pod', 'release', 'track', 'version']));
  expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_label_serving_tern_dev_track'], target_label: 'track' });
});

test('skips pods on kwok nodes: no process answers at their fake addresses', () => {
  const cfg = YAML.parse(renderPrometheusConfig({ apiServer: 'https://127.0.0.1:6443', tokenFile: '/t', caFile: '/ca' })) as {
    scrape_configs: Array<{ relabel_configs: Array<Record<string, unknown>> }>;
  };
  const drop = cfg.scrape_configs[0]!.relabel_configs.find((r) => r.action === 'drop' && (r.source_labels as string[])[0] === '__meta_kubernetes_pod_node_name');
  expect(drop).toBeDefined();
  const re = new RegExp(`^(?:${drop!.regex as string})$`); // Prometheus anchors relabel regexes
  expect(re.test('kwok-0')).toBe(true);
  expect(re.test('kwok-12')).toBe(true);
  expect(re.test('tern-node')).toBe(false);
});
